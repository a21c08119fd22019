"""A small clinic calendar for the scheduling tests: one New York location,
one practitioner working weekdays 09:00-17:00 there, consult rooms, a
30-minute consultation. Times are fixed: the week of Monday 2026-03-02."""

import datetime as dt
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import pytest
import time_machine

from clinic.models import Appointment, AppointmentStatusChange, Room
from clinic.services.appointments import appointment_book
from tests.factories.clinic import (
    AppointmentTypeFactory,
    LocationFactory,
    PractitionerFactory,
    RoomFactory,
    WorkingHoursFactory,
)
from tests.factories.patients import PatientFactory

NEW_YORK = ZoneInfo("America/New_York")
MONDAY = dt.date(2026, 3, 2)
# The Sunday before, noon in New York: every test booking lies ahead of it.
NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=NEW_YORK)


def at(day: dt.date, hhmm: str, tz: ZoneInfo = NEW_YORK) -> dt.datetime:
    """An aware instant from a local wall-clock time."""
    hours, minutes = map(int, hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(hours, minutes), tzinfo=tz)


@contextmanager
def nothing_written():
    """Wrap a refused call: no appointment, status-change or history row may
    appear (an update that was refused leaves no history entry either)."""

    def counts() -> tuple[int, int, int]:
        return (
            Appointment.objects.count(),
            AppointmentStatusChange.objects.count(),
            Appointment.history.count(),
        )

    before = counts()
    yield
    assert counts() == before, "a refused call wrote rows"


@pytest.fixture
def frozen_now():
    """For API tests, which cannot pass now=: the clock stands at NOW."""
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def site(db):
    return LocationFactory(name="Manhattan", time_zone="America/New_York")


@pytest.fixture
def doctor(site):
    practitioner = PractitionerFactory(user__first_name="Dana", user__last_name="Doe")
    for weekday in range(5):
        WorkingHoursFactory(practitioner=practitioner, location=site, weekday=weekday)
    return practitioner


@pytest.fixture
def consult_room(site):
    return RoomFactory(location=site, name="Consult 1", kind=Room.Kind.CONSULT_ROOM)


@pytest.fixture
def second_room(site):
    return RoomFactory(location=site, name="Consult 2", kind=Room.Kind.CONSULT_ROOM)


@pytest.fixture
def consultation(db):
    return AppointmentTypeFactory(
        name="Consultation", default_duration_minutes=30, buffer_after_minutes=0
    )


@pytest.fixture
def patient(db):
    return PatientFactory()


@pytest.fixture
def book(doctor, consult_room, consultation, patient, front_desk):
    """appointment_book with the scene's defaults; override any argument."""

    def _book(**overrides):
        arguments = {
            "patient": patient,
            "practitioner": doctor,
            "room": consult_room,
            "type": consultation,
            "starts_at": at(MONDAY, "10:00"),
            "actor": front_desk,
            "now": NOW,
            **overrides,
        }
        return appointment_book(**arguments)

    return _book
