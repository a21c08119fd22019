"""/api/v1/appointments/: booking, moving, status actions, lists, roles."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from clinic.models import Appointment, Room
from tests import etag
from tests.clinic.conftest import MONDAY, at, nothing_written
from tests.factories.clinic import (
    AppointmentFactory,
    AppointmentTypeFactory,
    LocationFactory,
    PractitionerFactory,
    RoomFactory,
    WorkingHoursFactory,
)
from tests.factories.patients import PatientFactory

URL = "/api/v1/appointments/"

pytestmark = pytest.mark.usefixtures("frozen_now")


@pytest.fixture
def payload(doctor, consult_room, consultation, patient):
    return {
        "patient": str(patient.public_id),
        "practitioner": doctor.pk,
        "room": consult_room.pk,
        "type": consultation.pk,
        "starts_at": "2026-03-02T10:00:00-05:00",
    }


@pytest.fixture
def booked(front_desk_client, payload):
    response = front_desk_client.post(URL, payload, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_front_desk_books_and_sees_the_whole_appointment(booked, patient, doctor):
    assert uuid.UUID(booked["id"])
    assert booked["patient"] == {
        "id": str(patient.public_id),
        "mrn": patient.mrn,
        "name": patient.full_name,
    }
    assert booked["practitioner"] == {
        "id": doctor.pk,
        "name": "Dana Doe",
        "title": "MD",
    }
    assert booked["room"]["name"] == "Consult 1"
    assert booked["room"]["location"]["time_zone"] == "America/New_York"
    assert booked["type"]["name"] == "Consultation"
    assert (booked["starts_at"], booked["ends_at"]) == (
        "2026-03-02T15:00:00Z",
        "2026-03-02T15:30:00Z",
    )
    assert booked["status"] == "booked"
    assert booked["created_by"] == "fd_user"
    assert [
        (h["from_status"], h["to_status"], h["by"]) for h in booked["status_history"]
    ] == [("", "booked", "fd_user")]


def test_double_booking_the_room_is_409_listing_the_collision(
    booked, front_desk_client, payload, site
):
    other = PractitionerFactory()
    WorkingHoursFactory(practitioner=other, location=site)
    clash = {
        **payload,
        "practitioner": other.pk,
        "patient": str(PatientFactory().public_id),
        "starts_at": "2026-03-02T15:15:00Z",
    }

    with nothing_written():
        response = front_desk_client.post(URL, clash, format="json")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "booking_collision"
    assert set(body["errors"]) == {"room"}
    assert body["collisions"] == [
        {
            "resource": "room",
            "appointment": booked["id"],
            "starts_at": "2026-03-02T15:00:00+00:00",
            "ends_at": "2026-03-02T15:30:00+00:00",
        }
    ]


def _inactive(obj):
    obj.active = False
    if hasattr(obj, "deactivated_at"):
        obj.deactivated_at = timezone.now()
    obj.save()


REFUSALS = {
    # name: (change the payload / scene, status, code, field)
    "end-not-after-start": (
        lambda p, scene: {**p, "ends_at": "2026-03-02T10:00:00-05:00"},
        400,
        "invalid_time_range",
        "ends_at",
    ),
    "not-whole-minutes": (
        lambda p, scene: {**p, "ends_at": "2026-03-02T10:30:30-05:00"},
        400,
        "invalid_duration",
        "ends_at",
    ),
    "longer-than-12h": (
        lambda p, scene: {**p, "ends_at": "2026-03-02T22:01:00-05:00"},
        400,
        "invalid_duration",
        "ends_at",
    ),
    "in-the-past": (
        lambda p, scene: {**p, "starts_at": "2026-02-27T10:00:00-05:00"},
        400,
        "starts_in_past",
        "starts_at",
    ),
    "outside-working-hours": (
        lambda p, scene: {**p, "starts_at": "2026-03-02T08:00:00-05:00"},
        400,
        "outside_working_hours",
        "starts_at",
    ),
    "wrong-room-kind": (
        lambda p, scene: {
            **p,
            "room": RoomFactory(
                location=scene["site"], kind=Room.Kind.INFUSION_CHAIR
            ).pk,
        },
        400,
        "wrong_room_kind",
        "room",
    ),
    "practitioner-not-at-location": (
        lambda p, scene: {**p, "room": RoomFactory(location=LocationFactory()).pk},
        400,
        "practitioner_not_at_location",
        "practitioner",
    ),
    "room-at-another-location": (
        lambda p, scene: {
            **p,
            "room": RoomFactory(
                location=WorkingHoursFactory(
                    practitioner=scene["doctor"], weekday=5
                ).location
            ).pk,
        },
        400,
        "room_at_other_location",
        "room",
    ),
    "inactive-patient": (
        lambda p, scene: _inactive(scene["patient"]) or p,
        400,
        "patient_inactive",
        "patient",
    ),
    "inactive-practitioner": (
        lambda p, scene: _inactive(scene["doctor"]) or p,
        400,
        "practitioner_inactive",
        "practitioner",
    ),
    "inactive-room": (
        lambda p, scene: _inactive(scene["consult_room"]) or p,
        400,
        "room_inactive",
        "room",
    ),
    "inactive-type": (
        lambda p, scene: _inactive(scene["consultation"]) or p,
        400,
        "appointment_type_inactive",
        "type",
    ),
    "override-by-front-desk": (
        lambda p, scene: {**p, "override_reason": "Patient insists"},
        403,
        "override_not_permitted",
        "override_reason",
    ),
    "time-without-offset": (
        lambda p, scene: {**p, "starts_at": "2026-03-02T10:00:00"},
        400,
        "invalid",
        "starts_at",
    ),
    "unknown-patient": (
        lambda p, scene: {**p, "patient": str(uuid.uuid4())},
        400,
        "invalid",
        "patient",
    ),
    "not-a-date": (
        lambda p, scene: {**p, "starts_at": "next tuesday"},
        400,
        "invalid",
        "starts_at",
    ),
}


@pytest.mark.parametrize("name", REFUSALS)
def test_booking_refusals_name_the_field_and_write_nothing(
    name, front_desk_client, payload, site, doctor, consult_room, consultation, patient
):
    change, status, code, field = REFUSALS[name]
    scene = {
        "site": site,
        "doctor": doctor,
        "consult_room": consult_room,
        "consultation": consultation,
        "patient": patient,
    }
    body = change(payload, scene)

    with nothing_written():
        response = front_desk_client.post(URL, body, format="json")

    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    assert field in response.json()["errors"]


def test_booking_without_fields_names_each(front_desk_client, db):
    response = front_desk_client.post(URL, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {
        "patient",
        "practitioner",
        "room",
        "type",
        "starts_at",
    }


def test_manager_books_outside_hours_with_a_kept_reason(manager_client, payload):
    response = manager_client.post(
        URL,
        {
            **payload,
            "starts_at": "2026-03-02T19:00:00-05:00",
            "override_reason": "Late",
        },
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["override_reason"] == "Late"


def test_clinicians_read_the_schedule_but_do_not_book(
    clinician_client, payload, booked
):
    with nothing_written():
        assert clinician_client.post(URL, payload, format="json").status_code == 403
    assert clinician_client.get(URL).status_code == 200
    assert clinician_client.get(f"{URL}{booked['id']}/").status_code == 200
    for action in ("check-in", "cancel", "no-show"):
        response = clinician_client.post(
            f"{URL}{booked['id']}/{action}/", {"reason": "x"}, format="json"
        )
        assert response.status_code == 403, action
    patch = etag.patch(
        clinician_client, f"{URL}{booked['id']}/", {"notes": "x"}, format="json"
    )
    assert patch.status_code == 403


def test_front_desk_cannot_start_or_complete(front_desk_client, booked):
    front_desk_client.post(f"{URL}{booked['id']}/check-in/")
    for action in ("start", "complete"):
        response = front_desk_client.post(f"{URL}{booked['id']}/{action}/")
        assert response.status_code == 403, action
    assert Appointment.objects.get().status == "checked_in"


def test_the_visit_through_the_action_endpoints(
    front_desk_client, clinician_client, booked
):
    item = f"{URL}{booked['id']}"
    assert front_desk_client.post(f"{item}/check-in/").json()["status"] == "checked_in"
    assert clinician_client.post(f"{item}/start/").json()["status"] == "in_progress"
    done = clinician_client.post(f"{item}/complete/", {"reason": "Went well"})

    assert done.status_code == 200
    history = done.json()["status_history"]
    assert [(h["to_status"], h["by"]) for h in history] == [
        ("booked", "fd_user"),
        ("checked_in", "fd_user"),
        ("in_progress", "clin_user"),
        ("completed", "clin_user"),
    ]
    assert history[-1]["reason"] == "Went well"


def test_illegal_status_change_is_409(clinician_client, booked):
    with nothing_written():
        response = clinician_client.post(f"{URL}{booked['id']}/complete/")
    assert response.status_code == 409
    assert response.json()["code"] == "illegal_status_transition"
    assert "status" in response.json()["errors"]


def test_cancel_needs_a_reason_and_keeps_it(front_desk_client, booked):
    item = f"{URL}{booked['id']}"
    with nothing_written():
        refused = front_desk_client.post(f"{item}/cancel/", {}, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "reason_required"
    assert "reason" in refused.json()["errors"]

    cancelled = front_desk_client.post(
        f"{item}/cancel/", {"reason": "Flu"}, format="json"
    )
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancellation_reason"] == "Flu"


def test_no_show_before_the_start_is_refused(front_desk_client, booked):
    with nothing_written():
        response = front_desk_client.post(f"{URL}{booked['id']}/no-show/")
    assert response.status_code == 400
    assert response.json()["code"] == "no_show_before_start"


def test_moving_by_patch(front_desk_client, booked):
    response = etag.patch(
        front_desk_client,
        f"{URL}{booked['id']}/",
        {
            "starts_at": "2026-03-02T14:00:00-05:00",
            "notes": "Moved at patient's request",
        },
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["starts_at"], body["ends_at"]) == (
        "2026-03-02T19:00:00Z",
        "2026-03-02T19:30:00Z",
    )
    assert body["notes"] == "Moved at patient's request"


def test_moving_onto_a_taken_time_is_409(front_desk_client, booked, payload):
    other = front_desk_client.post(
        URL,
        {
            **payload,
            "patient": str(PatientFactory().public_id),
            "starts_at": "2026-03-02T11:00:00-05:00",
        },
        format="json",
    ).json()
    with nothing_written():
        response = etag.patch(
            front_desk_client,
            f"{URL}{booked['id']}/",
            {"starts_at": "2026-03-02T11:15:00-05:00"},
            format="json",
        )
    assert response.status_code == 409
    assert [c["appointment"] for c in response.json()["collisions"]] == [
        other["id"],
        other["id"],
    ]  # the practitioner and the room


def test_moving_a_cancelled_appointment_is_refused(front_desk_client, booked):
    item = f"{URL}{booked['id']}/"
    front_desk_client.post(f"{item}cancel/", {"reason": "Flu"}, format="json")
    with nothing_written():
        response = etag.patch(
            front_desk_client,
            item,
            {"starts_at": "2026-03-02T14:00:00-05:00"},
            format="json",
        )
    assert response.status_code == 400
    assert response.json()["code"] == "appointment_not_movable"
    assert "starts_at" in response.json()["errors"]


def test_appointments_are_never_deleted_or_replaced(manager_client, booked):
    item = f"{URL}{booked['id']}/"
    assert manager_client.delete(item).status_code == 405
    assert manager_client.put(item, {}, format="json").status_code == 405
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize("ident", [str(uuid.uuid4()), "not-a-uuid", "1"])
def test_unknown_appointment_is_404(front_desk_client, ident, db):
    assert front_desk_client.get(f"{URL}{ident}/").status_code == 404
    assert front_desk_client.post(f"{URL}{ident}/check-in/").status_code == 404


def test_history_is_for_managers(front_desk_client, manager_client, booked):
    item = f"{URL}{booked['id']}"
    front_desk_client.post(f"{item}/check-in/")
    assert front_desk_client.get(f"{item}/history/").status_code == 403

    response = manager_client.get(f"{item}/history/")

    assert response.status_code == 200
    entries = response.json()["results"]
    assert [(e["kind"], e["actor"]) for e in entries] == [
        ("changed", "fd_user"),
        ("created", "fd_user"),
    ]
    changed = {c["field"]: (c["before"], c["after"]) for c in entries[0]["changes"]}
    assert changed["status"] == ("booked", "checked_in")


@pytest.fixture
def week(site, doctor, consult_room, second_room, consultation):
    """Eight appointments over two days, two practitioners, two rooms."""
    other = PractitionerFactory()
    patients = PatientFactory.create_batch(2)
    rows = []
    for day in (MONDAY, MONDAY + dt.timedelta(days=1)):
        for hour in ("09:00", "11:00"):
            for practitioner, room in ((doctor, consult_room), (other, second_room)):
                rows.append(
                    AppointmentFactory(
                        patient=patients[len(rows) % 2],
                        practitioner=practitioner,
                        room=room,
                        type=consultation,
                        starts_at=at(day, hour),
                    )
                )
    return rows


def _ids(response):
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def test_list_is_ordered_by_start_and_filterable(front_desk_client, week, doctor):
    everything = _ids(front_desk_client.get(URL, {"page_size": 50}))
    assert everything == [str(a.public_id) for a in week]  # built in start order

    monday = front_desk_client.get(
        URL,
        {
            "starts_after": "2026-03-02T00:00:00-05:00",
            "starts_before": "2026-03-03T00:00:00-05:00",
        },
    )
    assert _ids(monday) == [str(a.public_id) for a in week[:4]]
    by_doctor = front_desk_client.get(URL, {"practitioner": doctor.pk})
    assert _ids(by_doctor) == [
        str(a.public_id) for a in week if a.practitioner == doctor
    ]
    room = week[1].room
    assert _ids(front_desk_client.get(URL, {"room": room.pk})) == [
        str(a.public_id) for a in week if a.room == room
    ]
    patient = week[0].patient
    assert _ids(front_desk_client.get(URL, {"patient": str(patient.public_id)})) == [
        str(a.public_id) for a in week if a.patient == patient
    ]
    newest_first = front_desk_client.get(
        URL, {"ordering": "-starts_at", "page_size": 50}
    )
    assert [r["starts_at"] for r in newest_first.json()["results"]] == sorted(
        (r["starts_at"] for r in newest_first.json()["results"]), reverse=True
    )


def test_list_filters_by_status(front_desk_client, week):
    cancelled = week[2]
    cancelled.status, cancelled.cancellation_reason = "cancelled", "Flu"
    cancelled.save()
    assert _ids(front_desk_client.get(URL, {"status": "cancelled"})) == [
        str(cancelled.public_id)
    ]
    both = front_desk_client.get(URL + "?status=cancelled&status=booked&page_size=50")
    assert len(_ids(both)) == 8


def test_list_refuses_malformed_filters(front_desk_client, db):
    response = front_desk_client.get(URL, {"status": "lost", "patient": "nope"})
    assert response.status_code == 400
    assert {"status", "patient"} <= set(response.json()["errors"])


def test_list_pages_with_a_cursor(front_desk_client, week):
    first = front_desk_client.get(URL, {"page_size": 3}).json()
    second = front_desk_client.get(first["next"]).json()
    seen = [r["id"] for r in first["results"] + second["results"]]
    assert seen == [str(a.public_id) for a in week[:6]]


@pytest.mark.parametrize("page_size", [2, 8])
def test_list_query_count_does_not_grow_with_the_page(
    front_desk_client, week, page_size, django_assert_num_queries
):
    # session/role lookup (1: groups) + the page with its patients (1) +
    # practitioners with users, rooms with locations, types, creators (4)
    with django_assert_num_queries(6):
        response = front_desk_client.get(URL, {"page_size": page_size})
    assert len(response.json()["results"]) == page_size


def test_other_type_for_the_move_takes_its_duration(front_desk_client, booked):
    longer = AppointmentTypeFactory(default_duration_minutes=60)
    response = etag.patch(
        front_desk_client, f"{URL}{booked['id']}/", {"type": longer.pk}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["ends_at"] == "2026-03-02T16:00:00Z"


def test_moving_with_a_stale_etag_is_412_and_moves_nothing(front_desk_client, booked):
    url = f"{URL}{booked['id']}/"
    stale = front_desk_client.get(url)["ETag"]
    etag.patch(front_desk_client, url, {"notes": "Prefers mornings"}, format="json")

    response = front_desk_client.patch(
        url,
        {"starts_at": "2026-03-02T14:00:00-05:00"},
        format="json",
        HTTP_IF_MATCH=stale,
    )

    assert response.status_code == 412
    assert front_desk_client.get(url).json()["starts_at"] == "2026-03-02T15:00:00Z"


def test_booking_retried_with_the_same_key_books_once(front_desk_client, payload):
    first = front_desk_client.post(
        URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="book-1"
    )
    retry = front_desk_client.post(
        URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="book-1"
    )

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json()["id"] == first.json()["id"]
    assert Appointment.objects.count() == 1


def test_booking_cost_in_queries_is_pinned_and_flat(
    front_desk_client, payload, second_room, django_assert_max_num_queries
):
    # The rules are checked once each: no full_clean re-query of related rows,
    # uniqueness or check constraints (the service and the database hold those).
    # A busier day (another booking already there) costs the same.
    with django_assert_max_num_queries(25):
        first = front_desk_client.post(URL, payload, format="json")
    later = {
        **payload,
        "room": second_room.pk,
        "starts_at": "2026-03-02T11:00:00-05:00",
    }
    with django_assert_max_num_queries(25):
        second = front_desk_client.post(URL, later, format="json")
    assert (first.status_code, second.status_code) == (201, 201)
