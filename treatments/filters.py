import django_filters
from django.db.models import QuerySet
from django.utils import timezone

from clinic.core.api.filters import BoundedDateFilter, IdFilter, UtcIsoDateTimeFilter
from treatments.models import Administration, AdverseEvent, FollowUpNote, Lot
from treatments.querysets import overdue_q, report_pending_q


class LotFilter(django_filters.FilterSet):
    expires_after = BoundedDateFilter(field_name="expires_on", lookup_expr="gte")

    class Meta:
        model = Lot
        fields = ["product", "status", "expires_after"]


class AdministrationFilter(django_filters.FilterSet):
    patient = django_filters.UUIDFilter(field_name="patient__public_id")
    administered_after = UtcIsoDateTimeFilter(
        field_name="administered_at",
        lookup_expr="gte",
        label="Administered at or after",
    )
    administered_before = UtcIsoDateTimeFilter(
        field_name="administered_at", lookup_expr="lt", label="Administered before"
    )

    class Meta:
        model = Administration
        fields = [
            "patient",
            "lot",
            "route",
            "status",
            "administered_after",
            "administered_before",
        ]


class FollowUpNoteFilter(django_filters.FilterSet):
    patient = django_filters.UUIDFilter(field_name="patient__public_id")
    administration = django_filters.UUIDFilter(field_name="administration__public_id")
    noted_after = UtcIsoDateTimeFilter(
        field_name="noted_at", lookup_expr="gte", label="Noted at or after"
    )
    noted_before = UtcIsoDateTimeFilter(
        field_name="noted_at", lookup_expr="lt", label="Noted before"
    )

    class Meta:
        model = FollowUpNote
        fields = [
            "patient",
            "administration",
            "status",
            "contact_kind",
            "noted_after",
            "noted_before",
        ]


class AdverseEventFilter(django_filters.FilterSet):
    """`overdue=true`: serious events not yet reported whose due date
    (awareness + 15 days) is before today, the clinic's date;
    `overdue=false`: every other event. `report_pending=true`: serious events
    not yet reported, due or overdue; `false`: reported or not serious."""

    patient = django_filters.UUIDFilter(field_name="patient__public_id")
    administration = django_filters.UUIDFilter(field_name="administration__public_id")
    lot = IdFilter(field_name="administration__lot", label="Suspect lot")
    onset_after = UtcIsoDateTimeFilter(
        field_name="onset_at", lookup_expr="gte", label="Onset at or after"
    )
    onset_before = UtcIsoDateTimeFilter(
        field_name="onset_at", lookup_expr="lt", label="Onset before"
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label="Serious, unreported, past the due date"
    )
    report_pending = django_filters.BooleanFilter(
        method="filter_report_pending", label="Serious and not yet reported"
    )

    class Meta:
        model = AdverseEvent
        fields = [
            "patient",
            "administration",
            "lot",
            "serious",
            "grade",
            "outcome",
            "relatedness",
            "onset_after",
            "onset_before",
            "overdue",
            "report_pending",
        ]

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        overdue = overdue_q(today=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_report_pending(
        self, queryset: QuerySet, name: str, value: bool
    ) -> QuerySet:
        pending = report_pending_q()
        return queryset.filter(pending) if value else queryset.exclude(pending)
