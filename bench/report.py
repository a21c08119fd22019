"""Pure parts of the bench: ratios, targets, the table. No I/O, no Django."""

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """`at_least`: the median must be >= threshold; `at_most`: <= threshold."""

    kind: str
    threshold: float
    unit: str = "x"

    def met(self, value: float) -> bool:
        if self.kind == "at_least":
            return value >= self.threshold
        if self.kind == "at_most":
            return value <= self.threshold
        raise ValueError(f"unknown target kind {self.kind!r}")

    def describe(self) -> str:
        sign = ">=" if self.kind == "at_least" else "<="
        return f"{sign} {self.threshold:g}{self.unit}"


def throughput_ratio(scenario_rps: float, baseline_rps: float) -> float:
    """Scenario throughput over baseline throughput (higher is better)."""
    return scenario_rps / baseline_rps if baseline_rps else 0.0


def latency_ratio(scenario_rps: float, baseline_rps: float) -> float:
    """How many times the baseline's latency the scenario takes, from closed-
    loop throughputs at the same concurrency (lower is better)."""
    return baseline_rps / scenario_rps if scenario_rps else float("inf")


def summarise(values: Sequence[float]) -> dict[str, float]:
    """Median and spread (min, max, and max-min relative to the median)."""
    if not values:
        raise ValueError("no values")
    median = statistics.median(values)
    low, high = min(values), max(values)
    return {
        "median": median,
        "min": low,
        "max": high,
        "spread": (high - low) / median if median else 0.0,
    }


def growth(before: float, after: float) -> float:
    """Relative growth, e.g. 0.03 for 3%."""
    return (after - before) / before if before else 0.0


@dataclass(frozen=True)
class Row:
    scenario: str
    baseline: str
    measure: str
    target: Target
    summary: dict[str, float]
    notes: str = ""

    @property
    def met(self) -> bool:
        return self.target.met(self.summary["median"]) and "FAILED" not in self.notes


def _fmt(value: float) -> str:
    return f"{value:.2f}" if abs(value) < 100 else f"{value:.0f}"


def format_table(rows: Sequence[Row]) -> str:
    """A Markdown table: one line per target, marked met or not."""
    lines = [
        "| scenario | baseline | measure | target | median | spread (min-max) | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        s = row.summary
        notes = f" ({row.notes})" if row.notes else ""
        lines.append(
            f"| {row.scenario}{notes} | {row.baseline} | {row.measure} |"
            f" {row.target.describe()} | {_fmt(s['median'])}{row.target.unit} |"
            f" {_fmt(s['min'])}-{_fmt(s['max'])} | {'yes' if row.met else 'NO'} |"
        )
    return "\n".join(lines)
