"""No double booking under real concurrency: threads with their own database
connections and transactions, started together. PostgreSQL only (SQLite's
test database cannot run real concurrent transactions)."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection
from rest_framework.test import APIClient

from clinic import slots
from clinic.errors import BookingCollision
from clinic.models import Appointment, Room
from clinic.services.appointments import appointment_book
from tests.clinic.conftest import MONDAY, NOW, at
from tests.factories.clinic import (
    AppointmentFactory,
    AppointmentTypeFactory,
    PractitionerFactory,
    RoomFactory,
    WorkingHoursFactory,
)
from tests.factories.patients import PatientFactory

THREADS = 20

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def run_together(work: Callable[[int], object]) -> list[object]:
    """Run work(0..THREADS-1) in threads released at the same instant; each
    returns its result, or the exception it raised."""
    barrier = threading.Barrier(THREADS)
    results: list[object] = [None] * THREADS

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = work(index)
        except Exception as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a booking hung"
    return results


def practitioners_at(site, count):
    staff = PractitionerFactory.create_batch(count)
    for practitioner in staff:
        WorkingHoursFactory(practitioner=practitioner, location=site)
    return staff


def assert_no_overlapping_active_rows(key):
    active = Appointment.objects.active()
    spans: dict[int, list[slots.Interval]] = {}
    for row in active:
        spans.setdefault(getattr(row, key), []).append(
            (row.starts_at, row.blocks_until)
        )
    assert all(slots.peak_overlap(s) <= 1 for s in spans.values()), key


def test_twenty_clients_booking_one_room_at_once_get_one_201_and_nineteen_409(
    site, consultation, front_desk, frozen_now
):
    room = RoomFactory(location=site)
    staff = practitioners_at(site, THREADS)
    patients = PatientFactory.create_batch(THREADS)

    def book(index):
        client = APIClient()
        client.force_authenticate(front_desk)
        response = client.post(
            "/api/v1/appointments/",
            {
                "patient": str(patients[index].public_id),
                "practitioner": staff[index].pk,
                "room": room.pk,
                "type": consultation.pk,
                # Every start within 19 minutes of the others: all overlap.
                "starts_at": at(MONDAY, f"10:{index:02d}").isoformat(),
            },
            format="json",
        )
        return response.status_code, response.json()[
            "code"
        ] if response.status_code != 201 else "created"

    results = run_together(book)

    assert sorted(results) == [(201, "created")] + [(409, "booking_collision")] * 19
    assert Appointment.objects.count() == 1
    assert_no_overlapping_active_rows("room_id")


def test_one_patient_booked_in_twenty_rooms_at_once_gets_one(
    site, consultation, front_desk, patient
):
    rooms = RoomFactory.create_batch(THREADS, location=site)
    staff = practitioners_at(site, THREADS)

    def book(index):
        appointment_book(
            patient=patient,
            practitioner=staff[index],
            room=rooms[index],
            type=consultation,
            starts_at=at(MONDAY, "10:00"),
            actor=front_desk,
            now=NOW,
        )
        return "booked"

    results = run_together(book)

    assert results.count("booked") == 1
    refusals = [r for r in results if r != "booked"]
    assert len(refusals) == 19
    assert all(isinstance(r, BookingCollision) for r in refusals), refusals
    assert all(
        {c["resource"] for c in r.extra["collisions"]} == {"patient"} for r in refusals
    )
    assert Appointment.objects.count() == 1
    assert_no_overlapping_active_rows("patient_id")


def test_nurse_at_the_parallel_limit_takes_exactly_one_more(site, front_desk):
    infusion = AppointmentTypeFactory(
        default_duration_minutes=90, room_kind=Room.Kind.INFUSION_CHAIR, max_parallel=4
    )
    [nurse] = practitioners_at(site, 1)
    chairs = RoomFactory.create_batch(
        THREADS + 3, location=site, kind=Room.Kind.INFUSION_CHAIR
    )
    for chair in chairs[:3]:
        AppointmentFactory(
            practitioner=nurse, room=chair, type=infusion, starts_at=at(MONDAY, "10:00")
        )
    patients = PatientFactory.create_batch(THREADS)

    def book(index):
        appointment_book(
            patient=patients[index],
            practitioner=nurse,
            room=chairs[3 + index],
            type=infusion,
            starts_at=at(MONDAY, "10:30"),
            actor=front_desk,
            now=NOW,
        )
        return "booked"

    results = run_together(book)

    assert results.count("booked") == 1
    refusals = [r for r in results if r != "booked"]
    assert all(isinstance(r, BookingCollision) for r in refusals), refusals
    assert all(
        {c["resource"] for c in r.extra["collisions"]} == {"practitioner"}
        for r in refusals
    )
    nurse_spans = [(a.starts_at, a.blocks_until) for a in Appointment.objects.active()]
    assert len(nurse_spans) == 4
    assert slots.peak_overlap(nurse_spans) == 4


def test_cancelled_time_is_bookable_again_by_exactly_one_of_many(
    site, consultation, front_desk, book
):
    from clinic.services.appointment_status import appointment_cancel

    first = book()
    appointment_cancel(appointment=first, actor=front_desk, reason="Ill", now=NOW)
    room = first.room
    staff = practitioners_at(site, THREADS)
    patients = PatientFactory.create_batch(THREADS)

    def rebook(index):
        appointment_book(
            patient=patients[index],
            practitioner=staff[index],
            room=room,
            type=consultation,
            starts_at=first.starts_at,
            actor=front_desk,
            now=NOW,
        )
        return "booked"

    results = run_together(rebook)

    assert results.count("booked") == 1
    assert all(isinstance(r, BookingCollision) for r in results if r != "booked")
    assert Appointment.objects.active().count() == 1
    assert Appointment.objects.count() == 2
