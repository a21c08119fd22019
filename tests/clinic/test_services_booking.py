"""appointment_book: what it writes, and every refusal (raised, nothing written)."""

import datetime as dt

import pytest
from django.utils import timezone

from clinic.errors import (
    AppointmentTypeInactive,
    BookingCollision,
    InvalidDuration,
    InvalidTimeRange,
    OutsideWorkingHours,
    OverrideNotPermitted,
    PractitionerInactive,
    PractitionerNotAtLocation,
    RoomAtOtherLocation,
    RoomInactive,
    StartsInPast,
    WrongRoomKind,
)
from clinic.models import Appointment, Room, ScheduleException
from clinic.services.appointment_status import appointment_cancel
from patients.errors import PatientInactive
from tests.clinic.conftest import MONDAY, NOW, at, nothing_written
from tests.factories.clinic import (
    AppointmentTypeFactory,
    LocationFactory,
    PractitionerFactory,
    RoomFactory,
    ScheduleExceptionFactory,
    WorkingHoursFactory,
)
from tests.factories.patients import PatientFactory


def test_booking_writes_the_appointment_and_its_first_status_entry(book, front_desk):
    consult = book()
    consult.refresh_from_db()

    assert consult.status == Appointment.Status.BOOKED
    assert consult.starts_at == at(MONDAY, "10:00")
    assert consult.ends_at == at(MONDAY, "10:30")  # the type's default duration
    assert consult.blocks_until == consult.ends_at  # no buffer
    assert consult.created_by == front_desk
    [entry] = consult.status_changes.all()
    assert (entry.from_status, entry.to_status, entry.by) == ("", "booked", front_desk)
    assert consult.history.get().history_user == front_desk


def test_booking_blocks_the_types_buffer_after_the_end(book, consultation):
    consultation.buffer_after_minutes = 15
    consultation.save()

    consult = book(ends_at=at(MONDAY, "10:45"))

    assert consult.blocks_until == at(MONDAY, "11:00")


def test_booking_refuses_overlap_with_same_room(book, consult_room):
    first = book()
    other_doctor = PractitionerFactory()
    WorkingHoursFactory(practitioner=other_doctor, location=consult_room.location)

    with nothing_written(), pytest.raises(BookingCollision) as refused:
        book(
            practitioner=other_doctor,
            patient=PatientFactory(),
            starts_at=at(MONDAY, "10:15"),
        )

    assert refused.value.extra["collisions"] == [
        {
            "resource": "room",
            "appointment": str(first.public_id),
            "starts_at": "2026-03-02T15:00:00+00:00",
            "ends_at": "2026-03-02T15:30:00+00:00",
        }
    ]
    assert set(refused.value.errors) == {"room"}


def test_booking_refuses_same_patient_in_two_rooms(book, second_room, site):
    book()
    other_doctor = PractitionerFactory()
    WorkingHoursFactory(practitioner=other_doctor, location=site)
    count = Appointment.objects.count()

    with nothing_written(), pytest.raises(BookingCollision) as refused:
        book(room=second_room, practitioner=other_doctor)

    assert [c["resource"] for c in refused.value.extra["collisions"]] == ["patient"]
    assert Appointment.objects.count() == count


def test_booking_refuses_a_busy_practitioner(book, second_room):
    book()
    count = Appointment.objects.count()

    with nothing_written(), pytest.raises(BookingCollision) as refused:
        book(room=second_room, patient=PatientFactory(), starts_at=at(MONDAY, "09:45"))

    assert [c["resource"] for c in refused.value.extra["collisions"]] == [
        "practitioner"
    ]
    assert Appointment.objects.count() == count


def test_refused_booking_lists_every_collision_at_once(book, second_room, patient):
    in_room = book(patient=PatientFactory())
    other_doctor = PractitionerFactory()
    WorkingHoursFactory(practitioner=other_doctor, location=second_room.location)
    patients_other = book(
        room=second_room, practitioner=other_doctor, starts_at=at(MONDAY, "10:30")
    )

    with nothing_written(), pytest.raises(BookingCollision) as refused:
        book(starts_at=at(MONDAY, "10:00"), ends_at=at(MONDAY, "11:00"))

    listed = [
        (c["resource"], c["appointment"]) for c in refused.value.extra["collisions"]
    ]
    assert listed == [
        ("practitioner", str(in_room.public_id)),
        ("room", str(in_room.public_id)),
        ("patient", str(patients_other.public_id)),
    ]
    assert set(refused.value.errors) == {"practitioner", "room", "patient"}


def test_buffer_of_the_earlier_appointment_blocks_the_next_start(book, consultation):
    consultation.buffer_after_minutes = 10
    consultation.save()
    book()

    with nothing_written(), pytest.raises(BookingCollision):
        book(patient=PatientFactory(), starts_at=at(MONDAY, "10:30"))
    assert book(patient=PatientFactory(), starts_at=at(MONDAY, "10:40"))


def test_back_to_back_appointments_do_not_collide(book):
    book()
    assert book(patient=PatientFactory(), starts_at=at(MONDAY, "10:30"))


@pytest.mark.parametrize("ending", ["cancel", "no_show"])
def test_cancelled_or_no_show_time_is_bookable_again(book, front_desk, ending):
    first = book()
    if ending == "cancel":
        appointment_cancel(appointment=first, actor=front_desk, reason="Ill", now=NOW)
    else:
        first.status = Appointment.Status.NO_SHOW  # as the status service would
        first.save()

    again = book(patient=PatientFactory())

    assert again.starts_at == first.starts_at


@pytest.fixture
def infusion(db):
    return AppointmentTypeFactory(
        name="IV infusion",
        default_duration_minutes=90,
        room_kind=Room.Kind.INFUSION_CHAIR,
        max_parallel=4,
    )


@pytest.fixture
def chairs(site):
    return [
        RoomFactory(location=site, name=f"Chair {n}", kind=Room.Kind.INFUSION_CHAIR)
        for n in range(1, 6)
    ]


def test_infusion_nurse_supervises_up_to_the_types_parallel_limit(
    book, infusion, chairs
):
    for chair in chairs[:4]:
        book(room=chair, type=infusion, patient=PatientFactory())

    with nothing_written(), pytest.raises(BookingCollision) as refused:
        book(room=chairs[4], type=infusion, patient=PatientFactory())

    resources = {c["resource"] for c in refused.value.extra["collisions"]}
    assert resources == {"practitioner"}
    assert len(refused.value.extra["collisions"]) == 4
    assert Appointment.objects.count() == 4


def test_parallel_limit_does_not_let_other_types_overlap(book, infusion, chairs):
    book(room=chairs[0], type=infusion, patient=PatientFactory())

    with nothing_written(), pytest.raises(BookingCollision):
        book(patient=PatientFactory(), starts_at=at(MONDAY, "10:30"))


def test_booking_refuses_end_not_after_start(book):
    with nothing_written(), pytest.raises(InvalidTimeRange) as refused:
        book(ends_at=at(MONDAY, "10:00"))
    assert refused.value.errors == {"ends_at": ["Must be after the start."]}


@pytest.mark.parametrize(
    "ends_at",
    [
        at(MONDAY, "10:30") + dt.timedelta(seconds=30),
        at(MONDAY, "10:00") + dt.timedelta(hours=12, minutes=1),
    ],
    ids=["not-whole-minutes", "longer-than-12h"],
)
def test_booking_refuses_bad_durations(book, ends_at):
    with nothing_written(), pytest.raises(InvalidDuration) as refused:
        book(ends_at=ends_at)
    assert set(refused.value.errors) == {"ends_at"}


def test_booking_refuses_a_start_in_the_past(book):
    with nothing_written(), pytest.raises(StartsInPast) as refused:
        book(now=at(MONDAY, "10:20"))
    assert set(refused.value.errors) == {"starts_at"}


def test_walk_in_may_take_the_slot_that_just_began(book):
    assert book(now=at(MONDAY, "10:10"))


def test_booking_refuses_outside_working_hours(book):
    with nothing_written(), pytest.raises(OutsideWorkingHours) as refused:
        book(starts_at=at(MONDAY, "16:45"))  # ends 17:15, after hours
    assert set(refused.value.errors) == {"starts_at"}


def test_booking_refuses_a_weekend_day_without_hours(book):
    with nothing_written(), pytest.raises(OutsideWorkingHours):
        book(starts_at=at(MONDAY + dt.timedelta(days=5), "10:00"))


def test_booking_refuses_during_leave(book, doctor):
    ScheduleExceptionFactory(
        practitioner=doctor, date=MONDAY, start_time=dt.time(10), end_time=dt.time(12)
    )
    with nothing_written(), pytest.raises(OutsideWorkingHours):
        book()


def test_extra_hours_make_a_saturday_bookable(book, doctor, site):
    saturday = MONDAY + dt.timedelta(days=5)
    ScheduleExceptionFactory(
        practitioner=doctor,
        location=site,
        date=saturday,
        kind=ScheduleException.Kind.EXTRA_HOURS,
        start_time=dt.time(9),
        end_time=dt.time(13),
    )
    assert book(starts_at=at(saturday, "12:30"))


def test_manager_may_book_outside_hours_with_a_reason_which_is_kept(book, manager):
    late = book(
        starts_at=at(MONDAY, "18:00"),
        actor=manager,
        override_reason=" Patient can only come after work. ",
    )
    late.refresh_from_db()
    assert late.override_reason == "Patient can only come after work."


def test_front_desk_cannot_override_working_hours(book):
    with nothing_written(), pytest.raises(OverrideNotPermitted) as refused:
        book(starts_at=at(MONDAY, "18:00"), override_reason="Please")
    assert set(refused.value.errors) == {"override_reason"}


def test_manager_override_never_lifts_a_room_collision(book, manager):
    book(starts_at=at(MONDAY, "18:00"), actor=manager, override_reason="Late")
    with nothing_written(), pytest.raises(BookingCollision):
        book(
            patient=PatientFactory(),
            starts_at=at(MONDAY, "18:00"),
            actor=manager,
            override_reason="Late again",
        )


def test_booking_refuses_a_location_the_practitioner_does_not_work_at(
    book, consultation
):
    elsewhere = RoomFactory(location=LocationFactory(name="Brooklyn"))
    with nothing_written(), pytest.raises(PractitionerNotAtLocation) as refused:
        book(room=elsewhere)
    assert set(refused.value.errors) == {"practitioner"}


def test_booking_refuses_a_room_at_another_location_than_where_they_work_then(
    book, doctor
):
    brooklyn = LocationFactory(name="Brooklyn")
    WorkingHoursFactory(practitioner=doctor, location=brooklyn, weekday=5)  # Saturdays
    with nothing_written(), pytest.raises(RoomAtOtherLocation) as refused:
        book(room=RoomFactory(location=brooklyn))  # Monday: at Manhattan
    assert set(refused.value.errors) == {"room"}


def test_booking_refuses_a_room_of_the_wrong_kind(book, site):
    chair = RoomFactory(location=site, kind=Room.Kind.INFUSION_CHAIR)
    with (
        nothing_written(),
        pytest.raises(WrongRoomKind, match="needs a consult room") as refused,
    ):
        book(room=chair)
    assert set(refused.value.errors) == {"room"}


def test_booking_refuses_an_inactive_patient(book):
    inactive = PatientFactory(active=False, deactivated_at=timezone.now())
    with nothing_written(), pytest.raises(PatientInactive) as refused:
        book(patient=inactive)
    assert refused.value.code == "patient_inactive"
    assert set(refused.value.errors) == {"patient"}


def test_booking_refuses_an_inactive_practitioner(book, doctor):
    doctor.active = False
    doctor.save()
    with nothing_written(), pytest.raises(PractitionerInactive) as refused:
        book()
    assert set(refused.value.errors) == {"practitioner"}


def test_booking_refuses_an_inactive_room(book, consult_room):
    consult_room.active = False
    consult_room.save()
    with nothing_written(), pytest.raises(RoomInactive) as refused:
        book()
    assert set(refused.value.errors) == {"room"}


def test_booking_refuses_a_room_at_a_closed_location(book, site):
    site.active = False
    site.save()
    with nothing_written(), pytest.raises(RoomInactive, match="location is closed"):
        book()


def test_booking_refuses_an_inactive_type(book, consultation):
    consultation.active = False
    consultation.save()
    with nothing_written(), pytest.raises(AppointmentTypeInactive) as refused:
        book()
    assert set(refused.value.errors) == {"type"}


def test_booking_follows_wall_clock_hours_across_spring_forward(book, doctor, site):
    sunday = dt.date(2026, 3, 8)
    WorkingHoursFactory(practitioner=doctor, location=site, weekday=6)
    # 09:00 EDT is 13:00 UTC; the same UTC time a day earlier would be 08:00 EST.
    booked = book(starts_at=at(sunday, "09:00"), now=at(sunday, "00:00"))
    assert booked.starts_at == dt.datetime(2026, 3, 8, 13, tzinfo=dt.UTC)
    with nothing_written(), pytest.raises(OutsideWorkingHours):
        book(
            patient=PatientFactory(),
            starts_at=dt.datetime(2026, 3, 8, 12, 30, tzinfo=dt.UTC),  # 08:30 EDT
            now=at(sunday, "00:00"),
        )
