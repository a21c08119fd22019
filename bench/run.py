"""`make bench`: serve the project with gunicorn (2 sync workers, DEBUG off) on
PostgreSQL over loopback and measure each scenario against its baseline in the
same run, interleaved, over several rounds; write bench/results/latest.json and
latest.md and print the table.

    .venv/bin/python -m bench.run [--patients 100000] [--rounds 3] [--seconds 5]

The database (BENCH_DATABASE_URL, default clinic_bench on 127.0.0.1) is
created, migrated and filled by `seed_scale --patients N` when it holds no
patients; an existing one is reused (bookings made by earlier runs stay, far in
the future, and each run books after them).
"""

import argparse
import datetime as dt
import itertools
import json
import os
import platform
import random
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from base64 import b64encode
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse

from bench.loadgen import Outcome, Request, run_load
from bench.report import (
    Row,
    Target,
    format_table,
    growth,
    latency_ratio,
    summarise,
    throughput_ratio,
)

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/clinic_bench"
CONCURRENCY = 4  # two per worker: one waits in the socket while one runs
BOOKING_CLIENTS = 8


def log(text: str) -> None:
    print(text, flush=True)


def bench_env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        # Plain HTTP on loopback: no redirect to HTTPS.
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "ERROR",  # 409s are logged as warnings: noise here
        "PYTHONPATH": str(ROOT),
    }


def ensure_database(env: dict[str, str], patients: int) -> None:
    import psycopg

    url = urlparse(env["DATABASE_URL"])
    name = url.path.lstrip("/")
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone():
            log(f"creating database {name}")
            conn.execute(f'CREATE DATABASE "{name}"')
    manage = [PY, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True)
    with psycopg.connect(env["DATABASE_URL"]) as conn:
        (count,) = conn.execute("SELECT count(*) FROM patients_patient").fetchone()
    if count == 0:
        log(f"seeding scale data: {patients} patients (a few minutes at 100k)")
        subprocess.run(
            [*manage, "seed_scale", "--patients", str(patients)], env=env, check=True
        )
    else:
        log(f"reusing {name}: {count} patients")


# Scenario data, read from the database in this process -----------------------


class Fixtures:
    """Ids, tokens and request makers, prepared with the ORM before serving."""

    def __init__(self, rng: random.Random) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models import Max
        from django.utils import timezone

        from clinic.core.tokens import token_issue
        from clinic.models import Appointment, AppointmentType, Location, WorkingHours
        from patients.models import Patient
        from treatments.scale import FAMILY, GIVEN

        self.rng = rng
        user = get_user_model().objects.get(username="scale.manager")
        self.desk_id = get_user_model().objects.get(username="scale.frontdesk").pk
        _token, key = token_issue(user=user, now=timezone.now(), name="bench")
        self.auth = {"Authorization": f"Bearer {key}"}
        self.patient_count = Patient.objects.count()
        sample = list(
            Patient.objects.order_by("?").values_list("pk", "public_id")[:2000]
        )
        self.patients = [(pk, str(public_id)) for pk, public_id in sample]
        self.terms = [
            *(family.lower() for family in FAMILY),
            *(f"{g} {f}".lower() for g, f in zip(GIVEN, FAMILY, strict=False)),
            *(family.lower()[:4] for family in FAMILY if len(family) > 4),
        ]
        self.consult = AppointmentType.objects.get(name="Consultation")
        self.locations = list(Location.objects.values_list("pk", flat=True))
        self.consult_practitioners = sorted(
            set(
                WorkingHours.objects.filter(
                    location__rooms__kind=self.consult.room_kind
                ).values_list("practitioner_id", flat=True)
            )
        )[:20]
        today = timezone.localdate()
        monday = today + dt.timedelta(days=7 - today.weekday())
        self.week = (monday, monday + dt.timedelta(days=6))
        total = Appointment.objects.count()
        ordered = Appointment.objects.order_by("starts_at", "id").values_list(
            "starts_at", flat=True
        )
        self.deep_cursors = [
            _cursor(ordered[int(total * fraction)])
            for fraction in (0.89, 0.895, 0.9, 0.905, 0.91)
        ]
        self.taken = list(
            Appointment.objects.filter(status="booked", starts_at__gt=timezone.now())
            .order_by("?")
            .values("practitioner_id", "room_id", "type_id", "starts_at")[:2000]
        )
        last = Appointment.objects.aggregate(last=Max("starts_at"))["last"]
        start = max(today + dt.timedelta(days=60), last.date() + dt.timedelta(days=1))
        self.bench_from = start
        self.slots = _free_slots(start, self.consult)
        self.patient_cycle = itertools.cycle(self.patients)

    # request makers (i = the request's number in its run)

    def floor(self, i: int) -> Request:
        return Request("GET", "/api/v1/bench/floor/")

    def auth_probe(self, i: int) -> Request:
        return Request("GET", "/api/v1/bench/auth/", self.auth)

    def patient_detail(self, i: int) -> Request:
        _pk, public_id = self.rng.choice(self.patients)
        return Request("GET", f"/api/v1/patients/{public_id}/", self.auth)

    def raw_patient(self, i: int) -> Request:
        pk, _public_id = self.rng.choice(self.patients)
        return Request("GET", f"/api/v1/bench/raw/patient/{pk}/")

    def search(self, i: int) -> Request:
        query = urlencode({"search": self.rng.choice(self.terms)})
        return Request("GET", f"/api/v1/patients/?{query}", self.auth)

    def first_page(self, i: int) -> Request:
        return Request("GET", "/api/v1/appointments/", self.auth)

    def deep_page(self, i: int) -> Request:
        cursor = urlencode({"cursor": self.rng.choice(self.deep_cursors)})
        return Request("GET", f"/api/v1/appointments/?{cursor}", self.auth)

    def _week_query(self, **extra: Any) -> str:
        first, last = self.week
        return urlencode(
            {
                "type": self.consult.pk,
                "from": first.isoformat(),
                "to": last.isoformat(),
                "location": self.rng.choice(self.locations),
                **extra,
            }
        )

    def availability(self, i: int) -> Request:
        return Request("GET", f"/api/v1/availability/?{self._week_query()}", self.auth)

    def raw_week(self, i: int) -> Request:
        return Request("GET", f"/api/v1/bench/raw/week/?{self._week_query()}")

    def _practitioner_week(self) -> str:
        first, last = self.week
        return urlencode(
            {
                "type": self.consult.pk,
                "from": first.isoformat(),
                "to": last.isoformat(),
                "practitioner": self.rng.choice(self.consult_practitioners),
            }
        )

    def naive_availability(self, i: int) -> Request:
        """Per practitioner: at a whole location it would take minutes."""
        query = self._practitioner_week()
        return Request("GET", f"/api/v1/bench/naive-availability/?{query}")

    def practitioner_availability(self, i: int) -> Request:
        query = self._practitioner_week()
        return Request("GET", f"/api/v1/availability/?{query}", self.auth)

    def booking(self, i: int) -> Request:
        headers = {**self.auth, "Content-Type": "application/json"}
        if i % 10 == 0:  # 10% aimed at a slot already taken
            taken = self.rng.choice(self.taken)
            _pk, patient = next(self.patient_cycle)
            body = {
                "patient": patient,
                "practitioner": taken["practitioner_id"],
                "room": taken["room_id"],
                "type": taken["type_id"],
                "starts_at": taken["starts_at"].isoformat(),
            }
            return Request(
                "POST", "/api/v1/appointments/", headers, _json(body), frozenset({409})
            )
        slot = next(self.slots)
        _pk, patient = next(self.patient_cycle)
        body = {**slot.booking(), "patient": patient}
        return Request(
            "POST", "/api/v1/appointments/", headers, _json(body), frozenset({201})
        )

    def raw_insert(self, i: int) -> Request:
        slot = next(self.slots)
        pk, _patient = next(self.patient_cycle)
        body = {**slot.raw(), "patient_id": pk, "created_by": self.desk_id}
        return Request(
            "POST",
            "/api/v1/bench/raw/insert/",
            {"Content-Type": "application/json"},
            _json(body),
            frozenset({201}),
        )

    def administrations(self, i: int) -> Request:
        _pk, public_id = self.rng.choice(self.patients)
        query = urlencode({"patient": public_id})
        return Request("GET", f"/api/v1/administrations/?{query}", self.auth)

    def mixed(self, i: int) -> Request:
        """A clinic day: who looks whom up, books, checks what was given."""
        pick = i % 20
        if pick < 3:
            return self.availability(i)
        if pick < 5:
            return self.booking(i // 2 * 10 + 1)  # fresh slots only
        if pick < 8:
            return self.administrations(i)
        if pick < 12:
            return self.search(i)
        if pick < 17:
            return self.patient_detail(i)
        return self.first_page(i)


def _json(body: dict[str, Any]) -> bytes:
    return json.dumps(body).encode()


def _cursor(position: dt.datetime) -> str:
    """DRF's cursor for 'the page after this position' (CursorPagination)."""
    return b64encode(urlencode({"p": str(position)}).encode()).decode()


class Slot:
    def __init__(self, practitioner: int, room: int, type_: Any, starts: dt.datetime):
        self.practitioner, self.room, self.type, self.starts = (
            practitioner,
            room,
            type_,
            starts,
        )

    def booking(self) -> dict[str, Any]:
        return {
            "practitioner": self.practitioner,
            "room": self.room,
            "type": self.type.pk,
            "starts_at": self.starts.isoformat(),
        }

    def raw(self) -> dict[str, Any]:
        ends = self.starts + self.type.default_duration
        return {
            **self.booking(),
            "ends_at": ends.isoformat(),
            "blocks_until": (ends + self.type.buffer_after).isoformat(),
        }


def _free_slots(first_day: dt.date, kind: Any) -> Any:
    """Endless free slots from first_day on: on each weekday, each location's
    working practitioners paired one-to-one with its rooms of the type's kind,
    on a grid of duration + buffer inside their hours (nothing is booked
    there: first_day is after every stored appointment)."""
    from clinic.models import Room, WorkingHours

    hours = list(WorkingHours.objects.select_related("location"))
    rooms: dict[int, list[int]] = {}
    for room in Room.objects.filter(kind=kind.room_kind, active=True).order_by("pk"):
        rooms.setdefault(room.location_id, []).append(room.pk)
    return _grid(first_day, hours, rooms, kind)


def _grid(first_day: dt.date, hours: list, rooms: dict, kind: Any) -> Any:
    pitch = kind.default_duration + kind.buffer_after
    day = first_day
    while True:
        if day.weekday() < 5:
            today_hours = [h for h in hours if h.weekday == day.weekday()]
            for location_id, location_rooms in rooms.items():
                blocks = sorted(
                    (h for h in today_hours if h.location_id == location_id),
                    key=lambda h: h.practitioner_id,
                )
                for block, room in zip(blocks, location_rooms, strict=False):
                    tz = block.location.tz
                    start = dt.datetime.combine(day, block.start_time, tzinfo=tz)
                    end = dt.datetime.combine(day, block.end_time, tzinfo=tz)
                    while start + pitch <= end:
                        yield Slot(block.practitioner_id, room, kind, start)
                        start += pitch
        day += dt.timedelta(days=1)


# The server ---------------------------------------------------------------------


class Server:
    def __init__(self, env: dict[str, str], port: int) -> None:
        self.port = port
        self.process = subprocess.Popen(
            [
                str(Path(PY).parent / "gunicorn"),
                "clinic.wsgi:application",
                "--workers=2",
                f"--bind=127.0.0.1:{port}",
                "--log-level=warning",
                "--backlog=2048",
                "--timeout=120",
            ],
            env=env,
            cwd=ROOT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/api/v1/bench/floor/", timeout=2
                ):
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not answer within 60 s")

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def worker_rss_kib(self) -> int:
        total = 0
        for pid in self.worker_pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        return total

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


# The run ------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (pg_version,) = cursor.fetchone()
    meminfo = Path("/proc/meminfo").read_text().split("\n", 1)[0].split()
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "memory_gib": round(int(meminfo[1]) / 1024 / 1024, 1),
        "postgresql": pg_version,
        "python": platform.python_version(),
        "os": platform.platform(),
    }


PAIRS: list[tuple[str, str, str, str, Target, str]] = [
    # name, scenario maker, baseline maker, baseline label, target, measure
    (
        "authenticated endpoint, no DB beyond auth",
        "auth_probe",
        "floor",
        "floor",
        Target("at_least", 0.70),
        "throughput",
    ),
    (
        "patient detail",
        "patient_detail",
        "floor",
        "floor",
        Target("at_least", 0.40),
        "throughput",
    ),
    (
        "patient name search",
        "search",
        "raw_patient",
        "primary-key lookup",
        Target("at_most", 10),
        "latency",
    ),
    (
        "appointments list, page at 90% depth",
        "deep_page",
        "first_page",
        "first page",
        Target("at_most", 1.5),
        "latency",
    ),
    (
        "availability, 1 week, one location",
        "availability",
        "raw_week",
        "raw fetch of the week's rows",
        Target("at_most", 1.5),
        "latency",
    ),
    (
        "booking, 8 clients, 10% at taken slots",
        "booking",
        "raw_insert",
        "raw insert view",
        Target("at_least", 0.6),
        "throughput",
    ),
    (
        "mixed clinic day",
        "mixed",
        "floor",
        "floor",
        Target("at_least", 0.15),
        "throughput",
    ),
]


def measure(
    fixtures: Fixtures, port: int, rounds: int, seconds: float
) -> tuple[list[dict[str, Any]], dict[str, Outcome]]:
    results: list[dict[str, Any]] = []
    totals: dict[str, Outcome] = {}
    for name, scenario, baseline, *_rest in PAIRS:
        clients = BOOKING_CLIENTS if scenario == "booking" else CONCURRENCY
        ratios = []
        for round_no in range(rounds):
            # Interleaved, and the order alternates, so drift hits both sides.
            order = [baseline, scenario] if round_no % 2 == 0 else [scenario, baseline]
            outcomes = {}
            for maker in order:
                outcomes[maker] = run_load(
                    getattr(fixtures, maker),
                    port=port,
                    concurrency=clients,
                    duration=seconds,
                )
                _accumulate(totals, maker, outcomes[maker])
            ratios.append(
                {
                    "baseline_rps": outcomes[baseline].throughput,
                    "scenario_rps": outcomes[scenario].throughput,
                    "baseline_median_ms": outcomes[baseline].median_latency * 1000,
                    "scenario_median_ms": outcomes[scenario].median_latency * 1000,
                }
            )
            log(
                f"  round {round_no + 1} {name}: {scenario}"
                f" {outcomes[scenario].throughput:.0f}/s,"
                f" {baseline} {outcomes[baseline].throughput:.0f}/s"
            )
        results.append({"name": name, "rounds": ratios})
    return results, totals


def _accumulate(totals: dict[str, Outcome], key: str, outcome: Outcome) -> None:
    total = totals.setdefault(key, Outcome())
    total.requests += outcome.requests
    total.elapsed += outcome.elapsed
    total.statuses.update(outcome.statuses)
    total.unexpected += outcome.unexpected[: max(0, 20 - len(total.unexpected))]


def naive_speedup(fixtures: Fixtures, port: int, rounds: int) -> list[float]:
    speedups = []
    for _ in range(rounds):
        fixtures.rng.seed(len(speedups))  # the same practitioners on both sides
        naive = run_load(fixtures.naive_availability, port=port, concurrency=2, count=8)
        fixtures.rng.seed(len(speedups))
        real = run_load(
            fixtures.practitioner_availability, port=port, concurrency=2, count=8
        )
        speedups.append(naive.median_latency / real.median_latency)
    return speedups


def double_bookings(since: dt.date) -> int:
    """Active appointments from `since` on sharing a room or a patient at an
    instant (the exclusion constraints should make this 0)."""
    from django.db import connection

    sql = """
        SELECT count(*) FROM clinic_appointment a JOIN clinic_appointment b
          ON a.id < b.id
         AND (a.room_id = b.room_id OR a.patient_id = b.patient_id)
         AND a.starts_at < b.blocks_until AND b.starts_at < a.blocks_until
        WHERE a.starts_at >= %s AND b.starts_at >= %s
          AND a.status NOT IN ('cancelled', 'no_show')
          AND b.status NOT IN ('cancelled', 'no_show')
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [since, since])
        (count,) = cursor.fetchone()
    return count


def memory_check(fixtures: Fixtures, server: Server, requests: int) -> dict[str, Any]:
    before = server.worker_rss_kib()
    outcome = run_load(
        fixtures.mixed, port=server.port, concurrency=CONCURRENCY, count=requests
    )
    after = server.worker_rss_kib()
    return {
        "requests": outcome.requests,
        "rss_before_kib": before,
        "rss_after_kib": after,
        "growth": growth(before, after),
        "statuses": dict(outcome.statuses),
    }


def build_rows(
    results: list[dict[str, Any]],
    totals: dict[str, Outcome],
    speedups: list[float],
    double: int,
    memory: dict[str, Any],
    patients: int,
) -> list[Row]:
    rows = []
    for (name, scenario, _baseline, label, target, measure_), result in zip(
        PAIRS, results, strict=True
    ):
        compute: Callable[[float, float], float] = (
            latency_ratio if measure_ == "latency" else throughput_ratio
        )
        values = [
            compute(r["scenario_rps"], r["baseline_rps"]) for r in result["rounds"]
        ]
        notes = ""
        if scenario == "search":
            name = f"{name} at {patients:,} patients"
        if scenario == "booking":
            booked = totals["booking"]
            conflicts = booked.statuses.get(409, 0)
            wrong = len(booked.unexpected)
            notes = (
                f"{booked.statuses.get(201, 0)} booked, {conflicts} conflicts 409,"
                f" {double} double bookings"
                + (f", FAILED: {wrong} unexpected answers" if wrong else "")
                + (", FAILED: double booking" if double else "")
            )
        rows.append(
            Row(
                name,
                label,
                "latency x" if measure_ == "latency" else "throughput ratio",
                target,
                summarise(values),
                notes,
            )
        )
    rows.insert(
        5,
        Row(
            "availability (1 practitioner, 1 week) vs naive per-slot search",
            "bench/naive.py",
            "speed-up",
            Target("at_least", 20),
            summarise(speedups),
        ),
    )
    rows.append(
        Row(
            f"worker memory after {memory['requests']:,} requests",
            "before",
            "RSS growth",
            Target("at_most", 5, "%"),
            summarise([memory["growth"] * 100]),
            f"{memory['rss_before_kib'] // 1024} -> {memory['rss_after_kib'] // 1024}"
            " MiB, 2 workers"
            + ("" if memory["rss_after_kib"] else ", FAILED: workers gone"),
        )
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--memory-requests", type=int, default=10_000)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    args = parser.parse_args(argv)

    env = bench_env(os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    ensure_database(env, args.patients)
    os.environ.update(env)
    import django

    django.setup()
    started = dt.datetime.now(dt.UTC)
    fixtures = Fixtures(random.Random(8))
    log(f"serving with gunicorn on 127.0.0.1:{args.port} (2 workers, DEBUG off)")
    server = Server(env, args.port)
    try:
        for maker in {m for _n, s, b, *_ in PAIRS for m in (s, b)} - {"booking"}:
            run_load(getattr(fixtures, maker), port=args.port, count=20)  # warm up
        results, totals = measure(fixtures, args.port, args.rounds, args.seconds)
        speedups = naive_speedup(fixtures, args.port, args.rounds)
        memory = memory_check(fixtures, server, args.memory_requests)
    finally:
        server.stop()
    double = double_bookings(fixtures.week[0])
    rows = build_rows(results, totals, speedups, double, memory, fixtures.patient_count)
    table = format_table(rows)
    info = machine()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    payload = {
        "started": started.isoformat(),
        "machine": info,
        "settings": {**vars(args), "concurrency": CONCURRENCY},
        "patients": fixtures.patient_count,
        "rows": [
            {
                "scenario": r.scenario,
                "baseline": r.baseline,
                "measure": r.measure,
                "target": r.target.describe(),
                **r.summary,
                "met": r.met,
                "notes": r.notes,
            }
            for r in rows
        ],
        "rounds": results,
        "naive_speedups": speedups,
        "memory": memory,
        "double_bookings": double,
        "statuses": {k: dict(v.statuses) for k, v in totals.items()},
        "unexpected": {
            k: [(p, s, b.decode("latin-1")) for p, s, b in v.unexpected]
            for k, v in totals.items()
            if v.unexpected
        },
    }
    (out / "latest.json").write_text(json.dumps(payload, indent=2, default=str))
    summary = (
        f"{started:%Y-%m-%d %H:%M} UTC, {info['cpus']} CPUs ({info['cpu_model']}),"
        f" {info['memory_gib']} GiB, PostgreSQL {info['postgresql']},"
        f" {fixtures.patient_count:,} patients, {args.rounds} rounds x"
        f" {args.seconds:g} s per side, {CONCURRENCY} clients"
        f" ({BOOKING_CLIENTS} for booking)"
    )
    (out / "latest.md").write_text(f"{summary}\n\n{table}\n")
    log(f"\n{summary}\n\n{table}\n")
    missed = [r.scenario for r in rows if not r.met]
    log("All targets met." if not missed else f"Not met: {', '.join(missed)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
