"""Recompute every stored signature digest and report the records whose
content no longer matches what was signed. Reads only."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import F

from treatments.models import (
    Administration,
    AdministrationAmendment,
    FollowUpNote,
    FollowUpNoteAmendment,
)
from treatments.models.signatures import Amendment, SignedRecord

# Each signed model with its amendments, and the label used in reports.
SIGNED_RECORDS = (
    (Administration, AdministrationAmendment, "administration"),
    (FollowUpNote, FollowUpNoteAmendment, "follow-up note"),
)


@dataclass(frozen=True)
class Mismatch:
    record: str
    problem: str
    stored: str
    computed: str

    def __str__(self) -> str:
        return (
            f"{self.record}: {self.problem} (stored {self.stored or '-'},"
            f" computed {self.computed or '-'})"
        )


def signature_mismatches(*, chunk_size: int = 500) -> Iterator[Mismatch]:
    """Each signed record (administration, follow-up note) whose digest
    differs from its content, and each amendment whose digest or chain link
    is broken."""
    for model, amendment_model, label in SIGNED_RECORDS:
        yield from _record_mismatches(model, label, chunk_size=chunk_size)
        yield from _amendment_mismatches(amendment_model, label, chunk_size=chunk_size)


def _record_mismatches(
    model: type[SignedRecord], label: str, *, chunk_size: int
) -> Iterator[Mismatch]:
    signed = model.objects.filter(signed_at__isnull=False).order_by("pk")
    for record in signed.iterator(chunk_size=chunk_size):
        if record.signature_scheme not in model.DIGEST_SCHEMES:
            yield Mismatch(
                f"{label} {record.public_id}",
                "signed under an unknown digest scheme",
                record.signature_digest,
                "",
            )
            continue
        computed = record.compute_digest()
        if computed != record.signature_digest:
            yield Mismatch(
                f"{label} {record.public_id}",
                "content differs from what was signed",
                record.signature_digest,
                computed,
            )


def _amendment_mismatches(
    amendment_model: type[Amendment], label: str, *, chunk_size: int
) -> Iterator[Mismatch]:
    fk = amendment_model.RECORD_FIELD
    amendments = amendment_model.objects.annotate(
        signed_digest=F(f"{fk}__signature_digest")
    ).order_by(f"{fk}_id", "amended_at", "id")
    last: tuple[int, str] | None = None  # rows come grouped by record
    for amendment in amendments.iterator(chunk_size=chunk_size):
        record_id = getattr(amendment, f"{fk}_id")
        where = f"amendment {amendment.pk} of {label} {record_id}"
        if last is not None and last[0] == record_id:
            expected_link = last[1]
        else:
            expected_link = amendment.signed_digest
        if amendment.previous_digest != expected_link:
            yield Mismatch(
                where,
                "does not chain to the previous signature",
                amendment.previous_digest,
                expected_link,
            )
        computed = amendment.compute_digest()
        if computed != amendment.digest:
            yield Mismatch(
                where,
                "content differs from what was signed",
                amendment.digest,
                computed,
            )
        last = (record_id, amendment.digest)
