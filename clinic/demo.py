"""The demo clinic's places and calendar (its staff: clinic/core/demo_staff.py).
Idempotent: safe to run twice."""

import itertools
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, time, timedelta

from django.utils import timezone

from clinic.core.demo_staff import demo_staff_user, demo_user
from clinic.core.roles import Role
from clinic.core.users import User
from clinic.errors import BookingCollision
from clinic.models import Appointment, AppointmentType, Location, Practitioner, Room
from clinic.services.appointment_types import appointment_type_create
from clinic.services.appointments import appointment_book
from clinic.services.availability import Slot, availability_search
from clinic.services.locations import location_create
from clinic.services.practitioners import practitioner_create, working_hours_create
from clinic.services.rooms import room_create
from patients.models import Patient

DEMO_LOCATIONS = [
    (
        "Pacific Regenerative Clinic",
        "America/Los_Angeles",
        "120 Harbor Way, San Diego, CA",
    ),
    ("Atlantic Regenerative Clinic", "America/New_York", "45 Park Row, New York, NY"),
]


def seed_places(*, say: Callable[[str], None]) -> None:
    manager = demo_user("manager")
    for name, tz, address in DEMO_LOCATIONS:
        if not Location.objects.filter(name=name).exists():
            location_create(name=name, time_zone=tz, address=address, actor=manager)
    say(f"locations: {Location.objects.count()}")


# The calendar ---------------------------------------------------------------

PACIFIC, ATLANTIC = (name for name, _tz, _address in DEMO_LOCATIONS)
DEMO_ROOMS = [
    ("Consult 1", "consult_room"),
    ("Consult 2", "consult_room"),
    ("Procedure 1", "procedure_room"),
    *[(f"Infusion chair {n}", "infusion_chair") for n in range(1, 5)],
]
# name, minutes, room kind, buffer after, observation, parallel limit
# (docs/product.md, "Scheduling")
DEMO_TYPES = [
    ("Consultation", 30, "consult_room", 10, 0, 1),
    ("IV infusion", 90, "infusion_chair", 15, 30, 4),
    ("Intranasal or injection visit", 30, "procedure_room", 10, 15, 1),
    ("Follow-up", 20, "consult_room", 5, 0, 1),
]
_WEEKDAYS = range(5)
# [(location, weekdays, start, end)]
_Hours = list[tuple[str, Iterable[int], str, str]]
# username, first, last, title, licence, hours, books
DEMO_PRACTITIONERS: list[tuple[str, str, str, str, str, _Hours, list[str]]] = [
    (
        "clinician", "Casey", "Clinician", "MD", "CA-MD-104233",
        [(PACIFIC, _WEEKDAYS, "09:00", "17:00")],
        ["Consultation", "Follow-up"],
    ),
    (
        "dr.chen", "Avery", "Chen", "MD", "NY-MD-220871",
        [(ATLANTIC, _WEEKDAYS, "08:00", "16:00")],
        ["Consultation", "Intranasal or injection visit"],
    ),
    (
        "nurse.okafor", "Ngozi", "Okafor", "RN", "CA-RN-553120",
        [(PACIFIC, (0, 2, 4), "08:00", "18:00"), (ATLANTIC, (1, 3), "08:00", "18:00")],
        ["IV infusion"],
    ),
    (
        "np.rivera", "Sam", "Rivera", "NP", "NY-NP-310044",
        [(ATLANTIC, (0, 1, 2, 3), "10:00", "18:00"), (PACIFIC, (4,), "09:00", "15:00")],
        ["Intranasal or injection visit", "Follow-up"],
    ),
]  # fmt: skip
DEMO_PATIENTS_BOOKED = 20


def seed_calendar(*, say: Callable[[str], None]) -> None:
    """Rooms, appointment types, four practitioners with their week, and a week
    of appointments booked through the booking service. Idempotent."""
    manager = demo_user("manager")
    locations = {
        loc.name: loc for loc in Location.objects.filter(name__in=[PACIFIC, ATLANTIC])
    }
    for location in locations.values():
        for name, kind in DEMO_ROOMS:
            if not Room.objects.filter(location=location, name=name).exists():
                room_create(location=location, name=name, kind=kind, actor=manager)
    types = {}
    for name, minutes, kind, buffer, observation, parallel in DEMO_TYPES:
        types[name] = AppointmentType.objects.filter(name=name).first() or (
            appointment_type_create(
                name=name,
                default_duration_minutes=minutes,
                room_kind=kind,
                buffer_after_minutes=buffer,
                observation_minutes=observation,
                max_parallel=parallel,
                actor=manager,
            )
        )
    plan = []
    for username, first, last, title, licence, hours, books in DEMO_PRACTITIONERS:
        practitioner = _demo_practitioner(
            username, first, last, title, licence, hours, locations, manager
        )
        plan += [(practitioner, types[name]) for name in books]
    booked = _book_demo_week(plan, desk=demo_user("frontdesk"), manager=manager)
    say(
        f"rooms: {Room.objects.count()}, practitioners: {Practitioner.objects.count()},"
        f" appointments booked now: {booked}, in all: {Appointment.objects.count()}"
    )


def _demo_practitioner(
    username: str,
    first: str,
    last: str,
    title: str,
    licence: str,
    hours: _Hours,
    locations: dict[str, Location],
    manager: User,
) -> Practitioner:
    # Practitioners only: no demo login.
    user = demo_staff_user(
        username=username, first=first, last=last, role=Role.CLINICIAN
    )
    practitioner = Practitioner.objects.filter(
        user=user
    ).first() or practitioner_create(
        user=user, title=title, licence_number=licence, actor=manager
    )
    if not practitioner.working_hours.exists():
        for place, weekdays, start, end in hours:
            for weekday in weekdays:
                working_hours_create(
                    practitioner=practitioner,
                    location=locations[place],
                    weekday=weekday,
                    start_time=time.fromisoformat(start),
                    end_time=time.fromisoformat(end),
                    actor=manager,
                )
    return practitioner


def _demo_patients() -> list[Patient]:
    """The patients seeder's patients (it runs first); booked in rotation."""
    return list(
        Patient.objects.filter(active=True).order_by("pk")[:DEMO_PATIENTS_BOOKED]
    )


def _book_demo_week(
    plan: list[tuple[Practitioner, AppointmentType]], *, desk: User, manager: User
) -> int:
    """From tomorrow, a week of appointments at free times the availability
    search offers (infusions staggered so the nurse watches several chairs)."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    if Appointment.objects.filter(starts_at__date__gte=tomorrow).exists():
        return 0
    patients = _demo_patients()
    if not patients:
        return 0
    rotation = itertools.cycle(patients)
    now = timezone.now()
    booked = 0
    for offset in range(7):
        day = tomorrow + timedelta(days=offset)
        for practitioner, appointment_type in plan:
            found = availability_search(
                type=appointment_type,
                date_from=day,
                date_to=day,
                practitioner=practitioner,
                now=now,
            )
            parallel = appointment_type.max_parallel > 1
            for slot in found[:: 2 if parallel else 8][: 4 if parallel else 2]:
                booked += _book_slot(
                    slot, appointment_type, rotation, len(patients), desk=desk, now=now
                )
    return booked


def _book_slot(
    slot: Slot,
    appointment_type: AppointmentType,
    rotation: Iterator[Patient],
    patient_count: int,
    *,
    desk: User,
    now: datetime,
) -> int:
    """Book the slot for the next patient free then, in the first free room
    (the slot's rooms were free before this week's earlier bookings)."""
    for room in slot.rooms:
        for _ in range(patient_count):
            try:
                appointment_book(
                    patient=next(rotation),
                    practitioner=slot.practitioner,
                    room=room,
                    type=appointment_type,
                    starts_at=slot.starts_at,
                    notes="Demo booking.",
                    actor=desk,
                    now=now,
                )
                return 1
            except BookingCollision as refused:
                taken = {c["resource"] for c in refused.extra["collisions"]}
                if taken != {"patient"}:
                    break  # the room (or practitioner) is taken: next room
    return 0
