import django_filters

from patients.models import Patient, SignedConsent
from patients.querysets import MAX_SEARCH_LENGTH, PatientQuerySet


class PatientFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search",
        max_length=MAX_SEARCH_LENGTH,
        label="MRN, name fragment, phone or date of birth (YYYY-MM-DD)",
    )

    class Meta:
        model = Patient
        fields = ["active", "sex"]

    def filter_search(
        self, queryset: PatientQuerySet, name: str, value: str
    ) -> PatientQuerySet:
        return queryset.search(value)


class SignedConsentFilter(django_filters.FilterSet):
    patient = django_filters.UUIDFilter(field_name="patient__public_id")
    withdrawn = django_filters.BooleanFilter(
        field_name="withdrawn_at", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = SignedConsent
        fields = ["patient", "form", "withdrawn"]
