"""The ends of the calendar: year 1, year 9999, offsets up to +/-23:59.

Every way a date enters the calendar (query strings, request bodies, the
admin, the services) refuses one outside 1800-01-01..2200-12-31 with 400
`date_out_of_range` naming the field, before any arithmetic; at the edges
inside the range the ordinary rules answer. Never a 500."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clinic.core.dates import DATE_OUT_OF_RANGE
from clinic.models import ScheduleException
from clinic.services.appointments import appointment_move
from clinic.services.availability import availability_search
from clinic.services.practitioners import schedule_exception_create
from patients.models import Patient
from tests.clinic.conftest import MONDAY, NOW, at, nothing_written

pytestmark = pytest.mark.usefixtures("frozen_now")

EAST = dt.timezone(dt.timedelta(hours=23, minutes=59))
WEST = dt.timezone(-dt.timedelta(hours=23, minutes=59))

# Outside the range; the first two have no UTC at all.
OUTSIDE = [
    "0001-01-01T00:00:00+23:59",
    "9999-12-31T23:59:59-23:59",
    "1799-12-31",
    "2201-01-01",
    "2201-01-01T00:00:00Z",
]
EDGES = [
    "1800-01-01T00:00:00+23:59",
    "2200-12-31T23:59:59-23:59",
    "1800-01-01",
    "2200-12-31",
]
DATE_TIME_FILTERS = [
    ("/api/v1/appointments/", "starts_after"),
    ("/api/v1/appointments/", "starts_before"),
    ("/api/v1/administrations/", "administered_after"),
    ("/api/v1/administrations/", "administered_before"),
    ("/api/v1/follow-ups/", "noted_after"),
    ("/api/v1/follow-ups/", "noted_before"),
    ("/api/v1/adverse-events/", "onset_after"),
    ("/api/v1/adverse-events/", "onset_before"),
]
DATE_FILTERS = [
    ("/api/v1/schedule-exceptions/", "date_after"),
    ("/api/v1/schedule-exceptions/", "date_before"),
    ("/api/v1/lots/", "expires_after"),
]


def assert_out_of_range(response, *fields):
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == DATE_OUT_OF_RANGE, body
    assert set(fields) <= set(body["errors"]), body
    for field in fields:
        assert "1800-01-01 and 2200-12-31" in body["errors"][field][0]


# Query strings ---------------------------------------------------------------


@pytest.mark.parametrize("value", OUTSIDE)
@pytest.mark.parametrize(("url", "parameter"), DATE_TIME_FILTERS)
def test_date_time_filters_refuse_dates_outside_the_range(
    manager_client, url, parameter, value
):
    response = manager_client.get(url, {parameter: value})
    assert_out_of_range(response, parameter)


@pytest.mark.parametrize("value", EDGES)
@pytest.mark.parametrize(("url", "parameter"), DATE_TIME_FILTERS)
def test_date_time_filters_take_the_edges(manager_client, url, parameter, value):
    assert manager_client.get(url, {parameter: value}).status_code == 200


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("0001-01-01", 400),
        ("9999-12-31", 400),
        ("1799-12-31", 400),
        ("2201-01-01", 400),
        ("1800-01-01", 200),
        ("2200-12-31", 200),
    ],
)
@pytest.mark.parametrize(("url", "parameter"), DATE_FILTERS)
def test_date_filters_refuse_dates_outside_the_range(
    manager_client, url, parameter, value, status
):
    response = manager_client.get(url, {parameter: value})
    if status == 400:
        assert_out_of_range(response, parameter)
    else:
        assert response.status_code == 200


@pytest.mark.parametrize(
    ("dates", "fields"),
    [
        (("1799-12-31", "1800-01-01"), ["from"]),
        (("2200-12-31", "2201-01-01"), ["to"]),
        (("0001-01-01", "0001-01-01"), ["from", "to"]),
        (("9999-12-31", "9999-12-31"), ["from", "to"]),
    ],
)
def test_availability_refuses_dates_outside_the_range(
    front_desk_client, consultation, doctor, consult_room, dates, fields
):
    query = {"type": consultation.pk, "from": dates[0], "to": dates[1]}
    response = front_desk_client.get("/api/v1/availability/", query)
    assert_out_of_range(response, *fields)


@pytest.mark.parametrize(("day", "slots"), [("1800-01-01", 0), ("2200-12-31", 31)])
def test_availability_at_the_edges(
    front_desk_client, consultation, doctor, consult_room, day, slots
):
    """1800-01-01 is long past; 2200-12-31 is a Wednesday like any other."""
    query = {"type": consultation.pk, "from": day, "to": day}
    response = front_desk_client.get("/api/v1/availability/", query)
    assert response.status_code == 200
    assert len(response.json()["slots"]) == slots


# Request bodies ----------------------------------------------------------------


@pytest.fixture
def booking(patient, doctor, consult_room, consultation):
    return {
        "patient": str(patient.public_id),
        "practitioner": doctor.pk,
        "room": consult_room.pk,
        "type": consultation.pk,
    }


@pytest.mark.parametrize(
    ("times", "field"),
    [
        ({"starts_at": "9999-12-31T23:30:00+00:00"}, "starts_at"),
        ({"starts_at": "9999-12-31T23:30:00-23:59"}, "starts_at"),
        ({"starts_at": "0001-01-01T00:00:00+23:59"}, "starts_at"),
        ({"starts_at": "2201-01-01T10:00:00-05:00"}, "starts_at"),
        (
            {
                "starts_at": "2026-03-02T10:00:00-05:00",
                "ends_at": "9999-12-31T23:59:59-23:59",
            },
            "ends_at",
        ),
    ],
)
def test_booking_outside_the_range_is_refused(front_desk_client, booking, times, field):
    with nothing_written():
        response = front_desk_client.post(
            "/api/v1/appointments/", {**booking, **times}, format="json"
        )
    assert_out_of_range(response, field)


@pytest.mark.parametrize(
    ("persona", "extra", "status", "code"),
    [
        ("front_desk", {"starts_at": "2200-12-31T16:30:00-05:00"}, 201, None),
        (
            "front_desk",
            {"starts_at": "2200-12-31T23:30:00-05:00"},
            400,
            "outside_working_hours",
        ),
        (
            "manager",
            {"starts_at": "2200-12-31T23:30:00-23:59", "override_reason": "Edge"},
            201,
            None,
        ),
        ("front_desk", {"starts_at": "1800-01-01T00:00:00+23:59"}, 400, None),
    ],
)
def test_booking_at_the_edges_follows_the_rules(
    client_for, request, booking, persona, extra, status, code
):
    client = client_for(request.getfixturevalue(persona))
    response = client.post("/api/v1/appointments/", {**booking, **extra}, format="json")
    assert response.status_code == status, response.json()
    if code:
        assert response.json()["code"] == code
    if status == 400 and code is None:
        assert response.json()["code"] == "starts_in_past"


@pytest.mark.parametrize("kind", ["leave", "extra_hours"])
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_leave_and_extra_hours_outside_the_range_are_refused(
    manager_client, doctor, site, kind, day
):
    body = {"practitioner": doctor.pk, "kind": kind, "date": day}
    if kind == "extra_hours":
        body |= {"location": site.pk, "start_time": "09:00", "end_time": "12:00"}
    response = manager_client.post("/api/v1/schedule-exceptions/", body, format="json")
    assert_out_of_range(response, "date")
    assert not ScheduleException.objects.exists()


@pytest.mark.parametrize("day", ["1800-01-01", "2200-12-31"])
def test_leave_at_the_edges_is_recorded(manager_client, doctor, day):
    body = {"practitioner": doctor.pk, "kind": "leave", "date": day}
    response = manager_client.post("/api/v1/schedule-exceptions/", body, format="json")
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize("born", ["0001-01-01", "1799-12-31", "9999-12-31"])
def test_date_of_birth_outside_the_range_is_refused(front_desk_client, born):
    """Refused as out of range, before the age rule's arithmetic runs."""
    patient = {
        "given_name": "Zoë",
        "family_name": "Dubois",
        "date_of_birth": born,
        "sex": "female",
    }
    response = front_desk_client.post("/api/v1/patients/", patient, format="json")
    assert_out_of_range(response, "date_of_birth")
    assert not Patient.objects.exists()


# The admin ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "form", "field"),
    [
        (
            "appointment_add",
            {"starts_at_0": "9999-12-31", "starts_at_1": "23:30:00"},
            "starts_at",
        ),
        (
            "appointment_add",
            {"starts_at_0": "0001-01-01", "starts_at_1": "00:00:00"},
            "starts_at",
        ),
        ("scheduleexception_add", {"kind": "leave", "date": "0001-01-01"}, "date"),
        ("scheduleexception_add", {"kind": "leave", "date": "9999-12-31"}, "date"),
    ],
)
def test_the_calendar_admin_shows_a_form_error(
    client, manager, patient, doctor, consult_room, consultation, page, form, field
):
    client.force_login(manager)
    common = {
        "patient": patient.pk,
        "practitioner": doctor.pk,
        "room": consult_room.pk,
        "type": consultation.pk,
        "ends_at_0": "",
        "ends_at_1": "",
        "notes": "",
        "override_reason": "",
        "reason": "",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
    }
    with nothing_written():
        response = client.post(reverse(f"admin:clinic_{page}"), common | form)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "1800-01-01 and 2200-12-31" in errors[field][0]
    assert not ScheduleException.objects.exists()


@pytest.mark.parametrize(
    ("changelist", "query", "status"),
    [
        ("clinic_appointment", "starts_at__year=9999&starts_at__month=12", 302),
        ("clinic_appointment", "starts_at__gte=0001-01-01 00:00:00%2B23:59", 302),
        ("clinic_appointment", "starts_at__lt=2201-01-01", 302),
        ("clinic_scheduleexception", "date__gte=9999-12-31", 302),
        ("treatments_stockmovement", "at__year=9999", 302),
        ("clinic_appointment", "starts_at__year=2200&starts_at__month=12", 200),
        ("clinic_scheduleexception", "date__lte=1800-01-01", 200),
    ],
)
def test_admin_lists_refuse_date_filters_outside_the_range(
    client, manager, changelist, query, status
):
    """Django's answer to lookups it cannot use: back to the list with ?e=1."""
    client.force_login(manager)
    url = reverse(f"admin:{changelist}_changelist")
    response = client.get(f"{url}?{query}")
    assert response.status_code == status
    if status == 302:
        assert response["Location"].endswith("?e=1")


# The services ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (
            lambda c: c.book(
                starts_at=dt.datetime(9999, 12, 31, 23, 30, tzinfo=dt.UTC)
            ),
            "starts_at",
        ),
        (
            lambda c: c.book(ends_at=dt.datetime(9999, 12, 31, 23, 59, tzinfo=WEST)),
            "ends_at",
        ),
        (
            lambda c: appointment_move(
                appointment=c.booked,
                actor=c.actor,
                now=NOW,
                starts_at=dt.datetime(1, 1, 1, tzinfo=EAST),
            ),
            "starts_at",
        ),
        (
            lambda c: availability_search(
                type=c.type,
                date_from=dt.date(2200, 12, 31),
                date_to=dt.date(9999, 12, 31),
                now=NOW,
            ),
            "date_to",
        ),
        (
            lambda c: schedule_exception_create(
                practitioner=c.doctor,
                kind="extra_hours",
                location=c.site,
                start_time=dt.time(9),
                end_time=dt.time(12),
                date=dt.date(1, 1, 1),
                actor=c.actor,
            ),
            "date",
        ),
    ],
    ids=["book-start", "book-end", "move", "availability", "extra-hours"],
)
def test_services_refuse_dates_outside_the_range_writing_nothing(
    book, manager, consultation, doctor, site, call, field
):
    scene = SimpleNamespace(
        book=book,
        booked=book(),
        actor=manager,
        type=consultation,
        doctor=doctor,
        site=site,
    )
    with nothing_written(), pytest.raises(ValidationError) as refused:
        call(scene)
    assert refused.value.error_dict[field][0].code == DATE_OUT_OF_RANGE
    assert not ScheduleException.objects.exists()


def test_services_work_at_the_edges_without_overflowing(
    book, manager, consultation, doctor
):
    """The latest instant a manager can book (2200-12-31 23:30 at -23:59, which
    is 2201-01-01 in UTC): its end, its hold and the hours around it."""
    booked = book(
        starts_at=dt.datetime(2200, 12, 31, 23, 30, tzinfo=WEST),
        override_reason="Edge of the calendar",
        actor=manager,
    )
    assert booked.ends_at == dt.datetime(2201, 1, 1, 23, 59, tzinfo=dt.UTC)
    edge = dt.date(2200, 12, 31)
    slots = availability_search(
        type=consultation, date_from=edge, date_to=edge, now=NOW
    )
    assert len(slots) == 31
    leave = schedule_exception_create(
        practitioner=doctor, kind="leave", date=dt.date(1800, 1, 1), actor=manager
    )
    assert leave.pk
    moved = appointment_move(
        appointment=booked,
        actor=manager,
        now=NOW,
        starts_at=at(MONDAY, "10:00"),
    )
    assert moved.starts_at == at(MONDAY, "10:00")
