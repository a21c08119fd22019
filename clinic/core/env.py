"""Typed readers for environment variables that fail loudly on bad values.

A typo in production configuration must stop the process at start-up, not
silently fall back to a default.
"""

import ipaddress
import os
import zoneinfo
from collections.abc import Mapping
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    return (os.environ if environ is None else environ).get(name)


def env_str(
    name: str, default: str | None = None, *, environ: Mapping[str, str] | None = None
) -> str:
    """The variable as text; without a default, a missing variable is an error."""
    value = _raw(name, environ)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"{name} must be set.")
        return default
    return value


def env_bool(
    name: str, default: bool, *, environ: Mapping[str, str] | None = None
) -> bool:
    """1/true/yes/on or 0/false/no/off (any case); anything else is an error."""
    value = _raw(name, environ)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), not {value!r}.")


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """A whole number, optionally at least `minimum`."""
    value = _raw(name, environ)
    if value is None:
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be a whole number, not {value!r}."
        ) from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}.")
    return number


def env_list(
    name: str, default: list[str], *, environ: Mapping[str, str] | None = None
) -> list[str]:
    """Comma-separated values, blanks dropped; an explicitly empty list is an error."""
    value = _raw(name, environ)
    if value is None:
        return list(default)
    items = [item.strip() for item in value.split(",") if item.strip()]
    if not items:
        raise ImproperlyConfigured(f"{name} is set but lists nothing.")
    return items


def env_time_zone(
    name: str, default: str, *, environ: Mapping[str, str] | None = None
) -> str:
    """An IANA time zone name that this machine knows."""
    value = env_str(name, default, environ=environ)
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(
            f"{name} must be an IANA time zone, not {value!r}."
        ) from None
    return value


def env_networks(
    name: str, default: list[str], *, environ: Mapping[str, str] | None = None
) -> list[str]:
    """Comma-separated IP addresses or CIDR networks, as networks ("10.0.0.1/32").

    Host bits set under a mask ("10.0.0.1/8") are refused like any other typo:
    a trusted-proxy list that silently trusts more, or less, than meant is a
    security bug.
    """
    items = env_list(name, default, environ=environ)
    networks = []
    for item in items:
        try:
            networks.append(str(ipaddress.ip_network(item, strict=True)))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} must list IP addresses or networks, not {item!r}."
            ) from None
    return networks


_RATE_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """Read a rate: "20/minute" -> (20, 60), a positive count per second,
    minute, hour or day.

    Raises ValueError for anything else.
    """
    count, sep, period = rate.strip().partition("/")
    seconds = _RATE_PERIODS.get(period.strip().lower())
    if not sep or seconds is None or not count.strip().isdigit():
        raise ValueError(rate)
    number = int(count)
    if number < 1:
        raise ValueError(rate)
    return number, seconds


def env_rate(
    name: str, default: str, *, environ: Mapping[str, str] | None = None
) -> str:
    """A rate such as "20/minute" (per second, minute, hour or day)."""
    value = env_str(name, default, environ=environ)
    try:
        parse_rate(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be a rate such as 20/minute (per second, minute, hour"
            f" or day), not {value!r}."
        ) from None
    return value.strip()


def env_cache(
    name: str, *, key_prefix: str, environ: Mapping[str, str] | None = None
) -> dict[str, object]:
    """The default cache: Redis when the variable holds a redis:// URL, else a
    table in the database.

    Either way every worker process sees the same entries, which the login
    throttle's counters need (a per-process cache multiplies the limit by the
    number of workers).
    """
    url = _raw(name, environ)
    if url is None:
        return {
            "BACKEND": "clinic.core.cache.DatabaseCache",
            "LOCATION": "clinic_cache",
            "KEY_PREFIX": key_prefix,
            # Django culls a third of the table, live counters included, once
            # it holds MAX_ENTRIES rows; keep that far above what expiry leaves.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    parts = urlsplit(url)
    if parts.scheme not in {"redis", "rediss", "unix"} or not (
        parts.hostname or parts.path
    ):
        # The URL may hold a password, so the message does not repeat it.
        raise ImproperlyConfigured(
            f"{name} must be a redis://, rediss:// or unix:// URL"
            f" (this one starts with {parts.scheme or 'nothing'!r})."
        )
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": key_prefix,
        # A stalled Redis must fail a request quickly, not hang a worker.
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }


def env_database(
    name: str, default: str, *, environ: Mapping[str, str] | None = None
) -> dict[str, object]:
    """A database URL (sqlite:/// or postgres://) as a Django DATABASES entry.

    SQLite runs in WAL mode with IMMEDIATE transactions so that concurrent
    writers queue up instead of failing half-way through a check-then-insert.
    """
    import dj_database_url

    url = env_str(name, default, environ=environ)
    try:
        config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"{name} is not a usable database URL: {exc}"
        ) from None
    engine = config.get("ENGINE")
    if engine == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                " PRAGMA foreign_keys=ON;"
            ),
        }
    elif engine != "django.db.backends.postgresql":
        raise ImproperlyConfigured(f"{name} must point at SQLite or PostgreSQL.")
    return config


def load_env_file(path: "os.PathLike[str] | str") -> dict[str, str]:
    """Apply KEY=VALUE lines of a local development file as defaults.

    The real environment always wins; blank lines and # comments are skipped.
    Only manage.py calls this: the served app (wsgi/asgi) never reads a file,
    so a forgotten .env cannot switch DEBUG on in production.
    """
    applied: dict[str, str] = {}
    if not os.path.exists(path):
        return applied
    with open(path, encoding="utf-8") as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            key, sep, value = line.partition("=")
            if not sep or not key.strip():
                raise ImproperlyConfigured(f"{path}:{number} is not KEY=VALUE.")
            key = key.strip()
            if key not in os.environ:
                os.environ[key] = applied[key] = value.strip()
    return applied
