"""Booking and moving appointments: the one place that keeps rooms, patients
and practitioners from being double-booked.

Every write here runs in one transaction that first locks the practitioner,
room and patient rows it is about to use (so concurrent bookings of the same
resources queue up; SQLite's IMMEDIATE transactions queue all writers), then
checks every collision, then the other rules, then full_clean() and saves. On
PostgreSQL, exclusion constraints (migration 0004) also hold room and patient
exclusivity, so even a write that skipped this module could not double-book.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from clinic import slots
from clinic.core.audit import audited_save
from clinic.core.dates import refuse_dates_out_of_range
from clinic.core.locking import lock
from clinic.core.roles import Role, has_role
from clinic.core.users import User
from clinic.errors import (
    AppointmentNotMovable,
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
from clinic.models import (
    Appointment,
    AppointmentStatusChange,
    AppointmentType,
    Practitioner,
    Room,
    ScheduleException,
    WorkingHours,
)
from clinic.models.appointments import MAX_APPOINTMENT_LENGTH
from clinic.services.editing import clean_own_fields
from patients.errors import PatientInactive
from patients.models import Patient

# A walk-in may be booked onto the grid slot that has just begun.
PAST_START_GRACE = timedelta(minutes=15)
# Names of the PostgreSQL exclusion constraints (migration 0004) -> resource.
EXCLUSION_CONSTRAINTS = {
    "appointment_room_no_overlap": "room",
    "appointment_patient_no_overlap": "patient",
}
SCHEDULING_FIELDS = ("starts_at", "ends_at", "practitioner", "room", "type")


def appointment_book(
    *,
    patient: Patient,
    practitioner: Practitioner,
    room: Room,
    type: AppointmentType,
    starts_at: datetime,
    ends_at: datetime | None = None,
    notes: str = "",
    override_reason: str = "",
    actor: User,
    now: datetime | None = None,
) -> Appointment:
    """Book an appointment (end defaults to the type's duration). Raises
    BookingCollision (409, every collision listed), OverrideNotPermitted (403),
    or a RuleViolation (400) naming the field: time range, duration, start in
    the past, inactive patient/practitioner/room/type, wrong room kind, room at
    another location, practitioner not at the location, outside working hours
    (managers may override with a reason)."""
    now = now or timezone.now()
    # Before any arithmetic: near year 1 or 9999 the end or UTC does not exist.
    refuse_dates_out_of_range(starts_at=starts_at, ends_at=ends_at)
    starts_at = _utc(starts_at)
    with transaction.atomic():
        practitioner, room, patient = _lock(practitioner, room, patient)
        appointment = Appointment(
            patient=patient,
            practitioner=practitioner,
            room=room,
            type=type,
            starts_at=starts_at,
            ends_at=_utc(ends_at) if ends_at else starts_at + type.default_duration,
            notes=notes,
            override_reason=override_reason.strip(),
            created_by=actor,
        )
        _check_schedule(appointment, actor=actor, now=now, check_start=True)
        _save_holding_time(appointment, actor=actor)
        record_status_change(appointment, from_status="", actor=actor, at=now)
    return appointment


def appointment_move(
    *,
    appointment: Appointment,
    actor: User,
    now: datetime | None = None,
    **changes: Any,
) -> Appointment:
    """Change time, practitioner, room or type (checked exactly like a new
    booking, against every appointment but this one), and/or notes. Without a
    new end, a new start keeps the duration (a new type: its default duration).
    A time change needs the override reason again when outside working hours.
    Raises what appointment_book raises, and AppointmentNotMovable (400) unless
    booked or checked in."""
    now = now or timezone.now()
    allowed = {*SCHEDULING_FIELDS, "notes", "override_reason"}
    if set(changes) - allowed:
        raise TypeError(f"appointment_move() cannot change {set(changes) - allowed}")
    refuse_dates_out_of_range(
        **{f: changes[f] for f in ("starts_at", "ends_at") if f in changes}
    )
    for field in ("starts_at", "ends_at"):
        if field in changes:
            changes[field] = _utc(changes[field])
    with transaction.atomic():
        # The appointment, then its resources (clinic.core.locking.LOCK_ORDER).
        current = lock(Appointment, appointment.pk)
        moved = [
            f
            for f in SCHEDULING_FIELDS
            if f in changes and changes[f] != getattr(current, f)
        ]
        if not moved and all(changes[f] == getattr(current, f) for f in changes):
            return current
        if "notes" in changes:
            current.notes = changes["notes"]
        if moved:
            if not current.is_movable:
                raise AppointmentNotMovable.for_field(
                    moved[0],
                    f"A {current.get_status_display().lower()} appointment cannot be"
                    " moved.",
                )
            _apply_move(current, changes)
            current.practitioner, current.room, current.patient = _lock(
                current.practitioner, current.room, current.patient
            )
            _check_schedule(
                current, actor=actor, now=now, check_start="starts_at" in moved
            )
        elif "override_reason" in changes:
            _check_override_allowed(changes["override_reason"], actor=actor)
            current.override_reason = changes["override_reason"].strip()
        _save_holding_time(current, actor=actor)
    return current


def _apply_move(current: Appointment, changes: dict[str, Any]) -> None:
    duration = current.duration
    if "type" in changes and changes["type"] != current.type:
        duration = changes["type"].default_duration
    for field in SCHEDULING_FIELDS:
        if field in changes:
            setattr(current, field, changes[field])
    if "ends_at" not in changes:
        current.ends_at = current.starts_at + duration
    # The old reason was for the old time; a move outside hours needs its own.
    current.override_reason = changes.get("override_reason", "").strip()


def _utc(value: datetime) -> datetime:
    # In UTC, adding a duration adds real time; in a zone with DST, Python
    # adds wall-clock time and subtracts wall-clock times.
    if timezone.is_naive(value):
        raise TypeError("appointment times must be aware datetimes")
    return value.astimezone(UTC)


def _lock(
    practitioner: Practitioner, room: Room, patient: Patient
) -> tuple[Practitioner, Room, Patient]:
    """Lock (and re-read) the three rows a booking holds, in the project's
    lock order (clinic.core.locking), so concurrent bookings queue instead of
    deadlocking. The practitioner lock is what keeps the parallel limit under
    concurrency."""
    return (
        lock(Practitioner.objects.select_related("user"), practitioner.pk),
        lock(Room.objects.select_related("location"), room.pk),
        lock(Patient, patient.pk),
    )


def _check_schedule(
    appointment: Appointment, *, actor: User, now: datetime, check_start: bool
) -> None:
    _check_override_allowed(appointment.override_reason, actor=actor)
    _check_times(appointment, now=now, check_start=check_start)
    appointment.blocks_until = appointment.ends_at + appointment.type.buffer_after
    collisions = find_collisions(appointment)
    if collisions:
        raise _collision_error(collisions)
    _check_parties(appointment)
    _check_working_hours(appointment)


def _check_override_allowed(override_reason: str, *, actor: User) -> None:
    if override_reason.strip() and not has_role(actor, Role.MANAGER):
        raise OverrideNotPermitted.for_field(
            "override_reason", "Only a manager may book outside working hours."
        )


def _check_times(appointment: Appointment, *, now: datetime, check_start: bool) -> None:
    duration = appointment.ends_at - appointment.starts_at
    if duration <= timedelta(0):
        raise InvalidTimeRange.for_field("ends_at", "Must be after the start.")
    if duration % timedelta(minutes=1) or duration > MAX_APPOINTMENT_LENGTH:
        raise InvalidDuration.for_field(
            "ends_at", "The duration must be a whole number of minutes, at most 12 h."
        )
    if check_start and appointment.starts_at < now - PAST_START_GRACE:
        raise StartsInPast.for_field("starts_at", "Must not be in the past.")


def find_collisions(appointment: Appointment) -> list[dict[str, str]]:
    """Every active appointment (but this one) that holds this one's room,
    patient, or practitioner (beyond the type's parallel limit) during
    [starts_at, blocks_until), one entry per resource."""
    held = (appointment.starts_at, appointment.blocks_until)
    others = list(
        Appointment.objects.active()
        .blocking(*held)
        .filter(
            Q(room=appointment.room_id)
            | Q(patient=appointment.patient_id)
            | Q(practitioner=appointment.practitioner_id)
        )
        .exclude(pk=appointment.pk)
        .order_by("starts_at", "id")
    )
    practitioner_busy = [
        slots.Busy(o.starts_at, o.blocks_until, o.type_id, ref=o)
        for o in others
        if o.practitioner_id == appointment.practitioner_id
    ]
    hits = {
        "practitioner": [
            b.ref
            for b in slots.practitioner_conflicts(
                practitioner_busy,
                held,
                type_id=appointment.type_id,
                max_parallel=appointment.type.max_parallel,
            )
        ],
        "room": [o for o in others if o.room_id == appointment.room_id],
        "patient": [o for o in others if o.patient_id == appointment.patient_id],
    }
    return [
        {
            "resource": resource,
            "appointment": str(other.public_id),
            "starts_at": other.starts_at.isoformat(),
            "ends_at": other.ends_at.isoformat(),
        }
        for resource, rows in hits.items()
        for other in sorted(rows, key=lambda o: (o.starts_at, o.pk))
    ]


def _collision_error(collisions: list[dict[str, str]]) -> BookingCollision:
    errors: dict[str, list[str]] = {}
    for c in collisions:
        errors.setdefault(c["resource"], []).append(
            f"Already booked from {c['starts_at']} to {c['ends_at']}"
            f" (appointment {c['appointment']})."
        )
    return BookingCollision(
        f"That time is taken for the {', '.join(errors)}.",
        errors=errors,
        extra={"collisions": collisions},
    )


def _check_parties(appointment: Appointment) -> None:
    if not appointment.patient.active:
        raise PatientInactive.for_field("patient", "The patient is deactivated.")
    if not appointment.practitioner.active:
        raise PractitionerInactive.for_field(
            "practitioner", "The practitioner is inactive."
        )
    if not appointment.room.active:
        raise RoomInactive.for_field("room", "The room is inactive.")
    if not appointment.room.location.active:
        raise RoomInactive.for_field("room", "The room's location is closed.")
    if not appointment.type.active:
        raise AppointmentTypeInactive.for_field(
            "type", "This appointment type is no longer offered."
        )
    if appointment.room.kind != appointment.type.room_kind:
        raise WrongRoomKind.for_field(
            "room",
            f"A {appointment.type} needs a"
            f" {appointment.type.get_room_kind_display().lower()}, not a"
            f" {appointment.room.get_kind_display().lower()}.",
        )


def _check_working_hours(appointment: Appointment) -> None:
    """Inside the practitioner's hours at the room's location; a manager's
    override reason lifts this, unless they work at another location then or
    never work at this one."""
    span = (appointment.starts_at, appointment.ends_at)
    location = appointment.room.location
    weekly = list(
        WorkingHours.objects.filter(
            practitioner=appointment.practitioner_id
        ).select_related("location")
    )
    days = slots.local_dates(span, location.tz)
    around = slots.utc_days_around(days[0], days[-1])
    exceptions = list(
        ScheduleException.objects.filter(
            practitioner=appointment.practitioner_id,
            date__gte=around[0].date(),
            date__lte=around[1].date(),
        ).select_related("location")
    )
    places = {h.location_id: h.location for h in weekly} | {
        e.location_id: e.location for e in exceptions if e.location is not None
    }

    def hours_at(place: Any) -> list[slots.Interval]:
        return slots.working_intervals_during(
            span,
            tz=place.tz,
            location_id=place.pk,
            weekly=weekly,
            exceptions=exceptions,
        )

    if slots.covers(hours_at(location), span):
        return
    if not any(
        slots.works_at(
            day=day, location_id=location.pk, weekly=weekly, exceptions=exceptions
        )
        for day in days
    ):
        raise PractitionerNotAtLocation.for_field(
            "practitioner",
            f"The practitioner does not work at {location}; add hours or extra"
            " hours there first.",
        )
    for place in places.values():
        if place.pk != location.pk and slots.covers(hours_at(place), span):
            raise RoomAtOtherLocation.for_field(
                "room",
                f"At that time the practitioner works at {place}, not at {location}.",
            )
    if appointment.override_reason:
        return  # _check_override_allowed has made sure a manager wrote it
    raise OutsideWorkingHours.for_field(
        "starts_at",
        "Outside the practitioner's working hours at this location (a manager"
        " may book it with an override reason).",
    )


def _save_holding_time(appointment: Appointment, *, actor: User) -> None:
    clean_own_fields(appointment)
    try:
        # A savepoint, so the transaction survives a refused write.
        with transaction.atomic():
            audited_save(appointment, actor=actor)
    except IntegrityError as exc:
        resource = EXCLUSION_CONSTRAINTS.get(_constraint_name(exc))
        if resource is None:
            raise
        # Only reachable by a write that did not lock like this module does;
        # the constraint still refuses it, and the caller gets the same 409.
        collisions = find_collisions(appointment) or [
            {"resource": resource, "appointment": "", "starts_at": "", "ends_at": ""}
        ]
        raise _collision_error(collisions) from exc


def _constraint_name(exc: IntegrityError) -> str:
    """The violated constraint's name (PostgreSQL's diagnostics), or ""."""
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None) or ""


def record_status_change(
    appointment: Appointment,
    *,
    from_status: str,
    actor: User,
    at: datetime,
    reason: str = "",
) -> AppointmentStatusChange:
    change = AppointmentStatusChange(
        appointment=appointment,
        from_status=from_status,
        to_status=appointment.status,
        at=at,
        by=actor,
        reason=reason,
    )
    clean_own_fields(change)
    audited_save(change, actor=actor)
    return change
