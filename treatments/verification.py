"""Recompute every stored signature digest and report the records whose
content no longer matches what was signed. Reads only."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import F

from treatments.models import Administration, AdministrationAmendment


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
    """Each signed administration whose digest differs from its content, and
    each amendment whose digest or chain link is broken."""
    signed = Administration.objects.filter(signed_at__isnull=False).order_by("pk")
    for administration in signed.iterator(chunk_size=chunk_size):
        if administration.signature_scheme not in Administration.DIGEST_SCHEMES:
            yield Mismatch(
                f"administration {administration.public_id}",
                "signed under an unknown digest scheme",
                administration.signature_digest,
                "",
            )
            continue
        computed = administration.compute_digest()
        if computed != administration.signature_digest:
            yield Mismatch(
                f"administration {administration.public_id}",
                "content differs from what was signed",
                administration.signature_digest,
                computed,
            )
    amendments = AdministrationAmendment.objects.annotate(
        signed_digest=F("administration__signature_digest")
    ).order_by("administration_id", "amended_at", "id")
    last: tuple[int, str] | None = None  # rows come grouped by administration
    for amendment in amendments.iterator(chunk_size=chunk_size):
        label = (
            f"amendment {amendment.pk} of administration {amendment.administration_id}"
        )
        if last is not None and last[0] == amendment.administration_id:
            expected_link = last[1]
        else:
            expected_link = amendment.signed_digest
        if amendment.previous_digest != expected_link:
            yield Mismatch(
                label,
                "does not chain to the previous signature",
                amendment.previous_digest,
                expected_link,
            )
        computed = amendment.compute_digest()
        if computed != amendment.digest:
            yield Mismatch(
                label,
                "content differs from what was signed",
                amendment.digest,
                computed,
            )
        last = (amendment.administration_id, amendment.digest)
