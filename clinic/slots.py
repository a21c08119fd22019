"""Time arithmetic of the calendar, as pure functions (no queries, no clock).

Intervals are half-open [start, end) pairs of aware datetimes. Working hours
are wall-clock times at a location, so they are turned into instants day by
day in the location's zone: 09:00 stays 09:00 local on both sides of a
daylight-saving change, and a local time that does not exist (the skipped
hour) is never offered as a start.

Used by the booking service (is this appointment inside working hours? does it
exceed the practitioner's parallel limit?) and by the availability search, so
both always agree.
"""

import bisect
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

Interval = tuple[datetime, datetime]

GRID_MINUTES = 15


class WeeklyHours(Protocol):
    location_id: int
    weekday: int
    start_time: time
    end_time: time


class DatedException(Protocol):
    location_id: int | None
    date: date
    kind: str
    start_time: time | None
    end_time: time | None


@dataclass(frozen=True)
class Busy:
    """Time already held by an appointment; `ref` points back at it."""

    start: datetime
    end: datetime
    type_id: int | None = None
    ref: Any = None


def overlaps(a: Interval, b: Interval) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, with overlapping or touching intervals joined."""
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[0] < i[1]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def subtract(
    intervals: Iterable[Interval], removed: Iterable[Interval]
) -> list[Interval]:
    """The parts of `intervals` outside every interval of `removed`."""
    holes = merge(removed)
    result: list[Interval] = []
    for start, end in merge(intervals):
        cursor = start
        for hole_start, hole_end in holes:
            if hole_end <= cursor or hole_start >= end:
                continue
            if hole_start > cursor:
                result.append((cursor, hole_start))
            cursor = max(cursor, hole_end)
        if cursor < end:
            result.append((cursor, end))
    return result


def covers(intervals: Iterable[Interval], span: Interval) -> bool:
    """Whether one interval of the (merged) set holds all of `span`."""
    return any(s <= span[0] and span[1] <= e for s, e in merge(intervals))


def peak_overlap(intervals: Iterable[Interval]) -> int:
    """The largest number of intervals holding the same instant."""
    events = []
    for start, end in intervals:
        if start < end:
            events.append((start, 1))
            events.append((end, -1))
    # At equal instants ends (-1) sort before starts: [a, b) and [b, c) never meet.
    events.sort()
    peak = current = 0
    for _, step in events:
        current += step
        peak = max(peak, current)
    return peak


def local_instant(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """The instant a clock at `tz` shows `wall` on `day` (first one if it shows
    it twice; inside a skipped hour, as if the clock had not jumped yet)."""
    return datetime.combine(day, wall, tzinfo=tz).astimezone(UTC)


def local_day(day: date, tz: ZoneInfo) -> Interval:
    """Local midnight to the next local midnight (23 or 25 hours on DST days)."""
    return (
        local_instant(day, time(0), tz),
        local_instant(day + timedelta(days=1), time(0), tz),
    )


def utc_days_around(first: date, last: date) -> Interval:
    """A span that holds the local days `first`..`last` in every time zone
    (offsets reach +-14 h)."""
    return (
        datetime.combine(first - timedelta(days=1), time(0), tzinfo=UTC),
        datetime.combine(last + timedelta(days=2), time(0), tzinfo=UTC),
    )


def local_dates(span: Interval, tz: ZoneInfo) -> list[date]:
    """The local dates that `span` touches at `tz`."""
    first = span[0].astimezone(tz).date()
    last = (span[1] - timedelta(microseconds=1)).astimezone(tz).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def grid_starts(
    day: date, tz: ZoneInfo, step_minutes: int = GRID_MINUTES
) -> list[datetime]:
    """Every `step_minutes` of the local day as instants: wall times that do not
    exist that day are left out; wall times that happen twice give two starts."""
    return list(_grid_starts(day, tz, step_minutes))


@functools.lru_cache(maxsize=4096)
def _grid_starts(day: date, tz: ZoneInfo, step_minutes: int) -> tuple[datetime, ...]:
    # Pure and asked for again for every practitioner and location of a
    # search: computed once per (day, zone, step) in each process.
    starts: set[datetime] = set()
    for minute in range(0, 24 * 60, step_minutes):
        wall = time(minute // 60, minute % 60)
        for fold in (0, 1):
            local = datetime.combine(day, wall, tzinfo=tz).replace(fold=fold)
            instant = local.astimezone(UTC)
            # Round-tripping changes the wall time only when it does not exist.
            back = instant.astimezone(tz)
            if (back.date(), back.time()) == (day, wall):
                starts.add(instant)
    return tuple(sorted(starts))


def working_intervals(
    *,
    day: date,
    tz: ZoneInfo,
    location_id: int,
    weekly: Iterable[WeeklyHours],
    exceptions: Iterable[DatedException],
) -> list[Interval]:
    """When the practitioner works at `location_id` on local `day`: weekly hours
    plus extra hours, minus leave (leave without a location applies everywhere;
    leave without times takes the whole day)."""
    hours: list[Interval] = [
        (local_instant(day, h.start_time, tz), local_instant(day, h.end_time, tz))
        for h in weekly
        if h.location_id == location_id and h.weekday == day.weekday()
    ]
    leave: list[Interval] = []
    for e in exceptions:
        if e.date != day or e.location_id not in (None, location_id):
            continue
        if e.kind == "extra_hours" and e.location_id == location_id:
            hours.append(exception_span(e, tz))
        elif e.kind == "leave":
            leave.append(exception_span(e, tz))
    return subtract(hours, leave)


def working_intervals_during(
    span: Interval,
    *,
    tz: ZoneInfo,
    location_id: int,
    weekly: Iterable[WeeklyHours],
    exceptions: Iterable[DatedException],
) -> list[Interval]:
    """working_intervals for every local day `span` touches at the location."""
    return [
        interval
        for day in local_dates(span, tz)
        for interval in working_intervals(
            day=day,
            tz=tz,
            location_id=location_id,
            weekly=weekly,
            exceptions=exceptions,
        )
    ]


def exception_span(exception: DatedException, tz: ZoneInfo) -> Interval:
    if exception.start_time is None or exception.end_time is None:
        return local_day(exception.date, tz)
    return (
        local_instant(exception.date, exception.start_time, tz),
        local_instant(exception.date, exception.end_time, tz),
    )


def works_at(
    *,
    day: date,
    location_id: int,
    weekly: Iterable[WeeklyHours],
    exceptions: Iterable[DatedException],
) -> bool:
    """Whether the practitioner works at the location at all (any weekly hours
    there, or extra hours there on `day`)."""
    return any(h.location_id == location_id for h in weekly) or any(
        e.kind == "extra_hours" and e.location_id == location_id and e.date == day
        for e in exceptions
    )


def practitioner_conflicts(
    busy: Iterable[Busy], span: Interval, *, type_id: int, max_parallel: int
) -> list[Busy]:
    """The practitioner's appointments that stop one of `type_id` taking `span`.

    Only appointments of the same type may run in parallel, and at no instant
    may more than `max_parallel` of them (the new one included) run at once.
    Returns [] when the practitioner is free enough.
    """
    meeting = [b for b in busy if overlaps((b.start, b.end), span)]
    other_types = [b for b in meeting if b.type_id != type_id]
    same_type = [b for b in meeting if b.type_id == type_id]
    clipped = [(max(b.start, span[0]), min(b.end, span[1])) for b in same_type]
    if peak_overlap(clipped) + 1 > max_parallel:
        return other_types + same_type
    return other_types


@dataclass(frozen=True)
class SlotRequest:
    """What one availability search needs for one practitioner at one location."""

    days: Sequence[date]
    tz: ZoneInfo
    working: dict[date, list[Interval]]
    practitioner_busy: Sequence[Busy]
    rooms_busy: dict[int, Sequence[Busy]]
    duration: timedelta
    buffer: timedelta
    type_id: int
    max_parallel: int
    not_before: datetime
    step_minutes: int = GRID_MINUTES
    # Free rooms by (start, held until), shared by the requests of one search
    # at one location: the rooms are the same for every practitioner there.
    free_rooms_memo: dict[Interval, list[int]] | None = None


def free_starts(request: SlotRequest) -> list[tuple[datetime, list[int]]]:
    """Grid starts where the appointment fits working hours, the practitioner
    can take it and at least one room is free for duration plus buffer; each
    with the ids of the free rooms."""
    slots: list[tuple[datetime, list[int]]] = []
    for day in request.days:
        hours = merge(request.working.get(day, []))
        if not hours or not request.rooms_busy:
            continue
        window = (hours[0][0], hours[-1][1] + request.buffer)
        # Narrow the busy lists to this day once, not once per start.
        practitioner_busy = [
            b for b in request.practitioner_busy if overlaps((b.start, b.end), window)
        ]
        rooms_busy: dict[int, list[Busy]] | None = None  # narrowed when needed
        grid = _grid_starts(day, request.tz, request.step_minutes)
        # Only starts inside the working day can fit (hours are merged).
        first = bisect.bisect_left(grid, max(hours[0][0], request.not_before))
        last = bisect.bisect_right(grid, hours[-1][1] - request.duration)
        for start in grid[first:last]:
            end = start + request.duration
            if not any(s <= start and end <= e for s, e in hours):
                continue
            held = (start, held_end := end + request.buffer)
            # overlaps() written out: this loop runs for every start.
            meeting = [
                b for b in practitioner_busy if b.start < held_end and start < b.end
            ]
            if meeting and practitioner_conflicts(
                meeting,
                held,
                type_id=request.type_id,
                max_parallel=request.max_parallel,
            ):
                continue
            memo = request.free_rooms_memo
            free_rooms = None if memo is None else memo.get(held)
            if free_rooms is None:
                if rooms_busy is None:
                    rooms_busy = {
                        room_id: [b for b in busy if overlaps((b.start, b.end), window)]
                        for room_id, busy in request.rooms_busy.items()
                    }
                free_rooms = [
                    room_id
                    for room_id, busy in rooms_busy.items()
                    if not any(b.start < held_end and start < b.end for b in busy)
                ]
                if memo is not None:
                    memo[held] = free_rooms
            if free_rooms:
                slots.append((start, free_rooms))
    return slots
