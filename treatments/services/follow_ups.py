"""Follow-up notes: recorded as drafts, signed like administrations (password
re-entered, meaning, digest), then only amended, or marked entered-in-error;
the steps shared with every signed record are in
treatments/services/signing.py."""

from datetime import datetime
from typing import Any, Unpack, cast

from django.db import transaction
from django.utils import timezone

from clinic.core.audit import audited_save
from clinic.core.locking import lock
from clinic.core.users import User
from patients.models import Patient
from treatments.errors import (
    AdministrationEnteredInError,
    AdministrationOtherPatient,
    NotedBeforeAdministration,
    NotedInFuture,
    OutcomeScoreOutOfRange,
    SignerNotPerformer,
)
from treatments.models import Administration, FollowUpNote, FollowUpNoteAmendment
from treatments.models.signatures import SignatureMeaning
from treatments.services import signing

# Patient, administration and author say whose note it is.
NOT_CORRECTABLE = (
    "Patient, administration and author say whose note this is; write a new"
    " note instead."
)


def check_note_values(note: FollowUpNote, *, now: datetime) -> None:
    """The rules of one note (a new one, a draft edit or an amended copy):
    score 0-10, contact not in the future, and after the administration it
    follows, which must be the same patient's and not entered in error."""
    score = note.outcome_score
    if score is not None and not 0 <= score <= 10:
        raise OutcomeScoreOutOfRange.for_field(
            "outcome_score", "The patient-reported outcome is a score from 0 to 10."
        )
    if note.noted_at is not None and note.noted_at > now:
        raise NotedInFuture.for_field(
            "noted_at", "A follow-up cannot be noted in the future."
        )
    administration = note.administration
    if administration is None:
        return
    if administration.patient_id != note.patient_id:
        raise AdministrationOtherPatient.for_field(
            "administration", "The administration is another patient's."
        )
    if administration.status == Administration.Status.ENTERED_IN_ERROR:
        raise AdministrationEnteredInError.for_field(
            "administration",
            "That administration was marked entered-in-error; follow up the"
            " corrected record.",
        )
    if note.noted_at is not None and note.noted_at < administration.administered_at:
        raise NotedBeforeAdministration.for_field(
            "noted_at", "A follow-up comes after the administration it follows."
        )


def _lock_administration(administration: Administration | None) -> Any:
    # Locked so it cannot be marked entered-in-error under the check.
    if administration is None:
        return None
    return lock(Administration, administration.pk)


@transaction.atomic
def follow_up_record(
    *,
    patient: Patient,
    noted_at: datetime,
    contact_kind: str,
    actor: User,
    administration: Administration | None = None,
    outcome_score: int | None = None,
    text: str = "",
    now: datetime | None = None,
) -> FollowUpNote:
    """Record a draft follow-up note written by `actor`, or refuse (400) with
    OutcomeScoreOutOfRange, NotedInFuture, NotedBeforeAdministration,
    AdministrationOtherPatient or AdministrationEnteredInError, writing
    nothing."""
    now = now or timezone.now()
    # Patient, then administration (clinic.core.locking.LOCK_ORDER).
    patient = lock(Patient, patient.pk)
    note = FollowUpNote(
        patient=patient,
        administration=_lock_administration(administration),
        author=actor,
        noted_at=noted_at,
        contact_kind=contact_kind,
        outcome_score=outcome_score,
        text=text,
        created_by=actor,
    )
    check_note_values(note, now=now)
    note.full_clean()
    audited_save(note, actor=actor)
    return note


def _locked(note: FollowUpNote) -> FollowUpNote:
    # With the administration its rules read.
    locked: FollowUpNote = lock(
        FollowUpNote.objects.select_related("administration"), note.pk
    )
    return locked


@transaction.atomic
def follow_up_update(
    *,
    note: FollowUpNote,
    actor: User,
    changes: dict[str, Any],
    now: datetime | None = None,
) -> FollowUpNote:
    """Edit a draft note's correctable fields, re-checking its rules. Raises
    RecordSigned / RecordEnteredInError (409), FieldNotCorrectable and the
    rules of follow_up_record."""
    now = now or timezone.now()
    signing.refuse_uncorrectable(FollowUpNote, changes, detail=NOT_CORRECTABLE)
    note = _locked(note)
    signing.refuse_unless_draft(note)
    for name, value in changes.items():
        setattr(note, name, value)
    check_note_values(note, now=now)
    note.full_clean()
    audited_save(note, actor=actor)
    return note


def _check_signable(note: FollowUpNote, actor: User, meaning: str) -> None:
    if meaning == SignatureMeaning.PERFORMED and note.author_id != actor.pk:
        raise SignerNotPerformer.for_field(
            "meaning",
            "Only the author can sign the note as performed; sign as reviewed instead.",
        )


def follow_up_sign(
    *, note: FollowUpNote, **signature: Unpack[signing.SignArgs]
) -> FollowUpNote:
    """Sign a draft note: signer, time, meaning and digest; locks it. Raises
    SignaturePasswordInvalid, SignerNotClinician, SignerNotPerformer (only the
    author attests 'performed'), RecordSigned / RecordEnteredInError (409)."""
    return signing.sign_record(note, locked=_locked, check=_check_signable, **signature)


def _check_amended(_before: FollowUpNote, after: FollowUpNote, now: datetime) -> None:
    check_note_values(after, now=now)


def follow_up_amend(
    *, note: FollowUpNote, **amendment: Unpack[signing.AmendArgs]
) -> FollowUpNoteAmendment:
    """Correct a signed note without touching the signed row (an amendment
    chained by digest). Raises SignaturePasswordInvalid, SignerNotClinician,
    ReasonRequired, FieldNotCorrectable, AmendmentChangesNothing, the note
    rules, RecordNotSigned / RecordEnteredInError (409)."""
    # A row of the record's `amendments` model, which is this one.
    return cast(
        FollowUpNoteAmendment,
        signing.amend_record(
            note,
            locked=_locked,
            correct=_check_amended,
            fields=FollowUpNote.CORRECTABLE_FIELDS,
            not_correctable=NOT_CORRECTABLE,
            **amendment,
        ),
    )


def follow_up_mark_entered_in_error(
    *, note: FollowUpNote, **marking: Unpack[signing.MarkArgs]
) -> FollowUpNote:
    """Mark a draft or signed note entered-in-error (written for the wrong
    patient, say) with who, when and why; it stays readable, its signature
    stays verifiable, and it can change no more. Raises ReasonRequired (400),
    RecordEnteredInError (409)."""
    return signing.mark_entered_in_error(note, locked=_locked, **marking)


# How the admin and the API reach the services above.
FOLLOW_UP_LIFECYCLE = signing.Lifecycle(
    "note",
    update=follow_up_update,
    sign=follow_up_sign,
    amend=follow_up_amend,
    mark_entered_in_error=follow_up_mark_entered_in_error,
)
