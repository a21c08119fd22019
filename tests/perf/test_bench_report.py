"""The bench's pure parts (bench/report.py, bench/loadgen.py encoding): what
makes a target met, ratios, spread, and the table."""

import pytest

from bench.loadgen import Request, encode, status_of
from bench.report import (
    Row,
    Target,
    format_table,
    growth,
    latency_ratio,
    summarise,
    throughput_ratio,
)


def test_throughput_ratio_is_scenario_over_baseline():
    assert throughput_ratio(300, 1000) == pytest.approx(0.3)
    assert throughput_ratio(5, 0) == 0.0


def test_latency_ratio_is_baseline_over_scenario_throughput():
    # Closed loop, same clients: 4x fewer answers a second is 4x the latency.
    assert latency_ratio(250, 1000) == pytest.approx(4.0)
    assert latency_ratio(0, 1000) == float("inf")


@pytest.mark.parametrize(
    ("target", "value", "met"),
    [
        (Target("at_least", 0.7), 0.7, True),
        (Target("at_least", 0.7), 0.69, False),
        (Target("at_most", 1.5), 1.5, True),
        (Target("at_most", 1.5), 1.51, False),
    ],
)
def test_targets_compare_the_median_with_the_threshold(target, value, met):
    assert target.met(value) is met


def test_an_unknown_target_kind_is_refused():
    with pytest.raises(ValueError, match="unknown target kind"):
        Target("about", 1).met(1)


def test_summary_gives_median_and_spread():
    assert summarise([1.0, 3.0, 2.0]) == {
        "median": 2.0,
        "min": 1.0,
        "max": 3.0,
        "spread": 1.0,
    }
    with pytest.raises(ValueError, match="no values"):
        summarise([])


def test_growth_is_relative():
    assert growth(100, 104) == pytest.approx(0.04)


def test_the_table_marks_each_target_and_a_failed_check():
    rows = [
        Row(
            "a", "floor", "throughput ratio", Target("at_least", 0.5), summarise([0.6])
        ),
        Row("b", "floor", "latency x", Target("at_most", 2), summarise([3.0])),
        Row(
            "c",
            "raw",
            "throughput ratio",
            Target("at_least", 0.1),
            summarise([0.9]),
            notes="FAILED: 2 unexpected answers",
        ),
    ]
    table = format_table(rows).splitlines()
    assert table[2].endswith("| yes |")
    assert table[3].endswith("| NO |")
    assert table[4].endswith("| NO |")
    assert "FAILED: 2 unexpected answers" in table[4]


def test_requests_are_encoded_as_one_http_message():
    raw = encode(
        Request("POST", "/x/", {"Authorization": "Bearer k"}, b'{"a": 1}'), "h"
    )
    head, body = raw.split(b"\r\n\r\n")
    assert head.splitlines()[0] == b"POST /x/ HTTP/1.1"
    assert b"Content-Length: 8" in head
    assert b"Connection: close" in head
    assert body == b'{"a": 1}'


def test_status_is_read_from_the_status_line():
    assert status_of(b"HTTP/1.1 409 Conflict\r\n\r\n{}") == 409
    assert status_of(b"") == 0
