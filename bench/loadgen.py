"""A small closed-loop HTTP/1.1 load generator on asyncio (standard library
only, so `make bench` needs nothing from outside PyPI, not even wrk).

Each of `concurrency` clients sends a request, waits for the whole answer,
and sends the next, until `duration` seconds pass or `count` requests are
made. Gunicorn's sync workers close each connection after one answer, so
every request opens its own loopback connection, as wrk would against them.
"""

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    expect: frozenset[int] = frozenset({200})


@dataclass
class Outcome:
    requests: int = 0
    elapsed: float = 0.0
    statuses: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    unexpected: list[tuple[str, int, bytes]] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        return self.requests / self.elapsed if self.elapsed else 0.0

    @property
    def median_latency(self) -> float:
        ordered = sorted(self.latencies)
        return ordered[len(ordered) // 2] if ordered else 0.0


def encode(request: Request, host: str) -> bytes:
    lines = [
        f"{request.method} {request.path} HTTP/1.1",
        f"Host: {host}",
        "Connection: close",
        f"Content-Length: {len(request.body)}",
        *(f"{name}: {value}" for name, value in request.headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + request.body


def status_of(response: bytes) -> int:
    """The status code of a raw HTTP/1.x response (0 if unreadable)."""
    head = response.split(b"\r\n", 1)[0].split()
    return int(head[1]) if len(head) >= 2 and head[1].isdigit() else 0


async def _send(host: str, port: int, payload: bytes) -> bytes:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(payload)
        await writer.drain()
        return await reader.read()
    finally:
        writer.close()


async def _load(
    host: str,
    port: int,
    make: Callable[[int], Request],
    concurrency: int,
    duration: float | None,
    count: int | None,
) -> Outcome:
    outcome = Outcome()
    issued = 0
    started = time.perf_counter()
    deadline = started + duration if duration is not None else None

    async def client() -> None:
        nonlocal issued
        while True:
            if deadline is not None and time.perf_counter() >= deadline:
                return
            if count is not None and issued >= count:
                return
            request = make(issued)
            issued += 1
            sent = time.perf_counter()
            try:
                raw = await _send(host, port, encode(request, host))
            except OSError as error:
                raw = f"HTTP/1.1 000 {error}".encode()
            outcome.latencies.append(time.perf_counter() - sent)
            status = status_of(raw)
            outcome.statuses[status] += 1
            outcome.requests += 1
            if status not in request.expect and len(outcome.unexpected) < 20:
                outcome.unexpected.append((request.path, status, raw[-300:]))

    await asyncio.gather(*(client() for _ in range(concurrency)))
    outcome.elapsed = time.perf_counter() - started
    return outcome


def run_load(
    make: Callable[[int], Request],
    *,
    port: int,
    host: str = "127.0.0.1",
    concurrency: int = 4,
    duration: float | None = None,
    count: int | None = None,
) -> Outcome:
    if duration is None and count is None:
        raise ValueError("Give a duration or a count.")
    return asyncio.run(_load(host, port, make, concurrency, duration, count))
