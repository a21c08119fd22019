"""The admin writes notes and events through the services, signs notes,
opens signed notes read-only, shows both on the administration's page and
lists overdue reports."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories.treatments import AdverseEventFactory, FollowUpNoteFactory
from tests.factories.users import DEFAULT_PASSWORD
from treatments.models import AdverseEvent, FollowUpNote
from treatments.services import follow_up_record, follow_up_sign

DAY = dt.timedelta(days=1)


def _admin_url(name, *args):
    return reverse(f"admin:treatments_{name}", args=args)


@pytest.fixture
def clinician_web(client, clinician):
    client.force_login(clinician)
    return client


@pytest.fixture
def manager_web(client, manager):
    client.force_login(manager)
    return client


def _form_datetime(name, value):
    local = timezone.localtime(value)
    return {
        f"{name}_0": local.strftime("%Y-%m-%d"),
        f"{name}_1": local.strftime("%H:%M:%S"),
    }


def _note_payload(administration, **overrides):
    payload = {
        "patient": administration.patient.pk,
        "administration": administration.pk,
        **_form_datetime("noted_at", administration.administered_at + DAY),
        "contact_kind": "visit",
        "outcome_score": "5",
        "text": "Walking further without pain.",
        "amendments-TOTAL_FORMS": "0",
        "amendments-INITIAL_FORMS": "0",
    }
    payload.update(overrides)
    return payload


def test_clinician_adds_and_signs_a_note_in_the_admin(
    clinician_web, clinician, administration
):
    added = clinician_web.post(
        _admin_url("followupnote_add"), _note_payload(administration)
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    note = FollowUpNote.objects.get()
    assert note.author == clinician
    assert note.history.get().history_user == clinician

    signed = clinician_web.post(
        _admin_url("followupnote_sign", note.pk),
        {"meaning": "performed", "password": DEFAULT_PASSWORD},
    )
    assert signed.status_code == 302
    assert FollowUpNote.objects.get().status == "signed"


def test_a_refused_note_shows_on_its_field_and_writes_nothing(
    clinician_web, administration
):
    response = clinician_web.post(
        _admin_url("followupnote_add"),
        _note_payload(administration, outcome_score="11"),
    )
    assert response.status_code == 200
    assert "outcome_score" in response.context["adminform"].form.errors
    assert FollowUpNote.objects.count() == 0


def test_a_signed_note_opens_read_only_and_is_amended_on_its_page(
    clinician_web, clinician, administration
):
    note = follow_up_record(
        patient=administration.patient,
        administration=administration,
        noted_at=administration.administered_at + DAY,
        contact_kind="phone",
        outcome_score=4,
        actor=clinician,
    )
    follow_up_sign(
        note=note, actor=clinician, password=DEFAULT_PASSWORD, meaning="performed"
    )

    edit = clinician_web.post(
        _admin_url("followupnote_change", note.pk),
        _note_payload(administration, outcome_score="9"),
    )
    amend = clinician_web.post(
        _admin_url("followupnote_amend", note.pk),
        {
            "noted_at": timezone.localtime(note.noted_at).strftime("%Y-%m-%d %H:%M:%S"),
            "contact_kind": "phone",
            "outcome_score": "6",
            "text": "",
            "reason": "Score misheard on the phone.",
            "password": DEFAULT_PASSWORD,
        },
    )

    assert edit.status_code == 403
    assert amend.status_code == 302, amend.content.decode()[:2000]
    note.refresh_from_db()
    assert note.outcome_score == 4
    assert note.as_amended().outcome_score == 6


def test_clinician_reports_an_event_in_the_admin(clinician_web, administration):
    onset = administration.administered_at + dt.timedelta(hours=1)
    payload = {
        "administration": administration.pk,
        **_form_datetime("onset_at", onset),
        "aware_on": timezone.localdate(onset).isoformat(),
        "description": "Nausea.",
        "grade": "5",
        "outcome": "recovered",
        "relatedness": "unlikely_related",
    }
    refused = clinician_web.post(_admin_url("adverseevent_add"), payload)
    assert refused.status_code == 200
    assert "outcome" in refused.context["adminform"].form.errors
    assert AdverseEvent.objects.count() == 0

    added = clinician_web.post(
        _admin_url("adverseevent_add"), {**payload, "grade": "1"}
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    assert AdverseEvent.objects.get().patient == administration.patient


def test_the_overdue_filter_lists_only_overdue_reports(manager_web, administration):
    today = timezone.localdate()
    serious = {"serious": True, "hospitalisation": True}
    overdue = AdverseEventFactory(
        administration=administration,
        aware_on=today - 16 * DAY,
        description="overdue one",
        **serious,
    )
    AdverseEventFactory(
        administration=administration,
        aware_on=today - 3 * DAY,
        description="still in time",
        **serious,
    )

    response = manager_web.get(
        _admin_url("adverseevent_changelist"), {"report": "overdue"}
    )

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [overdue]


def test_the_administration_page_shows_its_notes_and_events(
    manager_web, administration
):
    FollowUpNoteFactory(administration=administration, text="inline note")
    AdverseEventFactory(administration=administration)

    response = manager_web.get(_admin_url("administration_change", administration.pk))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Follow-up notes" in page
    assert "Adverse events" in page
    assert "Add follow-up note" in page


def test_front_desk_has_no_admin_pages_for_notes_or_events(client, front_desk):
    front_desk.is_staff = True
    front_desk.save()
    client.force_login(front_desk)
    assert client.get(_admin_url("followupnote_changelist")).status_code == 403
    assert client.get(_admin_url("adverseevent_changelist")).status_code == 403
