import datetime as dt

import factory

from clinic.core.roles import Role
from clinic.models import (
    Appointment,
    AppointmentType,
    Location,
    Practitioner,
    Room,
    ScheduleException,
    WorkingHours,
)
from tests.factories.patients import PatientFactory
from tests.factories.users import UserFactory


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    name = factory.Sequence(lambda n: f"Site {n}")
    time_zone = "America/New_York"
    address = factory.Faker("address")


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    location = factory.SubFactory(LocationFactory)
    name = factory.Sequence(lambda n: f"Room {n}")
    kind = Room.Kind.CONSULT_ROOM


class PractitionerFactory(factory.django.DjangoModelFactory):
    """Its user cannot log in (an unusable password skips the slow hashing);
    pass user=UserFactory(...) for one that can."""

    class Meta:
        model = Practitioner

    user = factory.SubFactory(
        UserFactory,
        roles=[Role.CLINICIAN],
        password=factory.Transformer.Force("!"),  # Django's unusable-password mark
    )
    title = "MD"
    licence_number = factory.Sequence(lambda n: f"LIC-{n:06d}")


class WorkingHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingHours

    practitioner = factory.SubFactory(PractitionerFactory)
    location = factory.SubFactory(LocationFactory)
    weekday = 0
    start_time = dt.time(9)
    end_time = dt.time(17)


class ScheduleExceptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScheduleException

    practitioner = factory.SubFactory(PractitionerFactory)
    kind = ScheduleException.Kind.LEAVE
    date = dt.date(2026, 3, 2)


class AppointmentTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AppointmentType

    name = factory.Sequence(lambda n: f"Visit type {n}")
    default_duration_minutes = 30
    room_kind = Room.Kind.CONSULT_ROOM


class AppointmentFactory(factory.django.DjangoModelFactory):
    """Writes the row directly, bypassing the booking service's checks: for
    setting up a calendar, and for proving the database's own constraints."""

    class Meta:
        model = Appointment

    patient = factory.SubFactory(PatientFactory)
    practitioner = factory.SubFactory(PractitionerFactory)
    type = factory.SubFactory(AppointmentTypeFactory)
    room = factory.SubFactory(
        RoomFactory, kind=factory.SelfAttribute("..type.room_kind")
    )
    starts_at = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
    ends_at = factory.LazyAttribute(lambda a: a.starts_at + a.type.default_duration)
    blocks_until = factory.LazyAttribute(lambda a: a.ends_at + a.type.buffer_after)
    created_by = factory.SubFactory(
        UserFactory, password=factory.Transformer.Force("!")
    )
