"""Changing a practitioner's hours must not strand patients already booked.

`bookings_kept_covered` wraps a change of weekly hours or dated exceptions:
it notes which upcoming bookings were outside the practitioner's hours before
(a manager's override, or data older than this rule) and refuses the change if
any other upcoming booking falls outside them afterwards. Nested uses defer to
the outermost one, so the admin can save a whole set of rows (a block moved
into a gap is a delete plus a create) and be checked once, at the end.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta

from django.utils import timezone

from clinic import slots
from clinic.errors import HoursStrandAppointments
from clinic.models import Appointment, ScheduleException, WorkingHours

# Only bookings still ahead can be stranded; ones under way or done are history.
_UPCOMING = (Appointment.Status.BOOKED, Appointment.Status.CHECKED_IN)

_guarded: ContextVar[frozenset[int]] = ContextVar("hours_guarded", default=frozenset())


def uncovered_bookings(
    practitioner_id: int, *, now: datetime
) -> dict[int, Appointment]:
    """Upcoming bookings of the practitioner that their hours do not cover,
    by id. Four queries, whatever the number of bookings."""
    upcoming = list(
        Appointment.objects.filter(
            practitioner=practitioner_id, status__in=_UPCOMING, ends_at__gt=now
        ).select_related("room__location")
    )
    if not upcoming:
        return {}
    weekly = list(WorkingHours.objects.filter(practitioner=practitioner_id))
    first = min(a.starts_at for a in upcoming) - timedelta(days=1)
    last = max(a.ends_at for a in upcoming) + timedelta(days=1)
    exceptions = list(
        ScheduleException.objects.filter(
            practitioner=practitioner_id,
            date__gte=first.date(),
            date__lte=last.date(),
        )
    )
    uncovered = {}
    for appointment in upcoming:
        location = appointment.room.location
        span = (appointment.starts_at, appointment.ends_at)
        hours = slots.working_intervals_during(
            span,
            tz=location.tz,
            location_id=location.pk,
            weekly=weekly,
            exceptions=exceptions,
        )
        if not slots.covers(hours, span):
            uncovered[appointment.pk] = appointment
    return uncovered


@contextmanager
def bookings_kept_covered(
    practitioner_id: int,
    *,
    field: str = "non_field_errors",
    now: datetime | None = None,
) -> Iterator[None]:
    """Refuse (409 `hours_strand_appointments`, naming `field` and listing the
    bookings) a change that leaves upcoming bookings outside the practitioner's
    hours. Use inside the transaction that makes the change, after locking the
    practitioner."""
    if practitioner_id in _guarded.get():
        yield  # an outer guard checks the whole batch
        return
    now = now or timezone.now()
    before = uncovered_bookings(practitioner_id, now=now)
    token = _guarded.set(_guarded.get() | {practitioner_id})
    try:
        yield
    finally:
        _guarded.reset(token)
    stranded = [
        a
        for pk, a in uncovered_bookings(practitioner_id, now=now).items()
        if pk not in before
    ]
    if stranded:
        raise HoursStrandAppointments(
            f"{len(stranded)} booked appointment(s) would fall outside the"
            " practitioner's hours; move or cancel them first.",
            errors={field: ["Patients are booked in these hours."]},
            extra={
                "appointments": [
                    {
                        "appointment": str(a.public_id),
                        "starts_at": a.starts_at.isoformat(),
                        "ends_at": a.ends_at.isoformat(),
                    }
                    for a in sorted(stranded, key=lambda a: (a.starts_at, a.pk))
                ]
            },
        )
