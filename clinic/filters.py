"""Query-string filters of the calendar's lists (django-filter)."""

import django_filters

from clinic.core.api.filters import BoundedDateFilter, IdFilter, UtcIsoDateTimeFilter
from clinic.models import Appointment, ScheduleException


class AppointmentFilter(django_filters.FilterSet):
    starts_after = UtcIsoDateTimeFilter(
        field_name="starts_at", lookup_expr="gte", label="Starts at or after"
    )
    starts_before = UtcIsoDateTimeFilter(
        field_name="starts_at", lookup_expr="lt", label="Starts before"
    )
    patient = django_filters.UUIDFilter(field_name="patient__public_id")
    location = IdFilter(field_name="room__location")
    status = django_filters.MultipleChoiceFilter(choices=Appointment.Status.choices)

    class Meta:
        model = Appointment
        fields = ["practitioner", "room", "type", "status"]


class ScheduleExceptionFilter(django_filters.FilterSet):
    date_after = BoundedDateFilter(field_name="date", lookup_expr="gte")
    date_before = BoundedDateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = ScheduleException
        fields = ["practitioner", "location", "kind"]
