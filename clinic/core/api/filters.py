"""Filter plumbing shared by every app."""

import datetime as dt
from typing import Any

import django_filters
from django_filters.fields import IsoDateTimeField

from clinic.core.dates import BoundedDateFormField, validate_date_in_range


class BoundedIsoDateTimeField(IsoDateTimeField):
    # Validators run after parsing, which keeps the offset as written (a
    # naive value gets the server's zone): checked as written, before
    # UtcIsoDateTimeFilter converts to UTC.
    default_validators = [validate_date_in_range]


class BoundedDateFilter(django_filters.DateFilter):
    """A date, refused (400 naming the parameter) outside the clinic's range."""

    field_class = BoundedDateFormField


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 instant, compared in UTC.

    ISO 8601 allows offsets PostgreSQL refuses (beyond +/-15:59, e.g.
    "-17:49"); the instant is the same once converted, and a raw offset
    reaching the database was a 500. Values outside the clinic's range are
    refused first: year 1 at +23:59 has no UTC.
    """

    field_class = BoundedIsoDateTimeField

    def filter(self, qs: Any, value: Any) -> Any:
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return super().filter(qs, value)
