"""The clinic's set-up through the API: rooms, practitioners, appointment types,
working hours, schedule exceptions. Everyone reads; managers change."""

import datetime as dt

import pytest

from clinic.models import (
    AppointmentType,
    Practitioner,
    Room,
    ScheduleException,
    WorkingHours,
)
from tests import etag
from tests.factories.clinic import (
    LocationFactory,
    PractitionerFactory,
    RoomFactory,
    WorkingHoursFactory,
)
from tests.factories.users import UserFactory

pytestmark = pytest.mark.usefixtures("frozen_now")


@pytest.mark.parametrize(
    "path",
    [
        "rooms",
        "practitioners",
        "appointment-types",
        "working-hours",
        "schedule-exceptions",
    ],
)
def test_every_role_reads_the_set_up(
    path, front_desk_client, clinician_client, manager_client, db
):
    for client in (front_desk_client, clinician_client, manager_client):
        assert client.get(f"/api/v1/{path}/").status_code == 200


def test_manager_creates_and_renames_a_room_with_history(manager_client, manager, site):
    created = manager_client.post(
        "/api/v1/rooms/",
        {"location": site.pk, "name": "Chair 1", "kind": "infusion_chair"},
        format="json",
    )
    assert created.status_code == 201
    room_id = created.json()["id"]
    renamed = etag.patch(
        manager_client,
        f"/api/v1/rooms/{room_id}/",
        {"name": "Chair A", "active": False},
        format="json",
    )
    assert renamed.status_code == 200
    assert (renamed.json()["name"], renamed.json()["active"]) == ("Chair A", False)
    history = manager_client.get(f"/api/v1/rooms/{room_id}/history/").json()["results"]
    assert [(e["kind"], e["actor"]) for e in history] == [
        ("changed", manager.username),
        ("created", manager.username),
    ]


def test_front_desk_and_clinicians_cannot_change_the_set_up(
    front_desk_client, clinician_client, site, consult_room
):
    for client in (front_desk_client, clinician_client):
        response = client.post(
            "/api/v1/rooms/",
            {"location": site.pk, "name": "X", "kind": "consult_room"},
            format="json",
        )
        assert response.status_code == 403
        patch = etag.patch(
            client,
            f"/api/v1/rooms/{consult_room.pk}/",
            {"active": False},
            format="json",
        )
        assert patch.status_code == 403
    assert Room.objects.count() == 1
    consult_room.refresh_from_db()
    assert consult_room.active


def test_room_filters(front_desk_client, site):
    chair = RoomFactory(location=site, kind="infusion_chair")
    RoomFactory(location=site, kind="consult_room")
    RoomFactory(location=LocationFactory(), kind="infusion_chair")
    response = front_desk_client.get(
        "/api/v1/rooms/", {"location": site.pk, "kind": "infusion_chair"}
    )
    assert [r["id"] for r in response.json()["results"]] == [chair.pk]


def test_duplicate_room_name_at_a_location_is_refused(manager_client, consult_room):
    response = manager_client.post(
        "/api/v1/rooms/",
        {
            "location": consult_room.location.pk,
            "name": "Consult 1",
            "kind": "consult_room",
        },
        format="json",
    )
    assert response.status_code == 400
    assert Room.objects.count() == 1


def test_manager_makes_a_staff_user_a_practitioner(manager_client):
    user = UserFactory(first_name="Ngozi", last_name="Okafor")
    response = manager_client.post(
        "/api/v1/practitioners/",
        {"user": user.pk, "title": "RN", "licence_number": "CA-RN-1"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["name"] == "Ngozi Okafor"


def test_non_staff_user_cannot_be_a_practitioner(manager_client):
    user = UserFactory(is_staff=False)
    response = manager_client.post(
        "/api/v1/practitioners/",
        {"user": user.pk, "title": "RN", "licence_number": "CA-RN-2"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "practitioner_not_staff"
    assert "user" in response.json()["errors"]
    assert not Practitioner.objects.exists()


def test_practitioner_keeps_its_own_licence_number_on_update(manager_client, doctor):
    response = etag.patch(
        manager_client,
        f"/api/v1/practitioners/{doctor.pk}/",
        {"licence_number": doctor.licence_number, "title": "DO"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["title"] == "DO"


def test_practitioner_list_query_count_is_flat(
    front_desk_client, django_assert_max_num_queries, db
):
    PractitionerFactory.create_batch(6)
    front_desk_client.get("/api/v1/practitioners/")  # roles looked up once
    with django_assert_max_num_queries(2):
        response = front_desk_client.get("/api/v1/practitioners/", {"page_size": 6})
    assert len(response.json()["results"]) == 6


def test_manager_sets_working_hours(manager_client, site):
    practitioner = PractitionerFactory()
    response = manager_client.post(
        "/api/v1/working-hours/",
        {
            "practitioner": practitioner.pk,
            "location": site.pk,
            "weekday": 2,
            "start_time": "08:30",
            "end_time": "12:00",
        },
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["start_time"] == "08:30:00"


@pytest.mark.parametrize(
    ("times", "code", "field"),
    [
        (("12:00", "08:00"), "invalid", "end_time"),
        (("16:00", "18:00"), "working_hours_overlap", "start_time"),
    ],
    ids=["end-before-start", "overlap"],
)
def test_working_hours_refusals(manager_client, doctor, site, times, code, field):
    before = WorkingHours.objects.count()
    response = manager_client.post(
        "/api/v1/working-hours/",
        {
            "practitioner": doctor.pk,
            "location": site.pk,
            "weekday": 0,
            "start_time": times[0],
            "end_time": times[1],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert field in response.json()["errors"]
    assert WorkingHours.objects.count() == before


def test_manager_removes_working_hours_others_cannot(
    manager_client, front_desk_client, site
):
    block = WorkingHoursFactory(location=site)
    url = f"/api/v1/working-hours/{block.pk}/"
    assert front_desk_client.delete(url).status_code == 403
    assert manager_client.delete(url).status_code == 204
    assert not WorkingHours.objects.filter(pk=block.pk).exists()


def test_leave_over_booked_appointments_is_409(manager_client, book, doctor):
    booked = book()
    response = manager_client.post(
        "/api/v1/schedule-exceptions/",
        {"practitioner": doctor.pk, "kind": "leave", "date": "2026-03-02"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "leave_overlaps_appointments"
    assert response.json()["appointments"][0]["appointment"] == str(booked.public_id)
    assert not ScheduleException.objects.exists()


def test_extra_hours_need_a_location(manager_client, doctor):
    response = manager_client.post(
        "/api/v1/schedule-exceptions/",
        {
            "practitioner": doctor.pk,
            "kind": "extra_hours",
            "date": "2026-03-07",
            "start_time": "09:00",
            "end_time": "12:00",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "location" in response.json()["errors"]
    assert not ScheduleException.objects.exists()


def test_exceptions_are_filtered_by_date_and_record_their_author(
    manager_client, manager, doctor, site
):
    for day in ("2026-03-07", "2026-03-14"):
        created = manager_client.post(
            "/api/v1/schedule-exceptions/",
            {
                "practitioner": doctor.pk,
                "kind": "extra_hours",
                "location": site.pk,
                "date": day,
                "start_time": "09:00",
                "end_time": "12:00",
                "reason": "Saturday clinic",
            },
            format="json",
        )
        assert created.status_code == 201
    listed = manager_client.get(
        "/api/v1/schedule-exceptions/", {"date_before": "2026-03-10"}
    ).json()["results"]
    assert [(e["date"], e["created_by"]) for e in listed] == [
        ("2026-03-07", manager.username)
    ]


def test_appointment_type_rules_through_the_api(manager_client):
    body = {
        "name": "IV infusion",
        "default_duration_minutes": 90,
        "room_kind": "infusion_chair",
        "observation_minutes": 120,
        "max_parallel": 4,
    }
    refused = manager_client.post("/api/v1/appointment-types/", body, format="json")
    assert refused.status_code == 400
    assert "observation_minutes" in refused.json()["errors"]
    assert not AppointmentType.objects.exists()

    created = manager_client.post(
        "/api/v1/appointment-types/", {**body, "observation_minutes": 30}, format="json"
    )
    assert created.status_code == 201
    assert created.json()["max_parallel"] == 4


def test_removing_or_shrinking_hours_under_a_booking_is_409(
    manager_client, book, doctor, frozen_now
):
    booked = book()  # Monday 10:00-10:30
    block = WorkingHours.objects.get(practitioner=doctor, weekday=0)
    url = f"/api/v1/working-hours/{block.pk}/"

    removed = manager_client.delete(url)
    shrunk = etag.patch(manager_client, url, {"start_time": "11:00"}, format="json")

    for response in (removed, shrunk):
        assert response.status_code == 409
        assert response.json()["code"] == "hours_strand_appointments"
        assert response.json()["appointments"][0]["appointment"] == str(
            booked.public_id
        )
    assert "start_time" in shrunk.json()["errors"]
    block.refresh_from_db()
    assert block.start_time == dt.time(9)
