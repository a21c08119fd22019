"""Setting up the practice: rooms, practitioners, weekly hours, exceptions, types."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from clinic.errors import (
    HoursStrandAppointments,
    LeaveOverlapsAppointments,
    PractitionerNotStaff,
    WorkingHoursOverlap,
)
from clinic.models import (
    AppointmentType,
    Practitioner,
    Room,
    ScheduleException,
    WorkingHours,
)
from clinic.services.appointment_status import appointment_cancel
from clinic.services.appointment_types import (
    appointment_type_create,
    appointment_type_update,
)
from clinic.services.practitioners import (
    practitioner_create,
    practitioner_update,
    schedule_exception_create,
    schedule_exception_delete,
    schedule_exception_update,
    working_hours_create,
    working_hours_delete,
    working_hours_update,
)
from clinic.services.rooms import room_create, room_update
from tests.clinic.conftest import MONDAY, NOW, at
from tests.factories.clinic import LocationFactory, PractitionerFactory
from tests.factories.users import UserFactory


def test_room_is_created_with_history(site, manager):
    room = room_create(
        location=site, name="Chair 1", kind="infusion_chair", actor=manager
    )
    assert room.history.get().history_user == manager


def test_room_names_are_unique_per_location(site, manager):
    room_create(location=site, name="Consult A", kind="consult_room", actor=manager)
    room_create(
        location=LocationFactory(), name="Consult A", kind="consult_room", actor=manager
    )
    with pytest.raises(ValidationError):
        room_create(location=site, name="Consult A", kind="consult_room", actor=manager)
    assert Room.objects.count() == 2


def test_room_kind_must_be_known(site, manager):
    with pytest.raises(ValidationError) as refused:
        room_create(location=site, name="X", kind="broom_cupboard", actor=manager)
    assert "kind" in refused.value.message_dict
    assert not Room.objects.exists()


def test_room_can_be_deactivated(consult_room, manager):
    room_update(room=consult_room, active=False, actor=manager)
    consult_room.refresh_from_db()
    assert consult_room.active is False


def test_practitioner_profile_for_a_staff_user(manager):
    user = UserFactory()
    practitioner = practitioner_create(
        user=user, title="RN", licence_number="NY-RN-1", actor=manager
    )
    assert practitioner.name == user.get_full_name()


@pytest.mark.parametrize("flag", ["is_staff", "is_active"])
def test_practitioner_must_be_active_staff(manager, flag):
    user = UserFactory(**{flag: False})
    with pytest.raises(PractitionerNotStaff) as refused:
        practitioner_create(user=user, title="MD", licence_number="X1", actor=manager)
    assert set(refused.value.errors) == {"user"}
    assert not Practitioner.objects.exists()


def test_licence_numbers_are_unique_and_required(manager, doctor):
    with pytest.raises(ValidationError) as refused:
        practitioner_create(
            user=UserFactory(),
            title="MD",
            licence_number=doctor.licence_number,
            actor=manager,
        )
    assert "licence_number" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        practitioner_update(practitioner=doctor, licence_number="", actor=manager)
    assert "licence_number" in refused.value.message_dict
    assert Practitioner.objects.count() == 1


def test_one_profile_per_user(manager, doctor):
    with pytest.raises(ValidationError) as refused:
        practitioner_create(
            user=doctor.user, title="MD", licence_number="Z", actor=manager
        )
    assert "user" in refused.value.message_dict


def hours(practitioner, location, actor, start, end, weekday=0):
    return working_hours_create(
        practitioner=practitioner,
        location=location,
        weekday=weekday,
        start_time=dt.time(*start),
        end_time=dt.time(*end),
        actor=actor,
    )


def test_working_hours_end_after_start(site, manager):
    practitioner = PractitionerFactory()
    with pytest.raises(ValidationError) as refused:
        hours(practitioner, site, manager, (17,), (9,))
    assert "end_time" in refused.value.message_dict
    assert not WorkingHours.objects.exists()


def test_working_hours_may_not_overlap_even_across_locations(site, manager):
    practitioner = PractitionerFactory()
    hours(practitioner, site, manager, (9,), (13,))
    hours(practitioner, site, manager, (13,), (17,))  # touching is fine
    hours(practitioner, site, manager, (9,), (17,), weekday=1)  # another day

    with pytest.raises(WorkingHoursOverlap) as refused:
        hours(practitioner, LocationFactory(), manager, (12,), (14,))
    assert set(refused.value.errors) == {"start_time"}
    assert WorkingHours.objects.count() == 3


def test_working_hours_update_rechecks_overlap(site, manager):
    practitioner = PractitionerFactory()
    morning = hours(practitioner, site, manager, (9,), (12,))
    hours(practitioner, site, manager, (13,), (17,))
    with pytest.raises(WorkingHoursOverlap):
        working_hours_update(hours=morning, end_time=dt.time(14), actor=manager)
    morning.refresh_from_db()
    assert morning.end_time == dt.time(12)


def test_working_hours_deletion_is_kept_in_history(site, manager):
    block = hours(PractitionerFactory(), site, manager, (9,), (12,))
    block_id = block.pk
    working_hours_delete(hours=block, actor=manager)
    deleted = WorkingHours.history.filter(id=block_id).latest()
    assert (deleted.history_type, deleted.history_user) == ("-", manager)


def test_extra_hours_need_a_location_and_times(doctor, manager):
    with pytest.raises(ValidationError) as refused:
        schedule_exception_create(
            practitioner=doctor, kind="extra_hours", date=MONDAY, actor=manager
        )
    assert {"location", "start_time"} <= set(refused.value.message_dict)
    assert not ScheduleException.objects.exists()


def test_exception_times_come_in_pairs_in_order(doctor, manager):
    with pytest.raises(ValidationError) as refused:
        schedule_exception_create(
            practitioner=doctor,
            kind="leave",
            date=MONDAY,
            start_time=dt.time(12),
            actor=manager,
        )
    assert "end_time" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        schedule_exception_create(
            practitioner=doctor,
            kind="leave",
            date=MONDAY,
            start_time=dt.time(12),
            end_time=dt.time(11),
            actor=manager,
        )
    assert "end_time" in refused.value.message_dict
    assert not ScheduleException.objects.exists()


def test_leave_over_booked_appointments_is_refused_listing_them(book, doctor, manager):
    booked = book()
    with pytest.raises(LeaveOverlapsAppointments) as refused:
        schedule_exception_create(
            practitioner=doctor, kind="leave", date=MONDAY, actor=manager
        )
    assert refused.value.code == "leave_overlaps_appointments"
    assert [a["appointment"] for a in refused.value.extra["appointments"]] == [
        str(booked.public_id)
    ]
    assert not ScheduleException.objects.exists()


def test_leave_around_or_elsewhere_or_after_cancelling_is_fine(book, doctor, manager):
    booked = book()  # 10:00-10:30
    schedule_exception_create(
        practitioner=doctor,
        kind="leave",
        date=MONDAY,
        start_time=dt.time(10, 30),
        end_time=dt.time(12),
        actor=manager,
    )
    schedule_exception_create(
        practitioner=doctor,
        kind="leave",
        date=MONDAY,
        location=LocationFactory(),
        actor=manager,
    )
    appointment_cancel(appointment=booked, actor=manager, reason="Doctor away", now=NOW)
    whole_day = schedule_exception_create(
        practitioner=doctor, kind="leave", date=MONDAY, actor=manager
    )
    schedule_exception_delete(exception=whole_day, actor=manager)
    assert ScheduleException.objects.count() == 2


def test_appointment_type_rules(manager):
    fields = {
        "name": "IV infusion",
        "default_duration_minutes": 90,
        "room_kind": "infusion_chair",
        "observation_minutes": 30,
        "max_parallel": 4,
    }
    infusion = appointment_type_create(actor=manager, **fields)
    for bad, field in [
        ({"observation_minutes": 91}, "observation_minutes"),
        ({"default_duration_minutes": 0}, "default_duration_minutes"),
        ({"default_duration_minutes": 721}, "default_duration_minutes"),
        ({"max_parallel": 0}, "max_parallel"),
        ({"buffer_after_minutes": 241}, "buffer_after_minutes"),
        ({"room_kind": "garden"}, "room_kind"),
    ]:
        with pytest.raises(ValidationError) as refused:
            appointment_type_update(
                appointment_type=AppointmentType.objects.get(pk=infusion.pk),
                actor=manager,
                **bad,
            )
        assert field in refused.value.message_dict, bad
    infusion.refresh_from_db()
    assert (infusion.default_duration_minutes, infusion.max_parallel) == (90, 4)
    with pytest.raises(ValidationError) as refused:
        appointment_type_create(actor=manager, **fields)
    assert "name" in refused.value.message_dict


# Changing hours must not strand booked patients (HoursStrandAppointments).


def _monday_hours(doctor):
    return WorkingHours.objects.get(practitioner=doctor, weekday=MONDAY.weekday())


def test_deleting_hours_a_booking_needs_is_refused_listing_it(
    book, doctor, manager, frozen_now
):
    booked = book()
    hours = _monday_hours(doctor)
    pk = hours.pk
    with pytest.raises(HoursStrandAppointments) as refused:
        working_hours_delete(hours=hours, actor=manager)
    assert refused.value.code == "hours_strand_appointments"
    assert [a["appointment"] for a in refused.value.extra["appointments"]] == [
        str(booked.public_id)
    ]
    assert WorkingHours.objects.filter(pk=pk).exists()


def test_shrinking_hours_under_a_booking_is_refused_naming_the_field(
    book, doctor, manager, frozen_now
):
    book()  # 10:00-10:30
    hours = _monday_hours(doctor)
    before = (hours.start_time, hours.end_time)
    with pytest.raises(HoursStrandAppointments) as refused:
        working_hours_update(hours=hours, actor=manager, start_time=dt.time(10, 15))
    assert "start_time" in refused.value.errors
    hours.refresh_from_db()
    assert (hours.start_time, hours.end_time) == before


def test_hours_may_change_around_bookings_or_after_they_are_cancelled(
    book, doctor, manager, frozen_now
):
    booked = book()  # 10:00-10:30
    hours = _monday_hours(doctor)
    working_hours_update(hours=hours, actor=manager, end_time=dt.time(10, 30))
    appointment_cancel(appointment=booked, actor=manager, reason="Moved", now=NOW)
    pk = hours.pk
    working_hours_delete(hours=hours, actor=manager)
    assert not WorkingHours.objects.filter(pk=pk).exists()


def test_past_bookings_do_not_hold_hours(book, doctor, manager):
    book()  # Monday 2026-03-02; the real clock is later, so it is history
    working_hours_delete(hours=_monday_hours(doctor), actor=manager)
    assert not WorkingHours.objects.filter(
        practitioner=doctor, weekday=MONDAY.weekday()
    ).exists()


def test_removing_extra_hours_a_booking_needs_is_refused(
    book, doctor, manager, frozen_now
):
    saturday = MONDAY + dt.timedelta(days=5)
    extra = schedule_exception_create(
        practitioner=doctor,
        kind="extra_hours",
        date=saturday,
        location=doctor.working_hours.first().location,
        start_time=dt.time(9),
        end_time=dt.time(12),
        actor=manager,
    )
    book(starts_at=at(saturday, "10:00"))
    with pytest.raises(HoursStrandAppointments):
        schedule_exception_delete(exception=extra, actor=manager)
    extra = ScheduleException.objects.get(date=saturday)  # delete() cleared the pk
    with pytest.raises(HoursStrandAppointments) as refused:
        schedule_exception_update(exception=extra, actor=manager, date=MONDAY)
    assert "date" in refused.value.errors
    extra.refresh_from_db()
    assert extra.date == saturday


def test_a_booking_already_outside_hours_does_not_block_other_changes(
    book, doctor, manager, frozen_now
):
    # A manager booked Saturday by override; Monday's hours may still change.
    saturday = MONDAY + dt.timedelta(days=5)
    book(starts_at=at(saturday, "10:00"), actor=manager, override_reason="Urgent")
    working_hours_update(
        hours=_monday_hours(doctor), actor=manager, end_time=dt.time(12)
    )
    assert _monday_hours(doctor).end_time == dt.time(12)
