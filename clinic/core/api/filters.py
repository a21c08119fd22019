"""Filter plumbing shared by every app."""

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django_filters.fields import IsoDateTimeField
from drf_spectacular.utils import extend_schema_field

from clinic.core.dates import BoundedDateFormField, validate_date_in_range

# What a bigint id column holds: a number outside it names no record.
BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1


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


@extend_schema_field({"type": "integer", "minimum": BIGINT_MIN, "maximum": BIGINT_MAX})
class IdFilter(django_filters.Filter):
    """A related record's id as a number (`?lot=3`), whole and within what the
    id column holds.

    NumberFilter reads any decimal, so "?lot=9223372036854775808" reached the
    database and SQLite raised OverflowError (a 500, found by the fuzzer); out
    of range or not whole, it is a 400 naming the filter, like any malformed
    filter value.
    """

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", BIGINT_MIN)
        kwargs.setdefault("max_value", BIGINT_MAX)
        super().__init__(*args, **kwargs)
