"""The calendar in the admin: the same services, refusals as form errors,
status changes as actions, filters by day, location, practitioner, room."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from clinic.models import Appointment, Room, ScheduleException, WorkingHours
from tests.clinic.conftest import MONDAY, at, nothing_written
from tests.factories.clinic import AppointmentFactory, LocationFactory, RoomFactory
from tests.factories.patients import PatientFactory

pytestmark = pytest.mark.usefixtures("frozen_now")

ADD = reverse("admin:clinic_appointment_add")
LIST = reverse("admin:clinic_appointment_changelist")


def _form(patient, doctor, room, consultation, day="2026-03-02", time="10:00:00"):
    # Times are wall-clock at the room's location (New York), not the server's UTC.
    return {
        "patient": patient.pk,
        "practitioner": doctor.pk,
        "room": room.pk,
        "type": consultation.pk,
        "starts_at_0": day,
        "starts_at_1": time,
        "ends_at_0": "",
        "ends_at_1": "",
        "notes": "",
        "override_reason": "",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
    }


@pytest.fixture
def desk(client, front_desk):
    client.force_login(front_desk)
    return client


def test_front_desk_books_in_the_admin_through_the_service(
    desk, front_desk, patient, doctor, consult_room, consultation
):
    response = desk.post(ADD, _form(patient, doctor, consult_room, consultation))

    assert response.status_code == 302
    booked = Appointment.objects.get()
    assert booked.starts_at == at(MONDAY, "10:00")
    assert booked.ends_at == at(MONDAY, "10:30")
    assert booked.created_by == front_desk
    assert booked.status_changes.get().to_status == "booked"
    assert booked.history.get().history_user == front_desk


def test_admin_shows_a_collision_as_a_form_error_and_writes_nothing(
    desk, book, patient, doctor, consult_room, consultation
):
    book()
    with nothing_written():
        response = desk.post(
            ADD, _form(PatientFactory(), doctor, consult_room, consultation)
        )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert {"practitioner", "room"} <= set(errors)
    assert "Already booked" in errors["room"][0]


def test_admin_refuses_outside_hours_on_the_start_field(
    desk, patient, doctor, consult_room, consultation
):
    with nothing_written():
        response = desk.post(
            ADD,
            _form(patient, doctor, consult_room, consultation, time="23:00:00"),
        )
    assert response.status_code == 200
    assert "starts_at" in response.context["adminform"].form.errors


def test_admin_moves_through_the_service(desk, book, front_desk):
    booked = book()
    url = reverse("admin:clinic_appointment_change", args=[booked.pk])
    form = _form(booked.patient, booked.practitioner, booked.room, booked.type)
    form["starts_at_1"] = "13:00:00"
    form["status_changes-INITIAL_FORMS"] = form["status_changes-TOTAL_FORMS"] = "1"
    form["status_changes-0-id"] = booked.status_changes.get().pk
    form["status_changes-0-appointment"] = booked.pk

    response = desk.post(url, form)

    assert response.status_code == 302, response.context["adminform"].form.errors
    booked.refresh_from_db()
    assert booked.starts_at == at(MONDAY, "13:00")
    assert booked.history.latest().history_user == front_desk


def _act(client, action, appointments, **extra):
    return client.post(
        LIST,
        {"action": action, "_selected_action": [a.pk for a in appointments], **extra},
    )


def test_status_changes_are_admin_actions_for_the_right_roles(
    desk, client_for, clinician, book
):
    booked = book()
    _act(desk, "check_in", [booked])
    booked.refresh_from_db()
    assert booked.status == "checked_in"

    _act(desk, "start", [booked])  # not the front desk's to start
    booked.refresh_from_db()
    assert booked.status == "checked_in"

    clinical = client_for(clinician)
    clinical.force_login(clinician)
    _act(clinical, "start", [booked])
    booked.refresh_from_db()
    assert booked.status == "in_progress"
    assert booked.status_changes.order_by("-id").first().by == clinician


def test_an_illegal_action_is_reported_and_changes_nothing(desk, book):
    booked = book()
    _act(desk, "check_in", [booked])
    with nothing_written():
        response = _act(desk, "check_in", [booked])
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("cannot become checked in" in m for m in messages)


def test_cancel_action_asks_for_the_reason_and_keeps_it(desk, book):
    booked = book()
    page = _act(desk, "cancel", [booked])
    assert page.status_code == 200
    assert b"reason" in page.content
    booked.refresh_from_db()
    assert booked.status == "booked"

    _act(desk, "cancel", [booked], reason="Patient phoned in sick")

    booked.refresh_from_db()
    assert (booked.status, booked.cancellation_reason) == (
        "cancelled",
        "Patient phoned in sick",
    )


def test_appointments_cannot_be_deleted_in_the_admin(client, manager, book):
    booked = book()
    client.force_login(manager)
    url = reverse("admin:clinic_appointment_delete", args=[booked.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Appointment.objects.count() == 1


def test_the_list_filters_by_day_location_practitioner_room_and_status(
    desk, doctor, consult_room, second_room, consultation
):
    brooklyn_room = RoomFactory(location=LocationFactory(name="Brooklyn"))
    monday = AppointmentFactory(
        practitioner=doctor,
        room=consult_room,
        type=consultation,
        starts_at=at(MONDAY, "10:00"),
    )
    tuesday = AppointmentFactory(
        practitioner=doctor,
        room=second_room,
        type=consultation,
        starts_at=at(MONDAY + dt.timedelta(days=1), "10:00"),
        status="cancelled",
        cancellation_reason="Ill",
    )
    elsewhere = AppointmentFactory(
        room=brooklyn_room, type=consultation, starts_at=at(MONDAY, "12:00")
    )

    def listed(**query):
        response = desk.get(LIST, query)
        assert response.status_code == 200
        return set(response.context["cl"].result_list)

    assert listed() == {monday, tuesday, elsewhere}
    assert listed(starts_at__year=2026, starts_at__month=3, starts_at__day=2) == {
        monday,
        elsewhere,
    }
    assert listed(room__location__id__exact=brooklyn_room.location_id) == {elsewhere}
    assert listed(practitioner__id__exact=doctor.pk) == {monday, tuesday}
    assert listed(room__id__exact=second_room.pk) == {tuesday}
    assert listed(status__exact="cancelled") == {tuesday}


def _practitioner_form(doctor, site, blocks):
    """The practitioner page as posted: its fields, each weekly block as it is
    (09-17), and room for one new block."""
    form = {
        "title": doctor.title,
        "licence_number": doctor.licence_number,
        "active": "on",
        "working_hours-TOTAL_FORMS": str(len(blocks) + 1),
        "working_hours-INITIAL_FORMS": str(len(blocks)),
    }
    for n, block in enumerate(blocks):
        form |= {
            f"working_hours-{n}-id": block.pk,
            f"working_hours-{n}-practitioner": doctor.pk,
            f"working_hours-{n}-location": site.pk,
            f"working_hours-{n}-weekday": block.weekday,
            f"working_hours-{n}-start_time": "09:00",
            f"working_hours-{n}-end_time": "17:00",
        }
    return form


def test_practitioner_page_edits_working_hours_inline_through_the_service(
    client, manager, doctor, site
):
    client.force_login(manager)
    url = reverse("admin:clinic_practitioner_change", args=[doctor.pk])
    blocks = list(doctor.working_hours.order_by("weekday"))
    form = _practitioner_form(doctor, site, blocks)
    new = len(blocks)
    form |= {
        f"working_hours-{new}-practitioner": doctor.pk,
        f"working_hours-{new}-location": site.pk,
        f"working_hours-{new}-weekday": 0,
        f"working_hours-{new}-start_time": "16:00",  # overlaps Monday 09-17
        f"working_hours-{new}-end_time": "19:00",
    }

    refused = client.post(url, form)
    assert refused.status_code == 200
    assert "Overlaps" in str(
        refused.context["inline_admin_formsets"][0].formset.non_form_errors()
    )
    assert WorkingHours.objects.count() == 5

    form[f"working_hours-{new}-start_time"] = "17:00"  # touching is fine
    form["working_hours-0-DELETE"] = "on"  # and Monday's day block goes
    saved = client.post(url, form)

    assert saved.status_code == 302
    monday = WorkingHours.objects.filter(practitioner=doctor, weekday=0)
    assert [(h.start_time, h.end_time) for h in monday] == [(dt.time(17), dt.time(19))]
    assert WorkingHours.history.filter(history_type="-").get().history_user == manager


def test_leave_over_appointments_is_a_form_error(client, manager, book, doctor):
    book()
    client.force_login(manager)
    response = client.post(
        reverse("admin:clinic_scheduleexception_add"),
        {
            "practitioner": doctor.pk,
            "kind": "leave",
            "date": "2026-03-02",
            "reason": "",
        },
    )
    assert response.status_code == 200
    assert "date" in response.context["adminform"].form.errors
    assert not ScheduleException.objects.exists()


@pytest.mark.parametrize(
    "model",
    ["room", "practitioner", "appointmenttype", "scheduleexception", "appointment"],
)
def test_manager_opens_every_calendar_admin_page(client, manager, book, model):
    booked = book()
    objects = {
        "room": booked.room,
        "practitioner": booked.practitioner,
        "appointmenttype": booked.type,
        "appointment": booked,
    }
    client.force_login(manager)
    assert client.get(reverse(f"admin:clinic_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:clinic_{model}_add")).status_code == 200
    if model in objects:
        change = reverse(f"admin:clinic_{model}_change", args=[objects[model].pk])
        assert client.get(change).status_code == 200
        history = reverse(f"admin:clinic_{model}_history", args=[objects[model].pk])
        assert client.get(history).status_code == 200


def test_clinicians_read_the_schedule_in_the_admin_but_do_not_book(
    client, clinician, book
):
    booked = book()
    client.force_login(clinician)
    assert client.get(LIST).status_code == 200
    assert client.get(ADD).status_code == 403
    page = client.get(reverse("admin:clinic_appointment_change", args=[booked.pk]))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]


def test_admin_checks_booked_patients_once_for_the_whole_set_of_hours(
    client, manager, book, doctor, site, frozen_now
):
    book()  # Monday 10:00-10:30
    client.force_login(manager)
    url = reverse("admin:clinic_practitioner_change", args=[doctor.pk])
    blocks = list(doctor.working_hours.order_by("weekday"))
    form = _practitioner_form(doctor, site, blocks)
    form["working_hours-0-DELETE"] = "on"  # Monday's block goes...

    refused = client.post(url, form)
    assert refused.status_code == 200
    assert "booked" in str(
        refused.context["inline_admin_formsets"][0].formset.non_form_errors()
    )
    assert doctor.working_hours.filter(weekday=0).exists()

    new = len(blocks)
    form |= {  # ...and a later Monday block that still covers 10:00 comes
        f"working_hours-{new}-practitioner": doctor.pk,
        f"working_hours-{new}-location": site.pk,
        f"working_hours-{new}-weekday": 0,
        f"working_hours-{new}-start_time": "10:00",
        f"working_hours-{new}-end_time": "18:00",
    }
    saved = client.post(url, form)

    assert saved.status_code == 302
    monday = WorkingHours.objects.filter(practitioner=doctor, weekday=0)
    assert [(h.start_time, h.end_time) for h in monday] == [(dt.time(10), dt.time(18))]


def test_change_page_shows_times_at_the_rooms_location(desk, book):
    booked = book()  # 10:00 New York, 15:00 UTC
    url = reverse("admin:clinic_appointment_change", args=[booked.pk])

    page = desk.get(url)

    form = page.context["adminform"].form
    assert form["starts_at"].value().time() == dt.time(10, 0)
    assert 'value="10:00:00"' in page.content.decode()
    assert "Local time at the room" in page.content.decode()


def test_admin_times_follow_each_locations_zone(
    desk, patient, doctor, consultation, frozen_now
):
    denver = LocationFactory(name="Denver", time_zone="America/Denver")
    room = RoomFactory(location=denver, kind=Room.Kind.CONSULT_ROOM)
    for weekday in range(5):
        doctor.working_hours.create(
            location=denver,
            weekday=weekday,
            start_time=dt.time(18),
            end_time=dt.time(20),
        )

    response = desk.post(
        ADD, _form(patient, doctor, room, consultation, time="18:30:00")
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    booked = Appointment.objects.get()
    assert booked.starts_at == at(MONDAY, "18:30", ZoneInfo("America/Denver"))
