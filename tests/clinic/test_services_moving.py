"""appointment_move: checked exactly like a booking, against all but itself."""

import datetime as dt

import pytest

from clinic.errors import (
    AppointmentNotMovable,
    BookingCollision,
    OutsideWorkingHours,
    OverrideNotPermitted,
    StartsInPast,
    WrongRoomKind,
)
from clinic.models import Appointment, Room
from clinic.services.appointment_status import (
    appointment_cancel,
    appointment_check_in,
    appointment_complete,
    appointment_start,
)
from clinic.services.appointments import appointment_move
from tests.clinic.conftest import MONDAY, NOW, at, nothing_written
from tests.factories.clinic import AppointmentTypeFactory, RoomFactory
from tests.factories.patients import PatientFactory


@pytest.fixture
def consult(book):
    return book()


def move(appointment, actor, **changes):
    return appointment_move(appointment=appointment, actor=actor, now=NOW, **changes)


def test_moving_the_start_keeps_the_duration(consult, front_desk):
    moved = move(consult, front_desk, starts_at=at(MONDAY, "14:00"))

    moved.refresh_from_db()
    assert (moved.starts_at, moved.ends_at) == (
        at(MONDAY, "14:00"),
        at(MONDAY, "14:30"),
    )
    assert moved.blocks_until == moved.ends_at
    latest = moved.history.latest()
    assert latest.history_user == front_desk
    assert latest.starts_at == at(MONDAY, "14:00")


def test_moving_may_overlap_its_own_old_time(consult, front_desk):
    moved = move(consult, front_desk, starts_at=at(MONDAY, "10:15"))
    assert moved.starts_at == at(MONDAY, "10:15")


def test_giving_a_new_start_and_the_old_end_lengthens_it(consult, front_desk):
    moved = move(
        consult, front_desk, starts_at=at(MONDAY, "09:30"), ends_at=consult.ends_at
    )
    assert moved.duration == dt.timedelta(hours=1)


def test_changing_the_type_takes_its_default_duration(consult, front_desk):
    long_consult = AppointmentTypeFactory(default_duration_minutes=60)
    moved = move(consult, front_desk, type=long_consult)
    assert moved.ends_at == at(MONDAY, "11:00")


def test_moving_onto_a_taken_room_is_refused_and_changes_nothing(
    book, consult, front_desk
):
    other = book(patient=PatientFactory(), starts_at=at(MONDAY, "11:00"))

    with nothing_written(), pytest.raises(BookingCollision) as refused:
        move(consult, front_desk, starts_at=at(MONDAY, "11:15"))

    assert {c["appointment"] for c in refused.value.extra["collisions"]} == {
        str(other.public_id)
    }
    consult.refresh_from_db()
    assert consult.starts_at == at(MONDAY, "10:00")


def test_moving_to_another_room_of_the_wrong_kind_is_refused(consult, front_desk, site):
    chair = RoomFactory(location=site, kind=Room.Kind.INFUSION_CHAIR)
    with nothing_written(), pytest.raises(WrongRoomKind):
        move(consult, front_desk, room=chair)


def test_moving_outside_hours_is_refused(consult, front_desk):
    with nothing_written(), pytest.raises(OutsideWorkingHours):
        move(consult, front_desk, starts_at=at(MONDAY, "07:00"))


def test_moving_into_the_past_is_refused(consult, front_desk):
    with nothing_written(), pytest.raises(StartsInPast):
        move(consult, front_desk, starts_at=at(MONDAY, "10:00") - dt.timedelta(days=2))


def test_manager_moves_outside_hours_with_a_new_reason(consult, manager, front_desk):
    late = move(consult, manager, starts_at=at(MONDAY, "18:00"), override_reason="Late")
    assert late.override_reason == "Late"

    # The reason was for 18:00; moving again (even by the desk) needs a new one.
    with nothing_written(), pytest.raises(OutsideWorkingHours):
        move(late, front_desk, starts_at=at(MONDAY, "18:30"))
    with nothing_written(), pytest.raises(OverrideNotPermitted):
        move(late, front_desk, starts_at=at(MONDAY, "18:30"), override_reason="Again")

    back = move(late, front_desk, starts_at=at(MONDAY, "11:00"))
    assert back.override_reason == ""


def _advance(appointment, actor, to):
    steps = {
        "checked_in": [appointment_check_in],
        "in_progress": [appointment_check_in, appointment_start],
        "completed": [appointment_check_in, appointment_start, appointment_complete],
    }
    for step in steps[to]:
        appointment = step(appointment=appointment, actor=actor, now=NOW)
    return appointment


@pytest.mark.parametrize("status", ["in_progress", "completed", "cancelled"])
def test_appointments_past_booked_or_checked_in_cannot_be_moved(
    consult, manager, status
):
    if status == "cancelled":
        appointment_cancel(appointment=consult, actor=manager, reason="Ill", now=NOW)
    else:
        _advance(consult, manager, status)

    with nothing_written(), pytest.raises(AppointmentNotMovable) as refused:
        move(consult, manager, starts_at=at(MONDAY, "14:00"))
    assert set(refused.value.errors) == {"starts_at"}


def test_checked_in_patient_can_be_moved_to_another_room(consult, manager, second_room):
    _advance(consult, manager, "checked_in")
    moved = move(consult, manager, room=second_room)
    assert moved.room == second_room
    assert moved.status == Appointment.Status.CHECKED_IN


def test_notes_can_be_added_after_completion(consult, manager):
    _advance(consult, manager, "completed")
    updated = move(
        consult, manager, notes="Patient asked for a morning slot next time."
    )
    updated.refresh_from_db()
    assert updated.notes.startswith("Patient asked")


def test_an_empty_change_writes_nothing(consult, front_desk):
    with nothing_written():
        move(consult, front_desk, starts_at=consult.starts_at)
