"""Follow-up notes: recorded with their rules, signed like administrations,
locked once signed, corrected by chained amendments."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.core.errors import NotPermitted
from tests.factories.patients import PatientFactory
from tests.factories.treatments import FollowUpNoteFactory
from tests.factories.users import DEFAULT_PASSWORD
from treatments.errors import (
    AdministrationEnteredInError,
    AdministrationOtherPatient,
    AmendmentChangesNothing,
    FieldNotCorrectable,
    NotedBeforeAdministration,
    NotedInFuture,
    OutcomeScoreOutOfRange,
    RecordNotSigned,
    RecordSigned,
    SignaturePasswordInvalid,
    SignerNotPerformer,
)
from treatments.models import FollowUpNote, FollowUpNoteAmendment
from treatments.services import (
    administration_mark_entered_in_error,
    follow_up_amend,
    follow_up_record,
    follow_up_sign,
    follow_up_update,
)
from treatments.verification import signature_mismatches

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def note_values(administration, clinician):
    return {
        "patient": administration.patient,
        "administration": administration,
        "noted_at": administration.administered_at + dt.timedelta(days=1),
        "contact_kind": FollowUpNote.ContactKind.PHONE,
        "outcome_score": 7,
        "text": "Knee pain down from 7 to 3.",
        "actor": clinician,
    }


@pytest.fixture
def note(note_values):
    return follow_up_record(**note_values)


@pytest.fixture
def signed(note, clinician):
    return follow_up_sign(
        note=note, actor=clinician, password=DEFAULT_PASSWORD, meaning="performed"
    )


def test_records_a_draft_note_by_its_author_with_history(note, clinician):
    assert note.status == FollowUpNote.Status.DRAFT
    assert note.author == clinician
    assert note.outcome_score == 7
    (created,) = note.history.all()
    assert created.history_user == clinician


def test_a_note_may_follow_no_administration(note_values):
    note_values["administration"] = None
    note_values["noted_at"] = timezone.now() - HOUR
    assert follow_up_record(**note_values).administration is None


def test_a_note_may_have_no_score(note_values):
    note_values["outcome_score"] = None
    assert follow_up_record(**note_values).outcome_score is None


@pytest.mark.parametrize("score", [-1, 11, 100])
def test_refuses_an_outcome_outside_0_to_10(note_values, score):
    note_values["outcome_score"] = score
    with pytest.raises(OutcomeScoreOutOfRange) as refused:
        follow_up_record(**note_values)
    assert "outcome_score" in refused.value.errors
    assert FollowUpNote.objects.count() == 0


@pytest.mark.parametrize("score", [0, 10])
def test_accepts_the_ends_of_the_scale(note_values, score):
    note_values["outcome_score"] = score
    assert follow_up_record(**note_values).outcome_score == score


def test_refuses_a_note_for_another_patients_administration(
    note_values, other_administration
):
    note_values["administration"] = other_administration
    with pytest.raises(AdministrationOtherPatient) as refused:
        follow_up_record(**note_values)
    assert "administration" in refused.value.errors
    assert FollowUpNote.objects.count() == 0


def test_refuses_a_note_before_the_administration(note_values, administration):
    note_values["noted_at"] = administration.administered_at - dt.timedelta(minutes=1)
    with pytest.raises(NotedBeforeAdministration) as refused:
        follow_up_record(**note_values)
    assert "noted_at" in refused.value.errors
    assert FollowUpNote.objects.count() == 0


def test_refuses_a_note_in_the_future(note_values):
    note_values["noted_at"] = timezone.now() + HOUR
    with pytest.raises(NotedInFuture) as refused:
        follow_up_record(**note_values)
    assert "noted_at" in refused.value.errors
    assert FollowUpNote.objects.count() == 0


def test_refuses_a_note_on_an_entered_in_error_administration(
    note_values, administration, clinician
):
    administration_mark_entered_in_error(
        administration=administration, actor=clinician, reason="wrong patient"
    )
    with pytest.raises(AdministrationEnteredInError):
        follow_up_record(**note_values)
    assert FollowUpNote.objects.count() == 0


def test_a_draft_is_edited_with_its_rules_rechecked(note, clinician):
    follow_up_update(note=note, actor=clinician, changes={"outcome_score": 8})
    assert FollowUpNote.objects.get().outcome_score == 8

    with pytest.raises(OutcomeScoreOutOfRange):
        follow_up_update(note=note, actor=clinician, changes={"outcome_score": 11})
    assert FollowUpNote.objects.get().outcome_score == 8


def test_a_draft_edit_cannot_move_the_note_to_another_patient(note, clinician):
    with pytest.raises(FieldNotCorrectable):
        follow_up_update(
            note=note, actor=clinician, changes={"patient": PatientFactory()}
        )
    assert FollowUpNote.objects.get().patient == note.patient


def test_signing_records_signer_meaning_and_a_verifiable_digest(signed, clinician):
    signed.refresh_from_db()
    assert signed.status == FollowUpNote.Status.SIGNED
    assert signed.signed_by == clinician
    assert signed.signature_meaning == "performed"
    assert signed.signature_scheme == "treatments.follow_up_note/1"
    assert signed.signature_digest == signed.compute_digest()
    assert list(signature_mismatches()) == []


def test_signing_needs_the_signers_password(note, clinician):
    with pytest.raises(SignaturePasswordInvalid):
        follow_up_sign(note=note, actor=clinician, password="x", meaning="performed")
    assert FollowUpNote.objects.get().status == FollowUpNote.Status.DRAFT


def test_only_the_author_signs_as_performed(note, manager):
    with pytest.raises(SignerNotPerformer):
        follow_up_sign(
            note=note, actor=manager, password=DEFAULT_PASSWORD, meaning="performed"
        )
    follow_up_sign(
        note=note, actor=manager, password=DEFAULT_PASSWORD, meaning="reviewed"
    )
    assert FollowUpNote.objects.get().signed_by == manager


def test_front_desk_cannot_sign(note, front_desk):
    with pytest.raises(NotPermitted):
        follow_up_sign(
            note=note, actor=front_desk, password=DEFAULT_PASSWORD, meaning="reviewed"
        )
    assert FollowUpNote.objects.get().status == FollowUpNote.Status.DRAFT


def test_editing_a_signed_note_is_refused_and_changes_nothing(signed, clinician):
    digest = FollowUpNote.objects.get().signature_digest
    with pytest.raises(RecordSigned):
        follow_up_update(note=signed, actor=clinician, changes={"outcome_score": 2})
    row = FollowUpNote.objects.get()
    assert (row.outcome_score, row.signature_digest) == (7, digest)
    assert row.history.count() == 2  # created, signed


def test_signing_twice_is_refused(signed, clinician):
    with pytest.raises(RecordSigned):
        follow_up_sign(
            note=signed, actor=clinician, password=DEFAULT_PASSWORD, meaning="reviewed"
        )


def test_an_amendment_keeps_the_signed_note_and_chains_its_digest(signed, clinician):
    first = follow_up_amend(
        note=signed,
        actor=clinician,
        password=DEFAULT_PASSWORD,
        reason="Patient corrected the score by message.",
        changes={"outcome_score": 5},
    )
    second = follow_up_amend(
        note=signed,
        actor=clinician,
        password=DEFAULT_PASSWORD,
        reason="Typo.",
        changes={"text": "Knee pain down from 7 to 4."},
    )

    row = FollowUpNote.objects.get()
    assert row.outcome_score == 7  # the signed row is untouched
    assert row.as_amended().outcome_score == 5
    assert first.changes == {"outcome_score": [7, 5]}
    assert first.previous_digest == row.signature_digest
    assert second.previous_digest == first.digest
    assert list(signature_mismatches()) == []


def test_an_amendment_is_checked_like_the_note(signed, clinician):
    with pytest.raises(OutcomeScoreOutOfRange):
        follow_up_amend(
            note=signed,
            actor=clinician,
            password=DEFAULT_PASSWORD,
            reason="r",
            changes={"outcome_score": 12},
        )
    with pytest.raises(AmendmentChangesNothing):
        follow_up_amend(
            note=signed,
            actor=clinician,
            password=DEFAULT_PASSWORD,
            reason="r",
            changes={"outcome_score": 7},
        )
    with pytest.raises(FieldNotCorrectable):
        follow_up_amend(
            note=signed,
            actor=clinician,
            password=DEFAULT_PASSWORD,
            reason="r",
            changes={"author": clinician.pk},
        )
    assert FollowUpNoteAmendment.objects.count() == 0


def test_a_draft_is_not_amended(note, clinician):
    with pytest.raises(RecordNotSigned):
        follow_up_amend(
            note=note,
            actor=clinician,
            password=DEFAULT_PASSWORD,
            reason="r",
            changes={"outcome_score": 3},
        )


def test_verification_finds_a_signed_note_changed_behind_the_services(
    signed, clinician
):
    amendment = follow_up_amend(
        note=signed,
        actor=clinician,
        password=DEFAULT_PASSWORD,
        reason="r",
        changes={"outcome_score": 5},
    )
    FollowUpNote.objects.filter(pk=signed.pk).update(outcome_score=10)
    FollowUpNoteAmendment.objects.filter(pk=amendment.pk).update(reason="other")

    problems = [str(m) for m in signature_mismatches()]

    assert len(problems) == 2, problems
    assert problems[0].startswith(f"follow-up note {signed.public_id}: content")
    assert problems[1].startswith(f"amendment {amendment.pk} of follow-up note")
    with pytest.raises(Exception, match="mismatch"):
        call_command("verify_signatures")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"outcome_score": 11},
        {"contact_kind": "fax"},
        {"status": "signed"},  # without a signature
    ],
)
def test_the_database_refuses_a_bad_note(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUpNoteFactory(**fields)
