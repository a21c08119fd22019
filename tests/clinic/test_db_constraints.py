"""The database's own guarantees, proven by writing around the services."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from clinic.core.errors import DeletionRefused
from clinic.errors import BookingCollision
from clinic.models import Appointment, Room, WorkingHours
from clinic.services import appointments as booking
from tests.clinic.conftest import MONDAY, at
from tests.factories.clinic import (
    AppointmentFactory,
    AppointmentTypeFactory,
    RoomFactory,
)

TEN = at(MONDAY, "10:00")


def refused_by_database(**fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentFactory(**fields)


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_database_refuses_overlapping_rows_for_one_room():
    first = AppointmentFactory(starts_at=TEN)
    refused_by_database(
        room=first.room, type=first.type, starts_at=TEN + dt.timedelta(minutes=29)
    )
    assert Appointment.objects.count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_database_refuses_overlapping_rows_for_one_patient():
    first = AppointmentFactory(starts_at=TEN)
    refused_by_database(patient=first.patient, starts_at=TEN + dt.timedelta(minutes=15))
    assert Appointment.objects.count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_database_counts_the_buffer_as_held_time():
    buffered = AppointmentTypeFactory(buffer_after_minutes=15)
    first = AppointmentFactory(type=buffered, starts_at=TEN)
    refused_by_database(
        room=first.room, type=first.type, starts_at=TEN + dt.timedelta(minutes=40)
    )


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_database_lets_touching_and_inactive_rows_be():
    first = AppointmentFactory(starts_at=TEN)
    AppointmentFactory(
        room=first.room, patient=first.patient, starts_at=TEN + dt.timedelta(minutes=30)
    )
    AppointmentFactory(
        room=first.room,
        patient=first.patient,
        starts_at=TEN,
        status="cancelled",
        cancellation_reason="Ill",
    )
    AppointmentFactory(room=first.room, starts_at=TEN, status="no_show")
    assert Appointment.objects.count() == 4


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_database_refuses_reactivating_into_an_overlap():
    first = AppointmentFactory(starts_at=TEN)
    cancelled = AppointmentFactory(
        room=first.room, starts_at=TEN, status="cancelled", cancellation_reason="Ill"
    )
    cancelled.status = "booked"
    with pytest.raises(IntegrityError), transaction.atomic():
        cancelled.save()


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_database_refuses_durations_that_are_not_whole_minutes():
    refused_by_database(
        starts_at=TEN, ends_at=TEN + dt.timedelta(minutes=30, seconds=1)
    )


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_a_race_the_service_did_not_see_still_ends_as_a_listed_409(
    book, monkeypatch, second_room
):
    """If the check misses a row written meanwhile (here: made to miss it), the
    exclusion constraint refuses the insert and the caller still gets 409."""
    first = book()
    real = booking.find_collisions
    calls = []

    def blind_first_time(appointment):
        calls.append(appointment)
        return [] if len(calls) == 1 else real(appointment)

    monkeypatch.setattr(booking, "find_collisions", blind_first_time)

    with pytest.raises(BookingCollision) as refused:
        book(room=second_room)  # same patient, same time, another room

    assert refused.value.code == "booking_collision"
    assert {c["appointment"] for c in refused.value.extra["collisions"]} == {
        str(first.public_id)
    }
    assert Appointment.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"ends_at": TEN}, "appointment_ends_after_start"),
        (
            {"ends_at": TEN + dt.timedelta(hours=12, minutes=1)},
            "appointment_at_most_12_hours",
        ),
        (
            {"ends_at": TEN + dt.timedelta(minutes=30), "blocks_until": TEN},
            "appointment_blocks_until_not_before_end",
        ),
        (
            {
                "ends_at": TEN + dt.timedelta(hours=12),
                "blocks_until": TEN + dt.timedelta(hours=16, minutes=1),
            },
            "appointment_blocks_at_most_16_hours",
        ),
        ({"status": "cancelled"}, "appointment_cancelled_has_reason"),
        ({"status": "lost"}, "appointment_status_is_known"),
    ],
)
def test_single_row_rules_hold_in_the_database(fields, constraint):
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        AppointmentFactory(starts_at=TEN, **fields)
    assert not Appointment.objects.exists()


@pytest.mark.django_db
def test_working_hours_end_after_start_in_the_database(doctor, site):
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkingHours.objects.create(
            practitioner=doctor,
            location=site,
            weekday=0,
            start_time=dt.time(12),
            end_time=dt.time(9),
        )


@pytest.mark.django_db
def test_room_kind_is_checked_by_the_database(site):
    with pytest.raises(IntegrityError), transaction.atomic():
        RoomFactory(location=site, kind="garden")
    assert not Room.objects.exists()


@pytest.mark.django_db
def test_appointments_are_never_deleted():
    appointment = AppointmentFactory()
    with pytest.raises(DeletionRefused):
        appointment.delete()
    with pytest.raises(DeletionRefused):
        Appointment.objects.all().delete()
    with pytest.raises(DeletionRefused):
        appointment.status_changes.all().delete()
    assert Appointment.objects.count() == 1


@pytest.mark.django_db
def test_rooms_types_and_practitioners_in_use_cannot_be_deleted():
    appointment = AppointmentFactory()
    for used in (appointment.room, appointment.type, appointment.practitioner):
        with pytest.raises(ProtectedError), transaction.atomic():
            used.delete()
    assert Appointment.objects.count() == 1
