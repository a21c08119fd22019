"""/api/v1/adverse-events/: clinicians report and update events; the report
clock (`?overdue=true`, report_due_on, days_until_due) on the clinic's date."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from tests import etag
from tests.factories.treatments import AdverseEventFactory
from treatments.models import AdverseEvent
from treatments.outcome_serializers import AdverseEventUpdateSerializer
from treatments.services.adverse_events import UPDATABLE_FIELDS

URL = "/api/v1/adverse-events/"
DAY = dt.timedelta(days=1)


def _url(event, action=""):
    return f"{URL}{event.public_id}/{action + '/' if action else ''}"


@pytest.fixture
def payload(administration):
    onset = administration.administered_at + dt.timedelta(hours=2)
    return {
        "administration": str(administration.public_id),
        "onset_at": onset.isoformat(),
        "aware_on": timezone.localdate(onset).isoformat(),
        "description": "Hives on both forearms.",
        "grade": 3,
        "serious": True,
        "intervention_required": True,
        "outcome": "recovering",
        "relatedness": "related",
    }


@pytest.fixture
def event(clinician_client, payload):
    response = clinician_client.post(URL, payload, format="json")
    assert response.status_code == 201, response.json()
    return AdverseEvent.objects.get(public_id=response.json()["id"])


def test_clinician_reports_an_event_with_its_suspect_lot_and_due_date(
    clinician_client, payload, administration
):
    response = clinician_client.post(URL, payload, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    aware = dt.date.fromisoformat(payload["aware_on"])
    assert body["patient"] == str(administration.patient.public_id)
    assert body["suspect_lot"] == administration.lot_id
    assert body["suspect_lot_number"] == administration.lot.lot_number
    assert body["report_due_on"] == (aware + 15 * DAY).isoformat()
    assert body["days_until_due"] == (aware + 15 * DAY - timezone.localdate()).days
    assert body["intervention_required"] is True
    assert response.has_header("ETag")


def _refused(client, payload, code, field):
    response = client.post(URL, payload, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == code
    assert field in response.json()["errors"]
    assert AdverseEvent.objects.count() == 0


@pytest.mark.parametrize("grade", [0, 6])
def test_a_grade_outside_1_to_5_is_a_400(clinician_client, payload, grade):
    _refused(
        clinician_client, {**payload, "grade": grade}, "grade_out_of_range", "grade"
    )


def test_grade_5_without_a_fatal_outcome_is_a_400(clinician_client, payload):
    grade_5 = {**payload, "grade": 5, "results_in_death": True}
    _refused(clinician_client, grade_5, "fatality_inconsistent", "outcome")


def test_an_onset_before_the_administration_is_a_400(
    clinician_client, payload, administration
):
    onset = (administration.administered_at - DAY).isoformat()
    _refused(
        clinician_client,
        {**payload, "onset_at": onset},
        "onset_before_administration",
        "onset_at",
    )


def test_awareness_before_onset_is_a_400(clinician_client, payload):
    aware = (dt.date.fromisoformat(payload["aware_on"]) - DAY).isoformat()
    _refused(
        clinician_client,
        {**payload, "aware_on": aware},
        "aware_before_onset",
        "aware_on",
    )


def test_a_report_date_before_awareness_is_a_400(clinician_client, payload):
    reported = (dt.date.fromisoformat(payload["aware_on"]) - DAY).isoformat()
    _refused(
        clinician_client,
        {**payload, "reported_on": reported},
        "reported_before_aware",
        "reported_on",
    )


def test_a_serious_event_without_a_criterion_is_a_400(clinician_client, payload):
    no_criterion = {**payload, "intervention_required": False}
    _refused(clinician_client, no_criterion, "seriousness_inconsistent", "serious")


def test_another_patient_is_a_400(clinician_client, payload, other_administration):
    other = {**payload, "patient": str(other_administration.patient.public_id)}
    _refused(clinician_client, other, "administration_other_patient", "patient")


def test_a_malformed_event_names_each_field(clinician_client, payload):
    bad = {**payload, "grade": "high", "outcome": "dead", "created_by": 1}
    response = clinician_client.post(URL, bad, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) >= {"grade", "outcome", "created_by"}
    assert AdverseEvent.objects.count() == 0


def test_the_outcome_evolves_by_patch_with_if_match(clinician_client, event):
    etag = clinician_client.get(_url(event))["ETag"]

    response = clinician_client.patch(
        _url(event), {"outcome": "recovered"}, format="json", HTTP_IF_MATCH=etag
    )
    stale = clinician_client.patch(
        _url(event), {"outcome": "unknown"}, format="json", HTTP_IF_MATCH=etag
    )

    assert response.status_code == 200, response.json()
    assert response.json()["outcome"] == "recovered"
    assert stale.status_code == 412
    assert AdverseEvent.objects.get().outcome == "recovered"


def test_a_patch_is_rechecked_as_a_whole(clinician_client, event):
    response = etag.patch(clinician_client, _url(event), {"grade": 5}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "fatality_inconsistent"
    assert {"outcome", "results_in_death"} <= set(response.json()["errors"])
    assert AdverseEvent.objects.get().grade == 3


def test_a_patch_cannot_set_the_report_date_or_move_the_event(
    clinician_client, event, other_administration
):
    response = etag.patch(
        clinician_client,
        _url(event),
        {
            "reported_on": timezone.localdate().isoformat(),
            "administration": str(other_administration.public_id),
        },
        format="json",
    )
    assert response.status_code == 400
    assert {"reported_on", "administration"} <= set(response.json()["errors"])
    assert AdverseEvent.objects.get().reported_on is None


def test_marking_reported_once(clinician_client, event):
    today = timezone.localdate().isoformat()

    reported = clinician_client.post(
        _url(event, "report"), {"reported_on": today}, format="json"
    )
    again = clinician_client.post(
        _url(event, "report"), {"reported_on": today}, format="json"
    )

    assert reported.status_code == 200, reported.json()
    assert reported.json()["reported_on"] == today
    assert reported.json()["days_until_due"] is None
    assert again.status_code == 409
    assert again.json()["code"] == "already_reported"


@pytest.fixture
def clock(administration):
    """Four events: overdue by 5 days, due today, reported, not serious."""
    serious = {"serious": True, "hospitalisation": True}
    today = timezone.localdate()
    return {
        "overdue": AdverseEventFactory(
            administration=administration, aware_on=today - 20 * DAY, **serious
        ),
        "due_today": AdverseEventFactory(
            administration=administration, aware_on=today - 15 * DAY, **serious
        ),
        "reported": AdverseEventFactory(
            administration=administration,
            aware_on=today - 20 * DAY,
            reported_on=today - 10 * DAY,
            **serious,
        ),
        "not_serious": AdverseEventFactory(
            administration=administration, aware_on=today - 20 * DAY
        ),
    }


def _ids(response):
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


def _public(*events):
    return {str(e.public_id) for e in events}


def test_managers_see_overdue_reports_with_days_overdue(manager_client, clock):
    response = manager_client.get(URL, {"overdue": "true"})

    assert _ids(response) == _public(clock["overdue"])
    assert response.json()["results"][0]["days_until_due"] == -5


def test_overdue_false_is_every_other_event(manager_client, clock):
    response = manager_client.get(URL, {"overdue": "false"})
    others = (clock["due_today"], clock["reported"], clock["not_serious"])
    assert _ids(response) == _public(*others)


def test_report_pending_lists_serious_unreported_events(manager_client, clock):
    response = manager_client.get(URL, {"report_pending": "true"})
    assert _ids(response) == _public(clock["overdue"], clock["due_today"])


def test_a_day_later_the_event_due_today_is_overdue(manager_client, clock):
    with time_machine.travel(timezone.now() + DAY):
        response = manager_client.get(URL, {"overdue": "true"})
    assert _ids(response) == _public(clock["overdue"], clock["due_today"])


def test_the_clock_runs_on_the_clinics_date_not_utcs(
    manager_client, administration, settings
):
    # 23:30 UTC on 1 March is 2 March in Auckland: an event due on 1 March is
    # overdue there, though not yet by the UTC date.
    settings.TIME_ZONE = "Pacific/Auckland"
    event = AdverseEventFactory(
        administration=administration,
        aware_on=dt.date(2026, 2, 14),
        serious=True,
        life_threatening=True,
    )
    with time_machine.travel(dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)):
        response = manager_client.get(URL, {"overdue": "true"})

    assert _ids(response) == _public(event)
    assert response.json()["results"][0]["days_until_due"] == -1


def test_filters_by_serious_grade_and_patient(clinician_client, clock, administration):
    serious = clinician_client.get(URL, {"serious": "true"})
    grade = clinician_client.get(URL, {"grade": 2})
    patient = clinician_client.get(URL, {"patient": administration.patient.public_id})

    assert len(_ids(serious)) == 3
    assert len(_ids(grade)) == 4
    assert len(_ids(patient)) == 4


@pytest.mark.parametrize("count", [1, 6])
def test_the_list_query_count_does_not_grow(
    manager_client, administration, django_assert_num_queries, count
):
    for _ in range(count):
        AdverseEventFactory(administration=administration)
    # roles of the caller, the count, the page
    with django_assert_num_queries(3):
        response = manager_client.get(URL, {"overdue": "false"})
    assert len(response.json()["results"]) == count


def test_front_desk_gets_nothing(front_desk_client, event, payload):
    assert front_desk_client.get(URL).status_code == 403
    assert front_desk_client.get(URL, {"overdue": "true"}).status_code == 403
    assert front_desk_client.get(_url(event)).status_code == 403
    assert front_desk_client.post(URL, payload, format="json").status_code == 403
    assert (
        etag.patch(front_desk_client, _url(event), {}, format="json").status_code == 403
    )
    report = front_desk_client.post(
        _url(event, "report"), {"reported_on": "2026-01-01"}, format="json"
    )
    assert report.status_code == 403
    assert AdverseEvent.objects.count() == 1


def test_history_is_for_managers(clinician_client, manager_client, event):
    etag.patch(clinician_client, _url(event), {"outcome": "recovered"}, format="json")

    assert clinician_client.get(_url(event, "history")).status_code == 403
    response = manager_client.get(_url(event, "history"))
    assert response.status_code == 200
    assert [e["kind"] for e in response.json()["results"]] == ["changed", "created"]


def test_a_retried_create_writes_one_event(clinician_client, payload):
    first = clinician_client.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="a")
    again = clinician_client.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="a")
    assert again.json()["id"] == first.json()["id"]
    assert AdverseEvent.objects.count() == 1


def test_the_update_shape_accepts_exactly_what_the_service_updates():
    assert set(AdverseEventUpdateSerializer().fields) == set(UPDATABLE_FIELDS)
