"""A follow-up note written in error (wrong patient, wrong dose) is marked
entered-in-error with who, when and why, never deleted, and changes no more."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from tests.factories.treatments import FollowUpNoteFactory
from tests.factories.users import DEFAULT_PASSWORD
from treatments.errors import ReasonRequired, RecordEnteredInError
from treatments.models import FollowUpNote
from treatments.services import (
    follow_up_amend,
    follow_up_mark_entered_in_error,
    follow_up_record,
    follow_up_sign,
    follow_up_update,
)
from treatments.verification import signature_mismatches

URL = "/api/v1/follow-ups/"


@pytest.fixture
def note(administration, clinician):
    return follow_up_record(
        patient=administration.patient,
        administration=administration,
        noted_at=administration.administered_at + dt.timedelta(days=1),
        contact_kind=FollowUpNote.ContactKind.PHONE,
        outcome_score=7,
        text="Knee pain down from 7 to 3.",
        actor=clinician,
    )


@pytest.fixture
def signed(note, clinician):
    return follow_up_sign(
        note=note, actor=clinician, password=DEFAULT_PASSWORD, meaning="performed"
    )


def test_a_signed_note_is_marked_with_who_when_why_and_still_verifies(
    signed, clinician
):
    marked = follow_up_mark_entered_in_error(
        note=signed, actor=clinician, reason="Written on the wrong patient."
    )

    marked.refresh_from_db()
    assert marked.status == FollowUpNote.Status.ENTERED_IN_ERROR
    assert marked.entered_in_error_by == clinician
    assert marked.entered_in_error_at is not None
    assert marked.entered_in_error_reason == "Written on the wrong patient."
    assert marked.signed_at is not None  # the signature stays
    assert list(signature_mismatches()) == []
    assert marked.history.latest().history_user == clinician


def test_a_reason_is_required_and_nothing_changes_without_it(note, clinician):
    with pytest.raises(ReasonRequired) as refused:
        follow_up_mark_entered_in_error(note=note, actor=clinician, reason="  ")
    assert "reason" in refused.value.errors
    note.refresh_from_db()
    assert note.status == FollowUpNote.Status.DRAFT
    assert note.history.count() == 1


def test_a_marked_note_changes_no_more(note, clinician):
    follow_up_mark_entered_in_error(note=note, actor=clinician, reason="Duplicate.")
    attempts = [
        lambda: follow_up_mark_entered_in_error(
            note=note, actor=clinician, reason="Again."
        ),
        lambda: follow_up_update(
            note=note, actor=clinician, changes={"outcome_score": 3}
        ),
        lambda: follow_up_sign(
            note=note, actor=clinician, password=DEFAULT_PASSWORD, meaning="performed"
        ),
        lambda: follow_up_amend(
            note=note,
            actor=clinician,
            password=DEFAULT_PASSWORD,
            reason="Typo.",
            changes={"outcome_score": 3},
        ),
    ]
    for attempt in attempts:
        with pytest.raises(RecordEnteredInError):
            attempt()
    note.refresh_from_db()
    assert (note.outcome_score, note.signed_at) == (7, None)
    assert note.entered_in_error_reason == "Duplicate."


def test_the_database_refuses_a_half_marked_note(administration):
    note = FollowUpNoteFactory(administration=administration)
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUpNote.objects.filter(pk=note.pk).update(status="entered_in_error")
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUpNote.objects.filter(pk=note.pk).update(
            entered_in_error_at=timezone.now()
        )


def test_clinicians_mark_through_the_api_front_desk_cannot(
    signed, clinician_client, front_desk_client
):
    url = f"{URL}{signed.public_id}/entered-in-error/"
    body = {"reason": "Wrong patient."}

    denied = front_desk_client.post(url, body, format="json")
    empty = clinician_client.post(url, {"reason": ""}, format="json")
    marked = clinician_client.post(url, body, format="json")
    again = clinician_client.post(url, body, format="json")

    assert denied.status_code == 403
    assert empty.status_code == 400
    assert "reason" in empty.json()["errors"]
    assert marked.status_code == 200, marked.json()
    assert marked.json()["status"] == "entered_in_error"
    assert marked.json()["entered_in_error_reason"] == "Wrong patient."
    assert marked.json()["entered_in_error_by"] == "clin_user"
    assert again.status_code == 409
    assert again.json()["code"] == RecordEnteredInError.code


def test_the_admin_action_asks_for_a_reason_then_marks(client, signed, clinician):
    client.force_login(clinician)
    changelist = reverse("admin:treatments_followupnote_changelist")
    selection = {"action": "mark_entered_in_error", "_selected_action": [signed.pk]}

    asked = client.post(changelist, selection)
    done = client.post(changelist, {**selection, "apply": "1", "reason": "Duplicate"})

    assert asked.status_code == 200
    assert b"reason" in asked.content
    assert done.status_code == 302
    signed.refresh_from_db()
    assert signed.status == FollowUpNote.Status.ENTERED_IN_ERROR
    assert signed.entered_in_error_by == clinician
