"""Availability search: free start times for an appointment type.

Reads everything it needs for the whole date range in four queries (weekly
hours, exceptions, rooms, appointments), then computes in Python with
clinic.slots, so its cost in queries does not grow with days or slots.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db.models import Q

from clinic import slots
from clinic.models import (
    Appointment,
    AppointmentType,
    Location,
    Practitioner,
    Room,
    ScheduleException,
    WorkingHours,
)

MAX_DAYS = 31


@dataclass(frozen=True)
class Slot:
    starts_at: datetime  # in the location's time zone
    ends_at: datetime
    practitioner: Practitioner
    location: Location
    rooms: list[Room]


def availability_search(
    *,
    type: AppointmentType,
    date_from: date,
    date_to: date,
    now: datetime,
    practitioner: Practitioner | None = None,
    location: Location | None = None,
) -> list[Slot]:
    """Start times on the 15-minute local grid, local dates date_from..date_to
    (inclusive) at each location, from `now` on, where an active practitioner
    works, can take one more appointment of this type, and a suitable room is
    free for duration plus buffer: exactly what appointment_book would accept
    (without a manager's override). Callers keep the range within MAX_DAYS."""
    days = [
        date_from + timedelta(days=n) for n in range((date_to - date_from).days + 1)
    ]
    around = slots.utc_days_around(date_from, date_to)
    scope = {"practitioner__active": True, "location__active": True}
    if practitioner is not None:
        scope["practitioner"] = practitioner.pk
    if location is not None:
        scope["location"] = location.pk
    related = ("practitioner__user", "location")

    weekly = list(WorkingHours.objects.filter(**scope).select_related(*related))
    exceptions = list(
        ScheduleException.objects.filter(
            date__gte=around[0].date(),
            date__lte=around[1].date(),
            practitioner__active=True,
        )
        .filter(**({"practitioner": practitioner.pk} if practitioner else {}))
        .select_related(*related)
    )
    # Where each practitioner may work: weekly hours or extra hours there.
    pairs: dict[tuple[int, int], tuple[Practitioner, Location]] = {}
    for row in [*weekly, *exceptions]:
        is_leave = isinstance(row, ScheduleException) and row.kind == "leave"
        if row.location_id is None or is_leave:
            continue
        if location is not None and row.location_id != location.pk:
            continue
        if not row.location.active:
            continue
        pairs[(row.practitioner_id, row.location_id)] = (row.practitioner, row.location)
    if not pairs:
        return []
    location_ids = {loc_id for _, loc_id in pairs}
    rooms = list(
        Room.objects.filter(
            active=True, kind=type.room_kind, location__in=location_ids
        ).order_by("location_id", "name")
    )
    practitioner_ids = {p_id for p_id, _ in pairs}
    booked = list(
        Appointment.objects.active()
        .blocking(*around)
        .filter(Q(practitioner__in=practitioner_ids) | Q(room__in=rooms))
        .values_list(
            "practitioner_id", "room_id", "type_id", "starts_at", "blocks_until"
        )
    )

    by_practitioner: dict[int, list[slots.Busy]] = defaultdict(list)
    by_room: dict[int, list[slots.Busy]] = defaultdict(list)
    for p_id, r_id, t_id, start, end in booked:
        busy = slots.Busy(start, end, t_id)
        by_practitioner[p_id].append(busy)
        by_room[r_id].append(busy)
    weekly_of: dict[int, list[WorkingHours]] = defaultdict(list)
    for h in weekly:
        weekly_of[h.practitioner_id].append(h)
    exceptions_of: dict[int, list[ScheduleException]] = defaultdict(list)
    for e in exceptions:
        exceptions_of[e.practitioner_id].append(e)

    found: list[Slot] = []
    for (p_id, loc_id), (who, where) in pairs.items():
        here = [r for r in rooms if r.location_id == loc_id]
        if not here:
            continue
        tz = where.tz
        request = slots.SlotRequest(
            days=days,
            tz=tz,
            working={
                day: slots.working_intervals(
                    day=day,
                    tz=tz,
                    location_id=loc_id,
                    weekly=weekly_of[p_id],
                    exceptions=exceptions_of[p_id],
                )
                for day in days
            },
            practitioner_busy=by_practitioner[p_id],
            rooms_busy={r.pk: by_room[r.pk] for r in here},
            duration=type.default_duration,
            buffer=type.buffer_after,
            type_id=type.pk,
            max_parallel=type.max_parallel,
            not_before=now,
        )
        room_of = {r.pk: r for r in here}
        for start, free in slots.free_starts(request):
            local = start.astimezone(tz)
            found.append(
                Slot(
                    starts_at=local,
                    ends_at=(start + type.default_duration).astimezone(tz),
                    practitioner=who,
                    location=where,
                    rooms=[room_of[r] for r in free],
                )
            )
    # By instant: local times of one zone compare by wall clock, and the hour
    # repeated when DST ends would interleave.
    found.sort(
        key=lambda s: (s.starts_at.astimezone(UTC), s.practitioner.pk, s.location.pk)
    )
    return found
