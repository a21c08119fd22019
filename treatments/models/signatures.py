"""What every signed clinical record shares (administrations, follow-up
notes): the meaning of a signature, the digest over the signed columns, the
amendment rows laid over a signed record, and reading it as amended."""

import copy
from typing import Any, ClassVar

from django.conf import settings
from django.db import models

from clinic.audit import NoDeleteModel
from clinic.dates import validate_stored_date_in_range
from treatments.digests import canonical_record, sha256_hex


class SignatureMeaning(models.TextChoices):
    PERFORMED = "performed", "Performed"
    REVIEWED = "reviewed", "Reviewed"


class SignedRecordMixin:
    """For a model with signed_at / signature_scheme, DIGEST_SCHEMES,
    DIGEST_SCHEME and an `amendments` relation whose rows carry `changes`."""

    DIGEST_SCHEMES: ClassVar[dict[str, tuple[str, ...]]]
    DIGEST_SCHEME: ClassVar[str]

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None  # type: ignore[attr-defined]

    def signed_payload(self) -> dict[str, Any]:
        """What the signature covers, under the scheme the record was signed
        with (the current one for a record being signed now). An unknown
        scheme raises KeyError: verification must not guess."""
        scheme = self.signature_scheme or self.DIGEST_SCHEME  # type: ignore[attr-defined]
        return canonical_record(self, self.DIGEST_SCHEMES[scheme], scheme=scheme)  # type: ignore[arg-type]

    def compute_digest(self) -> str:
        return sha256_hex(self.signed_payload())

    def as_amended(self) -> Any:
        """An unsaved copy with every amendment applied in order, for reading.

        Uses prefetched `amendments` when present; the row itself keeps the
        values as signed.
        """
        amended = copy.copy(self)
        for amendment in self.amendments.all():  # type: ignore[attr-defined]
            for name, (_old, new) in amendment.changes.items():
                field = self._meta.get_field(name)  # type: ignore[attr-defined]
                setattr(amended, field.attname, field.to_python(new))
        return amended


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
