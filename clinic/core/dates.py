"""The range of dates the clinic accepts, and the one check of it.

A date outside 1800-01-01..2200-12-31 means nothing to a clinic, and near
year 1 or 9999 Python's date arithmetic overflows (a booking's end, a UTC
conversion: a 500). So every way a date comes in refuses it before any
arithmetic, with the same ValidationError (`date_out_of_range`):

- model fields carry `validate_stored_date_in_range` (full_clean, and the
  fields ModelSerializer builds from them);
- DRF fields `clinic.core.api.fields.BoundedDateField` / `BoundedDateTimeField`;
- query-string filters in `clinic.core.api.filters`;
- admin form fields here (`BoundedDatesAdminMixin` for generated ones);
- services that compute with a date before full_clean call
  `refuse_dates_out_of_range` first.

1800 is before any date of birth the 130-year age rule allows (1896 in
2026), so the range never refuses a date a rule would accept; 2200 is later
than any appointment, expiry or report date a clinic plans. Plumbing: imports
no domain app.
"""

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models

if TYPE_CHECKING:
    # What the mixin is mixed into (a model admin or an inline), so mypy checks
    # its calls to it.
    from django.contrib.admin.options import BaseModelAdmin

    _AnyAdmin = BaseModelAdmin[Any]
else:
    _AnyAdmin = object

MIN_DATE = dt.date(1800, 1, 1)
MAX_DATE = dt.date(2200, 12, 31)
DATE_OUT_OF_RANGE = "date_out_of_range"
OUT_OF_RANGE_MESSAGE = (
    f"Dates must be between {MIN_DATE.isoformat()} and {MAX_DATE.isoformat()}."
)

# A stored time is kept in UTC, so its date can be a day off the date it was
# written with (2200-12-31T23:59-23:59 is 2201-01-01T23:58Z). Stored times are
# checked by the instant, allowing the widest offset Python has (just under a
# day), so a time accepted as written is never refused on a later save.
_WIDEST_OFFSET = dt.timedelta(days=1) - dt.timedelta(microseconds=1)
EARLIEST_INSTANT = dt.datetime.combine(
    MIN_DATE, dt.time.min, tzinfo=dt.timezone(_WIDEST_OFFSET)
)
LATEST_INSTANT = dt.datetime.combine(
    MAX_DATE, dt.time.max, tzinfo=dt.timezone(-_WIDEST_OFFSET)
)


def is_in_range(value: dt.date) -> bool:
    """As written: a date, or a date-time by its own date (in the offset it
    carries, if any). 2200-12-31T23:59-23:59 is in, 2201-01-01T00:00Z out.
    Nothing here converts, so nothing can overflow."""
    day = value.date() if isinstance(value, dt.datetime) else value
    return MIN_DATE <= day <= MAX_DATE


def is_storable(value: dt.date) -> bool:
    """As stored: an aware date-time by its instant, within a day's offset of
    the range (comparisons of aware values do not convert either)."""
    if isinstance(value, dt.datetime) and value.utcoffset() is not None:
        return EARLIEST_INSTANT <= value <= LATEST_INSTANT
    return is_in_range(value)


def out_of_range_error() -> ValidationError:
    return ValidationError(OUT_OF_RANGE_MESSAGE, code=DATE_OUT_OF_RANGE)


def validate_date_in_range(value: Any) -> None:
    """Where a value comes in as written: form fields, query-string filters
    (DRF fields use is_in_range the same way)."""
    if isinstance(value, dt.date) and not is_in_range(value):
        raise out_of_range_error()


def validate_stored_date_in_range(value: Any) -> None:
    """What every editable model date and date-time field carries (full_clean,
    and the fields ModelSerializer builds from the model)."""
    if isinstance(value, dt.date) and not is_storable(value):
        raise out_of_range_error()


def refuse_dates_out_of_range(**values: Any) -> None:
    """For a service that computes with dates before full_clean: refuse the
    named values (None is skipped) as full_clean would, naming each field.
    By the stored rule: a caller may hand over a time already in UTC."""
    errors = {
        name: [out_of_range_error()]
        for name, value in values.items()
        if isinstance(value, dt.date) and not is_storable(value)
    }
    if errors:
        raise ValidationError(errors)


# Admin form fields -------------------------------------------------------------
#
# The admin's forms run the service in clean(), before the model's own
# validation, so the form field itself must refuse the date. Validators run
# after to_python, which only parses and attaches the server's zone to a naive
# value: no arithmetic that could overflow.


class BoundedDateFormField(forms.DateField):
    default_validators = [validate_date_in_range]


class BoundedDateTimeFormField(forms.DateTimeField):
    default_validators = [validate_date_in_range]


def bound_form_field(field: forms.Field | None) -> forms.Field | None:
    """Add the range check to a date or date-time form field built elsewhere
    (e.g. by the admin from a model field)."""
    if isinstance(
        field, forms.DateField | forms.DateTimeField | forms.SplitDateTimeField
    ) and (validate_date_in_range not in field.validators):
        field.validators.append(validate_date_in_range)
    return field


def _date_lookups(model: Any, params: Any) -> Iterator[tuple[Any, str, str]]:
    """(date field, lookup, raw value) for each query-string parameter that
    filters a date field of `model` or of a related model."""
    for key, values in params.lists():
        opts, parts = model._meta, key.split("__")
        for i, part in enumerate(parts):
            try:
                field = opts.get_field(part)
            except FieldDoesNotExist:
                break
            if isinstance(field, models.DateField):
                lookup = "__".join(parts[i + 1 :])
                yield from ((field, lookup, raw) for raw in values)
                break
            if field.related_model is None:
                break
            opts = field.related_model._meta


def _lookup_in_range(field: Any, lookup: str, raw: str) -> bool:
    if lookup == "year":  # also the date hierarchy's, which adds a year to it
        with contextlib.suppress(ValueError):
            return MIN_DATE.year <= int(raw) <= MAX_DATE.year
        return True
    if lookup not in ("", "exact", "gt", "gte", "lt", "lte", "date"):
        return True  # month, day, isnull...: no date to overflow
    try:
        value = field.to_python(raw)
    except ValidationError:
        return True  # malformed: the changelist reports it as such
    return not isinstance(value, dt.date) or is_in_range(value)


class BoundedDatesAdminMixin(_AnyAdmin):
    """ModelAdmin / InlineModelAdmin: every date or date-time form field the
    admin builds from a model field refuses dates outside the range, and so
    does a changelist's date filter or date hierarchy in the query string
    (Django's own answer to wacky lookups: back to the list, `?e=1`)."""

    def formfield_for_dbfield(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        return bound_form_field(formfield)

    def get_changelist_instance(self, request: Any) -> Any:
        for field, lookup, raw in _date_lookups(self.model, request.GET):
            if not _lookup_in_range(field, lookup, raw):
                raise IncorrectLookupParameters(OUT_OF_RANGE_MESSAGE)
        # Only a ModelAdmin has a changelist; an inline never calls this.
        return super().get_changelist_instance(request)  # type: ignore[misc]
