"""Practitioners, their weekly hours and their dated exceptions."""

from datetime import date, time
from typing import Any

from django.db import transaction

from clinic import slots
from clinic.core.audit import audited_save
from clinic.core.locking import lock
from clinic.core.users import User
from clinic.errors import (
    LeaveOverlapsAppointments,
    PractitionerNotStaff,
    WorkingHoursOverlap,
)
from clinic.models import (
    Appointment,
    Location,
    Practitioner,
    ScheduleException,
    WorkingHours,
)
from clinic.services.coverage import bookings_kept_covered
from clinic.services.editing import apply_changes


@transaction.atomic
def practitioner_create(
    *, user: Any, title: str, licence_number: str, actor: User
) -> Practitioner:
    """Give an active staff user a practitioner profile; raises
    PractitionerNotStaff, or ValidationError (one profile per user, licence
    number required and unique)."""
    if not (user.is_active and user.is_staff):
        raise PractitionerNotStaff.for_field(
            "user", "Only active staff users can be practitioners."
        )
    practitioner = Practitioner(user=user, title=title, licence_number=licence_number)
    practitioner.full_clean()
    audited_save(practitioner, actor=actor)
    return practitioner


@transaction.atomic
def practitioner_update(
    *, practitioner: Practitioner, actor: User, **changes: Any
) -> Practitioner:
    """Change title, licence number or active; an inactive practitioner takes no
    new bookings (booked ones stay). Raises ValidationError."""
    apply_changes(practitioner, changes, allowed={"title", "licence_number", "active"})
    practitioner.full_clean()
    audited_save(practitioner, actor=actor)
    return practitioner


def _lock(practitioner: Practitioner) -> None:
    # Serialises edits of one practitioner's hours, so two overlapping blocks
    # cannot both pass the overlap check.
    lock(Practitioner, practitioner.pk)


def _check_no_overlap(hours: WorkingHours) -> None:
    clash = (
        WorkingHours.objects.filter(
            practitioner=hours.practitioner_id,
            weekday=hours.weekday,
            start_time__lt=hours.end_time,
            end_time__gt=hours.start_time,
        )
        .exclude(pk=hours.pk)
        .select_related("location")
        .first()
    )
    if clash is not None:
        raise WorkingHoursOverlap.for_field(
            "start_time",
            f"Overlaps {clash} at {clash.location}: a practitioner works in one"
            " place at a time.",
        )


@transaction.atomic
def working_hours_create(
    *,
    practitioner: Practitioner,
    location: Location,
    weekday: int,
    start_time: time,
    end_time: time,
    actor: User,
) -> WorkingHours:
    """Add a weekly block; raises ValidationError (end after start) or
    WorkingHoursOverlap (overlaps another block of that weekday, any location)."""
    hours = WorkingHours(
        practitioner=practitioner,
        location=location,
        weekday=weekday,
        start_time=start_time,
        end_time=end_time,
    )
    return _save_hours(hours, actor=actor)


@transaction.atomic
def working_hours_update(
    *, hours: WorkingHours, actor: User, **changes: Any
) -> WorkingHours:
    """Change a weekly block; same refusals as working_hours_create, and
    HoursStrandAppointments (409) if upcoming bookings would fall outside the
    practitioner's hours: move or cancel them first."""
    apply_changes(
        hours, changes, allowed={"location", "weekday", "start_time", "end_time"}
    )
    return _save_hours(hours, actor=actor)


def _save_hours(hours: WorkingHours, *, actor: User) -> WorkingHours:
    hours.full_clean()
    _lock(hours.practitioner)
    _check_no_overlap(hours)
    with bookings_kept_covered(hours.practitioner_id, field="start_time"):
        audited_save(hours, actor=actor)
    return hours


@transaction.atomic
def working_hours_delete(*, hours: WorkingHours, actor: User) -> None:
    """Remove a weekly block (configuration, not a clinical record); the
    history keeps it. Raises HoursStrandAppointments (409) if upcoming
    bookings need it."""
    _lock(hours.practitioner)
    with bookings_kept_covered(hours.practitioner_id):
        # Read by simple-history off the instance (no stub declares it).
        hours._history_user = actor  # type: ignore[attr-defined]
        hours.delete()


@transaction.atomic
def schedule_exception_create(
    *,
    practitioner: Practitioner,
    kind: str,
    date: date,
    location: Location | None = None,
    start_time: time | None = None,
    end_time: time | None = None,
    reason: str = "",
    actor: User,
) -> ScheduleException:
    """Record leave or extra hours; raises ValidationError (times both or
    neither, end after start, extra hours need a location and times) or
    LeaveOverlapsAppointments (409: move or cancel them first)."""
    exception = ScheduleException(
        practitioner=practitioner,
        kind=kind,
        date=date,
        location=location,
        start_time=start_time,
        end_time=end_time,
        reason=reason,
        created_by=actor,
    )
    return _save_exception(exception, actor=actor)


@transaction.atomic
def schedule_exception_update(
    *, exception: ScheduleException, actor: User, **changes: Any
) -> ScheduleException:
    """Change an exception; same refusals as schedule_exception_create, and
    HoursStrandAppointments (409) if extra hours that upcoming bookings need
    would move or shrink."""
    apply_changes(
        exception,
        changes,
        allowed={"kind", "date", "location", "start_time", "end_time", "reason"},
    )
    return _save_exception(exception, actor=actor)


@transaction.atomic
def schedule_exception_delete(*, exception: ScheduleException, actor: User) -> None:
    """Remove an exception (e.g. leave that was called off); history keeps it.
    Raises HoursStrandAppointments (409) for extra hours upcoming bookings need."""
    _lock(exception.practitioner)
    with bookings_kept_covered(exception.practitioner_id):
        # Read by simple-history off the instance (no stub declares it).
        exception._history_user = actor  # type: ignore[attr-defined]
        exception.delete()


def _save_exception(exception: ScheduleException, *, actor: User) -> ScheduleException:
    exception.full_clean()
    _lock(exception.practitioner)
    if exception.kind == ScheduleException.Kind.LEAVE:
        _check_leave_is_free(exception)
    with bookings_kept_covered(exception.practitioner_id, field="date"):
        audited_save(exception, actor=actor)
    return exception


def _check_leave_is_free(leave: ScheduleException) -> None:
    """Booked patients must not be left with an absent practitioner."""
    # Wide enough for the date in any zone; narrowed per location below.
    around = slots.utc_days_around(leave.date, leave.date)
    candidates = (
        Appointment.objects.active()
        .filter(practitioner=leave.practitioner_id)
        .blocking(*around)
        .select_related("room__location")
    )
    if leave.location_id is not None:
        candidates = candidates.filter(room__location=leave.location_id)
    during = []
    for appointment in candidates:
        tz = appointment.room.location.tz
        span = slots.exception_span(leave, tz)
        if slots.overlaps(span, (appointment.starts_at, appointment.ends_at)):
            during.append(appointment)
    if during:
        listed = [
            {
                "appointment": str(a.public_id),
                "starts_at": a.starts_at.isoformat(),
                "ends_at": a.ends_at.isoformat(),
            }
            for a in during
        ]
        raise LeaveOverlapsAppointments(
            f"{len(during)} booked appointment(s) fall in this leave; move or"
            " cancel them first.",
            errors={"date": ["The practitioner has appointments booked then."]},
            extra={"appointments": listed},
        )
