import django_filters

from clinic.api.filters import UtcIsoDateTimeFilter
from treatments.models import Administration, Lot


class LotFilter(django_filters.FilterSet):
    expires_after = django_filters.DateFilter(
        field_name="expires_on", lookup_expr="gte"
    )

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
