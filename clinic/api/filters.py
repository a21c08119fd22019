"""Filter plumbing shared by every app."""

import datetime as dt
from typing import Any

import django_filters


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 instant, compared in UTC.

    ISO 8601 allows offsets PostgreSQL refuses (beyond +/-15:59, e.g.
    "-17:49"); the instant is the same once converted, and a raw offset
    reaching the database was a 500.
    """

    def filter(self, qs: Any, value: Any) -> Any:
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return super().filter(qs, value)
