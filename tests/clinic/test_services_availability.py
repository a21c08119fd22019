"""availability_search: free start times, DST-correct, constant query count."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from clinic import slots
from clinic.core.errors import DomainError
from clinic.models import Room, ScheduleException
from clinic.services.appointments import appointment_book
from clinic.services.availability import availability_search
from tests.clinic.conftest import MONDAY, NEW_YORK, NOW, at
from tests.factories.clinic import (
    AppointmentTypeFactory,
    LocationFactory,
    PractitionerFactory,
    RoomFactory,
    ScheduleExceptionFactory,
    WorkingHoursFactory,
)
from tests.factories.patients import PatientFactory


def search(type_, first, last=None, now=NOW, **filters):
    return availability_search(
        type=type_, date_from=first, date_to=last or first, now=now, **filters
    )


def walls(found, tz=NEW_YORK):
    return [s.starts_at.astimezone(tz).strftime("%H:%M") for s in found]


def test_a_free_day_offers_every_quarter_hour_within_hours(
    doctor, consult_room, consultation
):
    found = search(consultation, MONDAY)

    assert walls(found)[0] == "09:00"
    assert walls(found)[-1] == "16:30"  # 16:30 + 30 min ends at 17:00
    assert len(found) == 31
    first = found[0]
    assert first.starts_at.isoformat() == "2026-03-02T09:00:00-05:00"
    assert first.ends_at.isoformat() == "2026-03-02T09:30:00-05:00"
    assert first.practitioner == doctor
    assert first.rooms == [consult_room]


def test_booked_time_and_its_buffer_are_not_offered(book, consultation):
    consultation.buffer_after_minutes = 15
    consultation.save()
    book(starts_at=at(MONDAY, "10:00"))  # holds 10:00-10:45

    offered = walls(search(consultation, MONDAY))

    assert "09:15" in offered  # 09:15-09:45 (+15) ends just as 10:00 begins
    for taken in ["09:30", "09:45", "10:00", "10:15", "10:30"]:
        assert taken not in offered
    assert "10:45" in offered


def test_a_busy_room_leaves_the_other_room_offered(
    book, doctor, consultation, consult_room, second_room
):
    other = PractitionerFactory()
    WorkingHoursFactory(practitioner=other, location=consult_room.location)
    book(practitioner=other, patient=PatientFactory())  # Consult 1 at 10:00

    found = {
        (s.practitioner.pk, walls([s])[0]): s.rooms
        for s in search(consultation, MONDAY)
    }

    assert (other.pk, "10:00") not in found
    assert len(found[(other.pk, "11:00")]) == 2
    assert found[(doctor.pk, "10:00")] == [second_room]


def test_leave_and_extra_hours_shape_the_day(doctor, site, consult_room, consultation):
    ScheduleExceptionFactory(
        practitioner=doctor, date=MONDAY, start_time=dt.time(9), end_time=dt.time(16)
    )
    ScheduleExceptionFactory(
        practitioner=doctor,
        location=site,
        date=MONDAY,
        kind=ScheduleException.Kind.EXTRA_HOURS,
        start_time=dt.time(18),
        end_time=dt.time(19),
    )
    assert walls(search(consultation, MONDAY)) == [
        "16:00", "16:15", "16:30", "18:00", "18:15", "18:30",
    ]  # fmt: skip


def test_rooms_of_the_wrong_kind_offer_nothing(doctor, site):
    RoomFactory(location=site, kind=Room.Kind.CONSULT_ROOM)
    infusion = AppointmentTypeFactory(room_kind=Room.Kind.INFUSION_CHAIR)
    assert search(infusion, MONDAY) == []


def test_nothing_before_now(doctor, consult_room, consultation):
    found = search(consultation, MONDAY, now=at(MONDAY, "16:05"))
    assert walls(found) == ["16:15", "16:30"]


def test_filters_by_practitioner_and_location(doctor, consult_room, consultation):
    brooklyn = LocationFactory(name="Brooklyn")
    RoomFactory(location=brooklyn)
    other = PractitionerFactory()
    WorkingHoursFactory(practitioner=other, location=brooklyn)

    everyone = search(consultation, MONDAY)
    assert {(s.practitioner, s.location) for s in everyone} == {
        (doctor, consult_room.location),
        (other, brooklyn),
    }
    assert {
        s.practitioner for s in search(consultation, MONDAY, practitioner=other)
    } == {other}
    assert {s.location for s in search(consultation, MONDAY, location=brooklyn)} == {
        brooklyn
    }


def test_inactive_practitioners_and_rooms_are_not_offered(
    doctor, consult_room, consultation
):
    consult_room.active = False
    consult_room.save()
    assert search(consultation, MONDAY) == []
    consult_room.active = True
    consult_room.save()
    doctor.active = False
    doctor.save()
    assert search(consultation, MONDAY) == []


def test_nurse_is_offered_until_the_parallel_limit(book, doctor, site):
    infusion = AppointmentTypeFactory(
        default_duration_minutes=90, room_kind=Room.Kind.INFUSION_CHAIR, max_parallel=2
    )
    chairs = [
        RoomFactory(location=site, kind=Room.Kind.INFUSION_CHAIR) for _ in range(3)
    ]
    book(type=infusion, room=chairs[0], patient=PatientFactory())
    nine_list = [s for s in search(infusion, MONDAY) if walls([s]) == ["10:00"]]
    assert [len(s.rooms) for s in nine_list] == [2]

    book(type=infusion, room=chairs[1], patient=PatientFactory())
    assert "10:00" not in walls(search(infusion, MONDAY))


def test_every_offered_start_is_bookable_and_no_other_start_is(
    book, doctor, site, consultation, consult_room, second_room, front_desk
):
    consultation.buffer_after_minutes = 10
    consultation.save()
    book(starts_at=at(MONDAY, "10:00"))
    book(
        starts_at=at(MONDAY, "13:20"),
        ends_at=at(MONDAY, "14:00"),
        patient=PatientFactory(),
    )
    ScheduleExceptionFactory(
        practitioner=doctor, date=MONDAY, start_time=dt.time(15), end_time=dt.time(16)
    )
    _assert_offered_is_bookable(MONDAY, doctor, second_room, consultation, front_desk)


def _assert_offered_is_bookable(day, practitioner, room, type_, actor, now=NOW):
    offered = {
        s.starts_at for s in search(type_, day, now=now, practitioner=practitioner)
    }
    assert offered
    for start in slots.grid_starts(day, NEW_YORK):
        try:
            with transaction.atomic():
                appointment_book(
                    patient=PatientFactory(),
                    practitioner=practitioner,
                    room=room,
                    type=type_,
                    starts_at=start,
                    actor=actor,
                    now=now,
                )
                transaction.set_rollback(True)
            bookable = True
        except DomainError:
            bookable = False
        assert bookable == (start in offered), start.astimezone(NEW_YORK)


def test_offered_is_bookable_through_the_spring_forward_night(
    site, consult_room, consultation, front_desk
):
    night = PractitionerFactory()
    WorkingHoursFactory(
        practitioner=night,
        location=site,
        weekday=6,
        start_time=dt.time(0),
        end_time=dt.time(5),
    )
    sunday = dt.date(2026, 3, 8)
    _assert_offered_is_bookable(
        sunday, night, consult_room, consultation, front_desk, now=at(sunday, "00:00")
    )


@pytest.fixture
def every_day(site, consult_room):
    practitioner = PractitionerFactory()
    for weekday in range(7):
        WorkingHoursFactory(practitioner=practitioner, location=site, weekday=weekday)
    return practitioner


@pytest.mark.parametrize(
    ("days", "utc_hours"),
    [
        # Saturday EST (UTC-5), Sunday the change, Monday EDT (UTC-4).
        ((dt.date(2026, 3, 7), dt.date(2026, 3, 9)), [14, 13, 13]),
        # Saturday EDT, Sunday falls back, Monday EST.
        ((dt.date(2026, 10, 31), dt.date(2026, 11, 2)), [13, 14, 14]),
    ],
    ids=["spring-forward", "fall-back"],
)
def test_nine_oclock_stays_nine_local_across_dst(
    every_day, consultation, days, utc_hours
):
    found = search(consultation, *days, now=at(days[0], "00:00"))
    firsts = {}
    for slot in found:
        firsts.setdefault(slot.starts_at.date(), slot)
    assert [s.starts_at.strftime("%H:%M") for s in firsts.values()] == ["09:00"] * 3
    assert [s.starts_at.astimezone(dt.UTC).hour for s in firsts.values()] == utc_hours
    assert {len([s for s in found if s.starts_at.date() == d]) for d in firsts} == {31}


def test_no_slot_in_the_skipped_hour_and_real_durations(
    site, consult_room, consultation
):
    night = PractitionerFactory()
    WorkingHoursFactory(
        practitioner=night,
        location=site,
        weekday=6,
        start_time=dt.time(0),
        end_time=dt.time(5),
    )
    sunday = dt.date(2026, 3, 8)
    found = search(consultation, sunday, now=at(sunday, "00:00"))
    local = walls(found)

    assert not [w for w in local if w.startswith("02:")]
    # 00:00 EST to 05:00 EDT is four real hours: starts 00:00..01:45 and 03:00..04:30.
    assert local == [
        "00:00", "00:15", "00:30", "00:45", "01:00", "01:15", "01:30", "01:45",
        "03:00", "03:15", "03:30", "03:45", "04:00", "04:15", "04:30",
    ]  # fmt: skip
    last_before = found[7]
    utc = [t.astimezone(dt.UTC) for t in (last_before.starts_at, last_before.ends_at)]
    assert utc[1] - utc[0] == dt.timedelta(minutes=30)
    assert last_before.ends_at.strftime("%H:%M%z") == "03:15-0400"


def test_repeated_hour_on_fall_back_is_offered_twice(site, consult_room, consultation):
    night = PractitionerFactory()
    WorkingHoursFactory(
        practitioner=night,
        location=site,
        weekday=6,
        start_time=dt.time(1),
        end_time=dt.time(3),
    )
    sunday = dt.date(2026, 11, 1)
    found = search(consultation, sunday, now=at(sunday, "00:00"))
    offsets = [s.starts_at.strftime("%H:%M%z") for s in found]

    assert offsets[:4] == ["01:00-0400", "01:15-0400", "01:30-0400", "01:45-0400"]
    assert "01:00-0500" in offsets
    assert "02:30-0500" in offsets
    assert len(found) == 11  # three real hours from 01:00 EDT to 03:00 EST


def test_each_location_uses_its_own_time_zone(consultation):
    la = LocationFactory(name="Los Angeles", time_zone="America/Los_Angeles")
    RoomFactory(location=la)
    WorkingHoursFactory(practitioner=PractitionerFactory(), location=la)
    first = search(consultation, MONDAY)[0]
    assert first.starts_at.isoformat() == "2026-03-02T09:00:00-08:00"
    assert first.starts_at.tzinfo == ZoneInfo("America/Los_Angeles")


def _count_queries(consultation, last):
    with CaptureQueriesContext(connection) as queries:
        found = search(consultation, MONDAY, last)
    return len(queries), found


def test_query_count_is_the_same_for_one_day_and_fourteen(
    book, every_day, doctor, site, consultation
):
    for n in range(14):
        RoomFactory(location=site)
        day = MONDAY + dt.timedelta(days=n)
        ScheduleExceptionFactory(
            practitioner=every_day,
            date=day,
            start_time=dt.time(12),
            end_time=dt.time(13),
        )
    book(starts_at=at(MONDAY, "10:00"))
    book(starts_at=at(MONDAY + dt.timedelta(days=8), "11:00"), patient=PatientFactory())

    one_day, few = _count_queries(consultation, MONDAY)
    two_weeks, many = _count_queries(consultation, MONDAY + dt.timedelta(days=13))

    assert one_day == two_weeks == 4
    assert len(many) > 10 * len(few)
