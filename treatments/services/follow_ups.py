"""Follow-up notes: recorded as drafts, signed like administrations (password
re-entered, meaning, digest), then only amended."""

import copy
from datetime import datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from clinic.audit import audited_save
from clinic.locking import lock
from patients.models import Patient
from treatments.errors import (
    AdministrationEnteredInError,
    AdministrationOtherPatient,
    FieldNotCorrectable,
    NotedBeforeAdministration,
    NotedInFuture,
    OutcomeScoreOutOfRange,
    ReasonRequired,
    RecordEnteredInError,
    RecordNotSigned,
    RecordSigned,
    SignerNotPerformer,
)
from treatments.models import Administration, FollowUpNote, FollowUpNoteAmendment
from treatments.models.signatures import SignatureMeaning
from treatments.services.signing import (
    amendment_diff,
    apply_signature,
    chain_amendment,
    confirm_signer,
    converted_changes,
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
    actor: Any,
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
    # Patient, then administration (clinic.locking.LOCK_ORDER).
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


def _lock(note: FollowUpNote) -> FollowUpNote:
    return lock(FollowUpNote.objects.select_related("administration"), note.pk)


def _refuse_uncorrectable(changes: dict[str, Any]) -> None:
    for name in changes:
        if name not in FollowUpNote.CORRECTABLE_FIELDS:
            raise FieldNotCorrectable.for_field(
                name,
                "Patient, administration and author say whose note this is;"
                " write a new note instead.",
            )


@transaction.atomic
def follow_up_update(
    *,
    note: FollowUpNote,
    actor: Any,
    changes: dict[str, Any],
    now: datetime | None = None,
) -> FollowUpNote:
    """Edit a draft note's correctable fields, re-checking its rules. Raises
    RecordSigned (409), FieldNotCorrectable and the rules of
    follow_up_record."""
    now = now or timezone.now()
    _refuse_uncorrectable(changes)
    note = _lock(note)
    _refuse_entered_in_error(note)
    if note.status != FollowUpNote.Status.DRAFT:
        raise RecordSigned("This follow-up note is signed and locked; amend it.")
    for name, value in changes.items():
        setattr(note, name, value)
    check_note_values(note, now=now)
    note.full_clean()
    audited_save(note, actor=actor)
    return note


def follow_up_sign(
    *,
    note: FollowUpNote,
    actor: Any,
    password: str,
    request: HttpRequest | None = None,
    meaning: str,
    now: datetime | None = None,
) -> FollowUpNote:
    """Sign a draft note: signer, time, meaning and digest; locks it. Raises
    SignaturePasswordInvalid, SignerNotClinician, SignerNotPerformer (only the
    author attests 'performed'), RecordSigned (409)."""
    now = now or timezone.now()
    confirm_signer(actor=actor, password=password, request=request)
    with transaction.atomic():
        note = _lock(note)
        _refuse_entered_in_error(note)
        if note.status != FollowUpNote.Status.DRAFT:
            raise RecordSigned("This follow-up note is already signed.")
        if meaning == SignatureMeaning.PERFORMED and note.author_id != actor.pk:
            raise SignerNotPerformer.for_field(
                "meaning",
                "Only the author can sign the note as performed; sign as"
                " reviewed instead.",
            )
        apply_signature(note, actor=actor, meaning=meaning, now=now)
    return note


def follow_up_amend(
    *,
    note: FollowUpNote,
    actor: Any,
    password: str,
    request: HttpRequest | None = None,
    reason: str,
    changes: dict[str, Any],
    now: datetime | None = None,
) -> FollowUpNoteAmendment:
    """Correct a signed note without touching the signed row (an amendment
    chained by digest). Raises SignaturePasswordInvalid, SignerNotClinician,
    ReasonRequired, FieldNotCorrectable, AmendmentChangesNothing, the note
    rules, RecordNotSigned (409)."""
    now = now or timezone.now()
    reason = reason.strip()
    confirm_signer(actor=actor, password=password, request=request)
    if not reason:
        raise ReasonRequired.for_field("reason", "Say why the note is amended.")
    _refuse_uncorrectable(changes)
    with transaction.atomic():
        note = _lock(note)
        _refuse_entered_in_error(note)
        if note.status != FollowUpNote.Status.SIGNED:
            raise RecordNotSigned(
                "A draft is edited directly; only signed notes are amended."
            )
        before = note.as_amended()
        after = copy.copy(before)
        for name, value in converted_changes(before, changes).items():
            setattr(after, name, value)
        check_note_values(after, now=now)
        diff = amendment_diff(before, after, FollowUpNote.CORRECTABLE_FIELDS)
        return chain_amendment(
            record=note,
            amendment_model=FollowUpNoteAmendment,
            actor=actor,
            reason=reason,
            diff=diff,
            now=now,
        )


def _refuse_entered_in_error(note: FollowUpNote) -> None:
    if note.status == FollowUpNote.Status.ENTERED_IN_ERROR:
        raise RecordEnteredInError(
            "This follow-up note was marked entered-in-error and cannot change."
        )


def follow_up_mark_entered_in_error(
    *,
    note: FollowUpNote,
    actor: Any,
    reason: str,
    now: datetime | None = None,
) -> FollowUpNote:
    """Mark a draft or signed note entered-in-error (written for the wrong
    patient, say) with who, when and why; it stays readable, its signature
    stays verifiable, and it can change no more. Raises ReasonRequired (400),
    RecordEnteredInError (409)."""
    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise ReasonRequired.for_field(
            "reason", "Say why the note was entered in error."
        )
    with transaction.atomic():
        note = _lock(note)
        _refuse_entered_in_error(note)
        note.status = FollowUpNote.Status.ENTERED_IN_ERROR
        note.entered_in_error_reason = reason
        note.entered_in_error_at = now
        note.entered_in_error_by = actor
        note.full_clean()
        audited_save(note, actor=actor, reason=f"entered in error: {reason}")
    return note
