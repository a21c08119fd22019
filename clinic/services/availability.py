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
from clinic.core.dates import refuse_dates_out_of_range
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
    free for duration plus buffer: exactly what appointment_book accepts for a
    free patient (without a manager's override). Callers keep the range within
    MAX_DAYS."""
    refuse_dates_out_of_range(date_from=date_from, date_to=date_to)
    days = [
        date_from + timedelta(days=n) for n in range((date_to - date_from).days + 1)
    ]
    around = slots.utc_days_around(date_from, date_to)
    weekly, exceptions = _hours_and_exceptions(around, practitioner, location)
    pairs = _who_works_where(weekly, exceptions, location)
    rooms = list(
        Room.objects.filter(
            active=True,
            kind=type.room_kind,
            location__in={location_id for _, location_id in pairs},
        ).order_by("location_id", "name")
    )
    if not pairs or not rooms:
        return []
    by_practitioner, by_room = _busy(around, {p for p, _ in pairs}, rooms)

    found: list[Slot] = []
    # by location
    free_rooms_memo: dict[int, dict[slots.Interval, list[int]]] = defaultdict(dict)
    for (practitioner_id, location_id), (who, where) in pairs.items():
        room_of = {r.pk: r for r in rooms if r.location_id == location_id}
        request = slots.SlotRequest(
            days=days,
            tz=where.tz,
            working={
                day: slots.working_intervals(
                    day=day,
                    tz=where.tz,
                    location_id=location_id,
                    weekly=weekly[practitioner_id],
                    exceptions=exceptions[practitioner_id],
                )
                for day in days
            },
            practitioner_busy=by_practitioner[practitioner_id],
            rooms_busy={room_id: by_room[room_id] for room_id in room_of},
            duration=type.default_duration,
            buffer=type.buffer_after,
            type_id=type.pk,
            max_parallel=type.max_parallel,
            not_before=now,
            free_rooms_memo=free_rooms_memo[location_id],
        )
        found += [
            Slot(
                starts_at=start.astimezone(where.tz),
                ends_at=(start + type.default_duration).astimezone(where.tz),
                practitioner=who,
                location=where,
                rooms=[room_of[r] for r in free],
            )
            for start, free in slots.free_starts(request)
        ]
    # By instant: local times of one zone compare by wall clock, and the hour
    # repeated when DST ends would interleave.
    found.sort(
        key=lambda s: (s.starts_at.astimezone(UTC), s.practitioner.pk, s.location.pk)
    )
    return found


def _hours_and_exceptions(
    around: slots.Interval, practitioner: Practitioner | None, location: Location | None
) -> tuple[dict[int, list[WorkingHours]], dict[int, list[ScheduleException]]]:
    """Two queries: active practitioners' weekly hours (at open locations) and
    their exceptions in the range, by practitioner id. Leave without a location
    applies everywhere, so exceptions are not narrowed to `location`."""
    hours = WorkingHours.objects.filter(
        practitioner__active=True, location__active=True
    )
    dated = ScheduleException.objects.filter(
        practitioner__active=True,
        date__gte=around[0].date(),
        date__lte=around[1].date(),
    )
    if practitioner is not None:
        hours = hours.filter(practitioner=practitioner.pk)
        dated = dated.filter(practitioner=practitioner.pk)
    if location is not None:
        hours = hours.filter(location=location.pk)
    weekly: dict[int, list[WorkingHours]] = defaultdict(list)
    for h in hours.select_related("practitioner__user", "location"):
        weekly[h.practitioner_id].append(h)
    exceptions: dict[int, list[ScheduleException]] = defaultdict(list)
    for e in dated.select_related("practitioner__user", "location"):
        exceptions[e.practitioner_id].append(e)
    return weekly, exceptions


def _who_works_where(
    weekly: dict[int, list[WorkingHours]],
    exceptions: dict[int, list[ScheduleException]],
    location: Location | None,
) -> dict[tuple[int, int], tuple[Practitioner, Location]]:
    """(practitioner, location) pairs with weekly or extra hours there."""
    pairs = {}
    extra = [
        e
        for rows in exceptions.values()
        for e in rows
        if e.kind == ScheduleException.Kind.EXTRA_HOURS
    ]
    blocks: list[WorkingHours | ScheduleException] = [
        *(h for rows in weekly.values() for h in rows),
        *extra,
    ]
    for row in blocks:
        place = row.location  # extra hours always name one (a constraint)
        if place is None or not place.active:
            continue
        if location is not None and place.pk != location.pk:
            continue
        pairs[(row.practitioner_id, place.pk)] = (row.practitioner, place)
    return pairs


def _busy(
    around: slots.Interval, practitioner_ids: set[int], rooms: list[Room]
) -> tuple[dict[int, list[slots.Busy]], dict[int, list[slots.Busy]]]:
    """One query: the time held in the range, by practitioner and by room."""
    held = (
        Appointment.objects.active()
        .blocking(*around)
        .filter(Q(practitioner__in=practitioner_ids) | Q(room__in=rooms))
        .values_list(
            "practitioner_id", "room_id", "type_id", "starts_at", "blocks_until"
        )
    )
    by_practitioner: dict[int, list[slots.Busy]] = defaultdict(list)
    by_room: dict[int, list[slots.Busy]] = defaultdict(list)
    for practitioner_id, room_id, type_id, start, end in held:
        busy = slots.Busy(start, end, type_id)
        by_practitioner[practitioner_id].append(busy)
        by_room[room_id].append(busy)
    return by_practitioner, by_room
