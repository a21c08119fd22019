"""What every signed clinical record shares (administrations, follow-up
notes): the status, signature and entered-in-error columns and the checks the
database holds on them, the meaning of a signature, the digest over the signed
columns, the amendment rows laid over a signed record, and reading it as
amended. The services that sign, amend and mark these records share one kit
too (`treatments/services/signing.py`)."""

import copy
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, cast

from django.conf import settings
from django.db import models

from clinic.core.audit import NoDeleteModel
from clinic.core.dates import validate_stored_date_in_range
from treatments.digests import canonical_record, sha256_hex


class SignatureMeaning(models.TextChoices):
    PERFORMED = "performed", "Performed"
    REVIEWED = "reviewed", "Reviewed"


class SignedRecordMixin:
    """For a model with signed_at / signature_scheme, DIGEST_SCHEMES,
    DIGEST_SCHEME and an `amendments` relation whose rows carry `changes`.
    `SignedRecord` below is the model that has them; this class stays apart
    because migration 0006 names it as a base of FollowUpNote."""

    DIGEST_SCHEMES: ClassVar[dict[str, tuple[str, ...]]]
    DIGEST_SCHEME: ClassVar[str]
    if TYPE_CHECKING:
        # The columns and relation of the model it is mixed into.
        from django.db.models.fields.related_descriptors import RelatedManager
        from django.db.models.options import Options

        signed_at: datetime | None
        signature_scheme: str
        _meta: Options[Any]

        @property
        def amendments(self) -> "RelatedManager[Amendment]": ...

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    def signed_payload(self) -> dict[str, Any]:
        """What the signature covers, under the scheme the record was signed
        with (the current one for a record being signed now). An unknown
        scheme raises KeyError: verification must not guess."""
        scheme = self.signature_scheme or self.DIGEST_SCHEME
        # `self` is the model this is mixed into (SignedRecord).
        return canonical_record(self, self.DIGEST_SCHEMES[scheme], scheme=scheme)  # type: ignore[arg-type]

    def compute_digest(self) -> str:
        return sha256_hex(self.signed_payload())

    def as_amended(self) -> Any:
        """An unsaved copy with every amendment applied in order, for reading.

        Uses prefetched `amendments` when present; the row itself keeps the
        values as signed.
        """
        amended = copy.copy(self)
        for amendment in self.amendments.all():
            for name, (_old, new) in amendment.changes.items():
                # An amendment changes the record's own columns only.
                field = cast("models.Field[Any, Any]", self._meta.get_field(name))
                setattr(amended, field.attname, field.to_python(new))
        return amended


def _set_once_by_a_user() -> "models.ForeignKey[Any]":
    """Who signed, or who marked the record: empty until then, set by the
    services only."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )


class SignedRecord(SignedRecordMixin, NoDeleteModel):
    """A clinical record that is drafted, signed, then only amended (Draft ->
    Signed), or marked entered-in-error from either, with who, when and why.

    A subclass declares DIGEST_SCHEMES, DIGEST_SCHEME and CORRECTABLE_FIELDS,
    an `amendments` relation (an `Amendment` subclass) and, in its Meta,
    `*SignedRecord.shared_constraints(prefix, acted_at=...)`.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SIGNED = "signed", "Signed"
        ENTERED_IN_ERROR = "entered_in_error", "Entered in error"

    CORRECTABLE_FIELDS: ClassVar[tuple[str, ...]]

    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    signed_by = _set_once_by_a_user()
    signed_at = models.DateTimeField(null=True, blank=True, editable=False)
    signature_meaning = models.CharField(
        max_length=9, choices=SignatureMeaning.choices, blank=True, editable=False
    )
    signature_digest = models.CharField(
        "SHA-256 digest", max_length=64, blank=True, editable=False
    )
    signature_scheme = models.CharField(
        max_length=40,
        blank=True,
        editable=False,
        help_text="Which fields the digest covers (DIGEST_SCHEMES).",
    )
    # A record written in error (wrong patient, wrong dose) is never deleted:
    # it is marked, with who, when and why, and stays readable. These columns
    # are outside every digest, so marking it keeps its signature verifiable.
    entered_in_error_reason = models.TextField(blank=True, editable=False)
    entered_in_error_at = models.DateTimeField(null=True, blank=True, editable=False)
    entered_in_error_by = _set_once_by_a_user()

    class Meta:
        abstract = True

    @staticmethod
    def shared_constraints(
        prefix: str, *, acted_at: str
    ) -> list[models.BaseConstraint]:
        """The database's checks on the shared columns, named `<prefix>_...`
        (names already in the migrations, so the database stays as it is).
        `acted_at` is the field holding when the recorded act happened: a
        signature never precedes it."""
        return [
            # A signature is complete or absent, and never precedes the act.
            models.CheckConstraint(
                condition=models.Q(
                    signed_by__isnull=True,
                    signed_at__isnull=True,
                    signature_meaning="",
                    signature_digest="",
                    signature_scheme="",
                )
                | (
                    models.Q(
                        signed_by__isnull=False,
                        signed_at__gte=models.F(acted_at),
                        signature_meaning__in=["performed", "reviewed"],
                    )
                    & ~models.Q(signature_digest="")
                    & ~models.Q(signature_scheme="")
                ),
                name=f"{prefix}_signature_complete",
            ),
            # Entered-in-error keeps whatever signature the record had.
            models.CheckConstraint(
                condition=models.Q(status="draft", signed_at__isnull=True)
                | models.Q(status="signed", signed_at__isnull=False)
                | models.Q(status="entered_in_error"),
                name=f"{prefix}_status_matches_signature",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        status="entered_in_error",
                        entered_in_error_at__isnull=False,
                        entered_in_error_by__isnull=False,
                    )
                    & ~models.Q(entered_in_error_reason="")
                )
                | (
                    ~models.Q(status="entered_in_error")
                    & models.Q(
                        entered_in_error_at__isnull=True,
                        entered_in_error_by__isnull=True,
                        entered_in_error_reason="",
                    )
                ),
                name=f"{prefix}_entered_in_error_complete",
            ),
        ]


class Amendment(NoDeleteModel):
    """A correction to a signed record: who, when, why and what changed
    ({field: [old, new]} in canonical form). Amendments chain their digests:
    each covers the previous one (or the original signature). Subclasses add
    the foreign key to the record (`RECORD_FIELD`) and the digest scheme."""

    RECORD_FIELD: ClassVar[str]
    DIGEST_SCHEME: ClassVar[str]

    amended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    amended_at = models.DateTimeField(validators=[validate_stored_date_in_range])
    reason = models.TextField()
    changes = models.JSONField()
    previous_digest = models.CharField(max_length=64)
    digest = models.CharField("SHA-256 digest", max_length=64)

    class Meta:
        abstract = True
        ordering = ["amended_at", "id"]

    def __str__(self) -> str:
        record = f"{self.RECORD_FIELD} {getattr(self, f'{self.RECORD_FIELD}_id')}"
        return f"Amendment of {record} at {self.amended_at:%Y-%m-%d}"

    @staticmethod
    def shared_constraints(prefix: str) -> list[models.BaseConstraint]:
        """A reason and both digests, named `<prefix>amendment_has_...` (the
        names already in the migrations)."""
        return [
            models.CheckConstraint(
                condition=~models.Q(reason=""), name=f"{prefix}amendment_has_reason"
            ),
            models.CheckConstraint(
                condition=~models.Q(digest="") & ~models.Q(previous_digest=""),
                name=f"{prefix}amendment_has_digests",
            ),
        ]

    @classmethod
    def digest_fields(cls) -> tuple[str, ...]:
        return (
            f"{cls.RECORD_FIELD}_id",
            "amended_by_id",
            "amended_at",
            "reason",
            "changes",
            "previous_digest",
        )

    @property
    def record(self) -> Any:
        return getattr(self, self.RECORD_FIELD)

    def signed_payload(self) -> dict[str, Any]:
        return canonical_record(self, self.digest_fields(), scheme=self.DIGEST_SCHEME)

    def compute_digest(self) -> str:
        return sha256_hex(self.signed_payload())
