"""The calendar's time arithmetic, tested directly (no database)."""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from clinic import slots

NY = ZoneInfo("America/New_York")
UTC = dt.UTC
SPRING_FORWARD = dt.date(2026, 3, 8)  # 02:00 EST -> 03:00 EDT
FALL_BACK = dt.date(2026, 11, 1)  # 02:00 EDT -> 01:00 EST


def t(hour: int, minute: int = 0, day: int = 2) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=UTC)


@dataclass
class Hours:
    location_id: int
    weekday: int
    start_time: dt.time
    end_time: dt.time


@dataclass
class Exception_:
    location_id: int | None
    date: dt.date
    kind: str
    start_time: dt.time | None = None
    end_time: dt.time | None = None


def test_merge_joins_overlapping_and_touching_intervals():
    assert slots.merge([(t(11), t(12)), (t(9), t(10)), (t(10), t(10, 30))]) == [
        (t(9), t(10, 30)),
        (t(11), t(12)),
    ]


def test_merge_drops_empty_intervals():
    assert slots.merge([(t(9), t(9)), (t(10), t(9))]) == []


def test_subtract_cuts_holes():
    result = slots.subtract([(t(9), t(17))], [(t(12), t(13)), (t(16), t(18))])
    assert result == [(t(9), t(12)), (t(13), t(16))]


def test_subtract_everything_leaves_nothing():
    assert slots.subtract([(t(9), t(17))], [(t(8), t(18))]) == []


def test_covers_needs_one_interval_holding_the_whole_span():
    hours = [(t(9), t(12)), (t(12), t(17))]  # touching: one working stretch
    assert slots.covers(hours, (t(11, 30), t(12, 30)))
    assert not slots.covers([(t(9), t(12)), (t(13), t(17))], (t(11, 30), t(12, 30)))
    assert not slots.covers(hours, (t(16, 45), t(17, 15)))


def test_peak_overlap_counts_simultaneous_intervals_only():
    # Three in a row never overlap at the same instant more than twice.
    staggered = [(t(9), t(10)), (t(9, 30), t(10, 30)), (t(10), t(11))]
    assert slots.peak_overlap(staggered) == 2
    assert slots.peak_overlap([(t(9), t(10)), (t(10), t(11))]) == 1
    assert slots.peak_overlap([]) == 0


def test_grid_has_96_starts_on_an_ordinary_day():
    starts = slots.grid_starts(dt.date(2026, 3, 2), NY)
    assert len(starts) == 96
    assert starts[36].astimezone(NY).time() == dt.time(9, 0)


def test_grid_skips_the_hour_that_does_not_exist_on_spring_forward():
    starts = slots.grid_starts(SPRING_FORWARD, NY)
    walls = [s.astimezone(NY).strftime("%H:%M") for s in starts]

    assert len(starts) == 92
    assert not [w for w in walls if w.startswith("02:")]
    assert walls[walls.index("01:45") + 1] == "03:00"
    nine = starts[walls.index("09:00")]
    assert nine == dt.datetime(2026, 3, 8, 13, 0, tzinfo=UTC)  # EDT, UTC-4


def test_grid_offers_the_repeated_hour_twice_on_fall_back():
    starts = slots.grid_starts(FALL_BACK, NY)
    one_thirty = [s for s in starts if s.astimezone(NY).time() == dt.time(1, 30)]

    assert len(starts) == 100
    assert [s.astimezone(UTC).hour for s in one_thirty] == [5, 6]  # EDT, then EST
    assert starts == sorted(starts)
    nine = next(s for s in starts if s.astimezone(NY).time() == dt.time(9))
    assert nine == dt.datetime(2026, 11, 1, 14, 0, tzinfo=UTC)  # EST, UTC-5


def test_local_day_is_23_or_25_hours_on_dst_days():
    spring = slots.local_day(SPRING_FORWARD, NY)
    fall = slots.local_day(FALL_BACK, NY)
    assert spring[1] - spring[0] == dt.timedelta(hours=23)
    assert fall[1] - fall[0] == dt.timedelta(hours=25)


def test_working_hours_keep_their_wall_clock_across_the_change():
    weekly = [Hours(1, weekday, dt.time(9), dt.time(17)) for weekday in range(7)]
    before = slots.working_intervals(
        day=dt.date(2026, 3, 7), tz=NY, location_id=1, weekly=weekly, exceptions=[]
    )
    after = slots.working_intervals(
        day=SPRING_FORWARD, tz=NY, location_id=1, weekly=weekly, exceptions=[]
    )
    assert before == [
        (
            dt.datetime(2026, 3, 7, 14, tzinfo=UTC),
            dt.datetime(2026, 3, 7, 22, tzinfo=UTC),
        )
    ]
    assert after == [
        (
            dt.datetime(2026, 3, 8, 13, tzinfo=UTC),
            dt.datetime(2026, 3, 8, 21, tzinfo=UTC),
        )
    ]


def test_working_hours_only_count_at_their_location_and_weekday():
    weekly = [
        Hours(1, 0, dt.time(9), dt.time(17)),
        Hours(2, 1, dt.time(9), dt.time(17)),
    ]
    monday = dt.date(2026, 3, 2)
    assert (
        slots.working_intervals(
            day=monday, tz=NY, location_id=2, weekly=weekly, exceptions=[]
        )
        == []
    )
    assert (
        len(
            slots.working_intervals(
                day=monday, tz=NY, location_id=1, weekly=weekly, exceptions=[]
            )
        )
        == 1
    )


def test_leave_and_extra_hours_change_the_day():
    monday = dt.date(2026, 3, 2)
    weekly = [Hours(1, 0, dt.time(9), dt.time(17))]
    exceptions = [
        Exception_(None, monday, "leave", dt.time(12), dt.time(14)),  # everywhere
        Exception_(1, monday, "extra_hours", dt.time(18), dt.time(20)),
        Exception_(2, monday, "leave"),  # another location: no effect here
        Exception_(1, dt.date(2026, 3, 3), "leave"),  # another day
    ]
    result = slots.working_intervals(
        day=monday, tz=NY, location_id=1, weekly=weekly, exceptions=exceptions
    )
    local = [(a.astimezone(NY).time(), b.astimezone(NY).time()) for a, b in result]
    assert local == [
        (dt.time(9), dt.time(12)),
        (dt.time(14), dt.time(17)),
        (dt.time(18), dt.time(20)),
    ]


def test_whole_day_leave_removes_the_day():
    monday = dt.date(2026, 3, 2)
    weekly = [Hours(1, 0, dt.time(9), dt.time(17))]
    leave = [Exception_(1, monday, "leave")]
    assert (
        slots.working_intervals(
            day=monday, tz=NY, location_id=1, weekly=weekly, exceptions=leave
        )
        == []
    )


def test_works_at_reads_weekly_hours_and_extra_hours():
    monday = dt.date(2026, 3, 2)
    weekly = [Hours(1, 3, dt.time(9), dt.time(17))]
    extra = [Exception_(2, monday, "extra_hours", dt.time(9), dt.time(10))]
    assert slots.works_at(day=monday, location_id=1, weekly=weekly, exceptions=[])
    assert slots.works_at(day=monday, location_id=2, weekly=weekly, exceptions=extra)
    assert not slots.works_at(
        day=dt.date(2026, 3, 3), location_id=2, weekly=weekly, exceptions=extra
    )


def test_local_dates_of_a_span():
    span = (
        dt.datetime(2026, 3, 3, 4, tzinfo=UTC),
        dt.datetime(2026, 3, 3, 6, tzinfo=UTC),
    )
    assert slots.local_dates(span, NY) == [dt.date(2026, 3, 2), dt.date(2026, 3, 3)]
    ending_at_midnight = (
        dt.datetime(2026, 3, 2, 23, tzinfo=NY),
        dt.datetime(2026, 3, 3, 0, tzinfo=NY),
    )
    assert slots.local_dates(ending_at_midnight, NY) == [dt.date(2026, 3, 2)]


def busy(start, end, type_id=1):
    return slots.Busy(start, end, type_id)


def test_practitioner_with_limit_one_is_taken_by_any_overlap():
    existing = [busy(t(9), t(10))]
    assert (
        slots.practitioner_conflicts(
            existing, (t(9, 30), t(10, 30)), type_id=1, max_parallel=1
        )
        == existing
    )
    assert (
        slots.practitioner_conflicts(
            existing, (t(10), t(11)), type_id=1, max_parallel=1
        )
        == []
    )


def test_practitioner_supervises_up_to_the_limit_of_the_same_type():
    existing = [busy(t(9), t(10, 30)), busy(t(9), t(10, 30)), busy(t(9, 30), t(11))]
    span = (t(9, 30), t(11))
    assert slots.practitioner_conflicts(existing, span, type_id=1, max_parallel=4) == []
    assert slots.practitioner_conflicts(existing, span, type_id=1, max_parallel=3) == (
        existing
    )


def test_staggered_parallel_appointments_count_by_instant_not_in_total():
    # Five same-type appointments meet the span, but never more than two at once.
    existing = [
        busy(t(9), t(10)),
        busy(t(9, 30), t(10, 30)),
        busy(t(10), t(11)),
        busy(t(10, 30), t(11, 30)),
        busy(t(11), t(12)),
    ]
    span = (t(9, 45), t(11, 15))
    assert slots.practitioner_conflicts(existing, span, type_id=1, max_parallel=3) == []
    assert slots.practitioner_conflicts(existing, span, type_id=1, max_parallel=2)


def test_parallel_limit_never_mixes_types():
    other_type = busy(t(9), t(10), type_id=2)
    assert slots.practitioner_conflicts(
        [other_type], (t(9), t(10)), type_id=1, max_parallel=4
    ) == [other_type]


def _request(**overrides):
    monday = dt.date(2026, 3, 2)
    defaults = {
        "days": [monday],
        "tz": NY,
        "working": {
            monday: [
                (
                    dt.datetime(2026, 3, 2, 9, tzinfo=NY),
                    dt.datetime(2026, 3, 2, 11, tzinfo=NY),
                )
            ]
        },
        "practitioner_busy": [],
        "rooms_busy": {7: [], 8: []},
        "duration": dt.timedelta(minutes=30),
        "buffer": dt.timedelta(0),
        "type_id": 1,
        "max_parallel": 1,
        "not_before": dt.datetime(2026, 3, 1, tzinfo=UTC),
    }
    return slots.SlotRequest(**{**defaults, **overrides})


def _walls(found):
    return [s.astimezone(NY).strftime("%H:%M") for s, _ in found]


def test_free_starts_fill_working_hours_on_the_grid():
    found = slots.free_starts(_request())
    assert _walls(found) == [
        "09:00",
        "09:15",
        "09:30",
        "09:45",
        "10:00",
        "10:15",
        "10:30",
    ]
    assert all(rooms == [7, 8] for _, rooms in found)


def test_free_starts_leave_out_busy_practitioner_and_name_free_rooms():
    nine_thirty = dt.datetime(2026, 3, 2, 9, 30, tzinfo=NY)
    ten = dt.datetime(2026, 3, 2, 10, tzinfo=NY)
    found = slots.free_starts(
        _request(
            practitioner_busy=[busy(nine_thirty, ten)],
            rooms_busy={7: [busy(ten, ten + dt.timedelta(hours=1))], 8: []},
        )
    )
    assert _walls(found) == ["09:00", "10:00", "10:15", "10:30"]
    assert {s.astimezone(NY).strftime("%H:%M"): r for s, r in found}["10:00"] == [8]


def test_free_starts_keep_the_buffer_free_too():
    ten = dt.datetime(2026, 3, 2, 10, tzinfo=NY)
    found = slots.free_starts(
        _request(
            buffer=dt.timedelta(minutes=15),
            practitioner_busy=[busy(ten, ten + dt.timedelta(minutes=30))],
        )
    )
    # 09:30 + 30 min + 15 min buffer would run into the 10:00 appointment.
    assert _walls(found) == ["09:00", "09:15", "10:30"]


def test_free_starts_are_not_in_the_past():
    found = slots.free_starts(
        _request(not_before=dt.datetime(2026, 3, 2, 10, 5, tzinfo=NY))
    )
    assert _walls(found) == ["10:15", "10:30"]


def test_free_starts_need_a_room():
    assert slots.free_starts(_request(rooms_busy={})) == []


@pytest.mark.parametrize("step", [15, 30])
def test_free_starts_follow_the_grid_step(step):
    found = slots.free_starts(_request(step_minutes=step))
    assert all(s.astimezone(NY).minute % step == 0 for s, _ in found)


def test_practitioners_sharing_a_locations_rooms_share_the_room_memo():
    ten = dt.datetime(2026, 3, 2, 10, tzinfo=NY)
    rooms = {7: [busy(ten, ten + dt.timedelta(hours=1))], 8: []}
    alone = [
        slots.free_starts(_request(rooms_busy=rooms, practitioner_busy=who))
        for who in ([], [busy(ten, ten + dt.timedelta(minutes=30))])
    ]
    memo: dict = {}
    shared = [
        slots.free_starts(
            _request(rooms_busy=rooms, practitioner_busy=who, free_rooms_memo=memo)
        )
        for who in ([], [busy(ten, ten + dt.timedelta(minutes=30))])
    ]
    assert shared == alone
    assert memo  # the second practitioner read the rooms from it
    ten_thirty = (ten + dt.timedelta(minutes=30), ten + dt.timedelta(minutes=60))
    assert memo[ten_thirty] == [8]
