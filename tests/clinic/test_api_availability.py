"""/api/v1/availability/: free start times in the location's local time."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories.clinic import WorkingHoursFactory

URL = "/api/v1/availability/"

pytestmark = pytest.mark.usefixtures("frozen_now")


@pytest.fixture
def query(consultation, doctor, consult_room):
    return {"type": consultation.pk, "from": "2026-03-02", "to": "2026-03-02"}


def test_every_role_searches_and_gets_local_times(
    front_desk_client, clinician_client, manager_client, query, doctor, consult_room
):
    for client in (front_desk_client, clinician_client, manager_client):
        response = client.get(URL, query)
        assert response.status_code == 200
    first = response.json()["slots"][0]
    assert first == {
        "starts_at": "2026-03-02T09:00:00-05:00",
        "ends_at": "2026-03-02T09:30:00-05:00",
        "practitioner": {"id": doctor.pk, "name": "Dana Doe", "title": "MD"},
        "location": {
            "id": consult_room.location.pk,
            "name": "Manhattan",
            "time_zone": "America/New_York",
        },
        "rooms": [{"id": consult_room.pk, "name": "Consult 1", "kind": "consult_room"}],
    }
    assert len(response.json()["slots"]) == 31


def test_anonymous_callers_are_refused(anon_client, query):
    assert anon_client.get(URL, query).status_code == 401


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"to": "2026-03-01"}, "to"),
        ({"to": "2026-04-02"}, "to"),
        ({"from": "yesterday"}, "from"),
        ({"type": 999_999}, "type"),
        ({"practitioner": 999_999}, "practitioner"),
    ],
    ids=[
        "to-before-from",
        "more-than-31-days",
        "bad-date",
        "unknown-type",
        "unknown-pr",
    ],
)
def test_bad_queries_name_the_field(front_desk_client, query, change, field):
    response = front_desk_client.get(URL, {**query, **change})
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_missing_parameters_are_named(front_desk_client, db):
    response = front_desk_client.get(URL)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"type", "from", "to"}


def test_spring_forward_through_the_api(front_desk_client, query, doctor, site):
    for weekday in (5, 6):
        WorkingHoursFactory(practitioner=doctor, location=site, weekday=weekday)
    response = front_desk_client.get(
        URL, {**query, "from": "2026-03-07", "to": "2026-03-09"}
    )
    firsts = {}
    for slot in response.json()["slots"]:
        firsts.setdefault(slot["starts_at"][:10], slot["starts_at"])
    assert list(firsts.values()) == [
        "2026-03-07T09:00:00-05:00",
        "2026-03-08T09:00:00-04:00",
        "2026-03-09T09:00:00-04:00",
    ]


def test_query_count_is_the_same_for_one_day_and_fourteen(front_desk_client, query):
    front_desk_client.get(URL, query)  # the caller's roles are looked up once
    counts = []
    for last in ("2026-03-02", "2026-03-15"):
        with CaptureQueriesContext(connection) as queries:
            response = front_desk_client.get(URL, {**query, "to": last})
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert len(response.json()["slots"]) == 31 * 10  # ten weekdays in 14 days
