"""Serializer fields shared by every app: dates and date-times bounded to the
range the clinic accepts (clinic.core.dates), refused with 400 naming the field."""

import contextlib
import datetime as dt
from typing import Any

from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from clinic.core.dates import DATE_OUT_OF_RANGE, OUT_OF_RANGE_MESSAGE, is_in_range


class BoundedDateField(serializers.DateField):
    default_error_messages = {DATE_OUT_OF_RANGE: OUT_OF_RANGE_MESSAGE}

    def to_internal_value(self, value: Any) -> dt.date:
        day = super().to_internal_value(value)
        if not is_in_range(day):
            self.fail(DATE_OUT_OF_RANGE)
        return day


class BoundedDateTimeField(serializers.DateTimeField):
    """Checked as written, before DRF converts it to the server's zone inside
    to_internal_value (year 1 at +23:59 has no UTC: DRF's 'Datetime value out
    of range'). Only input is checked: output never refuses a stored value."""

    default_error_messages = {DATE_OUT_OF_RANGE: OUT_OF_RANGE_MESSAGE}

    def to_internal_value(self, value: Any) -> dt.datetime:
        given = value if isinstance(value, dt.datetime) else None
        if isinstance(value, str):
            # A malformed value is left for DRF to report as such.
            with contextlib.suppress(ValueError, TypeError):
                given = parse_datetime(value)
        if given is not None and not is_in_range(given):
            self.fail(DATE_OUT_OF_RANGE)
        instant = super().to_internal_value(value)
        if given is None and not is_in_range(instant):  # another input format
            self.fail(DATE_OUT_OF_RANGE)
        return instant
