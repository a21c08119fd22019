import datetime as dt
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from clinic.core.admin_fields import FieldRulesAdminMixin
from clinic.core.admin_services import ServiceAdminMixin, reason_action
from clinic.core.audit import NoDeleteAdminMixin
from clinic.core.codes import Indication, Route
from clinic.core.errors import DomainError
from clinic.core.users import acting_user
from patients import services
from patients.ages import years_before
from patients.models import ConsentForm, Patient, SignedConsent
from patients.querysets import PatientQuerySet


class AgeBandFilter(admin.SimpleListFilter):
    title = "age"
    parameter_name = "age"
    BANDS = {"0-17": (0, 17), "18-39": (18, 39), "40-64": (40, 64), "65+": (65, 200)}

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(band, band) for band in self.BANDS]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        band = self.value()
        if band is None or band not in self.BANDS:
            return queryset
        youngest, oldest = self.BANDS[band]
        today = timezone.localdate()
        born_after = years_before(today, oldest + 1) + dt.timedelta(days=1)
        born_before = years_before(today, youngest)
        return queryset.filter(
            date_of_birth__gte=born_after, date_of_birth__lte=born_before
        )


class SignedConsentInline(admin.TabularInline):
    """Read-only: consents are recorded and withdrawn through their own page."""

    model = SignedConsent
    extra = 0
    can_delete = False
    show_change_link = True
    fields = readonly_fields = (
        "form",
        "signed_at",
        "signed_by",
        "expires_at",
        "withdrawn_at",
    )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PatientAdminForm(forms.ModelForm):
    confirm_distinct = forms.BooleanField(
        required=False,
        help_text="Tick only if a patient with the same name and date of birth"
        " exists and this is a different person.",
    )

    class Meta:
        model = Patient
        fields = Patient.EDITABLE_FIELDS


@admin.register(Patient)
class PatientAdmin(
    FieldRulesAdminMixin, ServiceAdminMixin, NoDeleteAdminMixin, SimpleHistoryAdmin
):
    form = PatientAdminForm
    list_display = [
        "mrn",
        "family_name",
        "given_name",
        "date_of_birth",
        "sex",
        "active",
    ]
    list_filter = ["active", "sex", AgeBandFilter]
    search_fields = ["mrn"]  # the real search is Patient.objects.search, below
    search_help_text = "MRN, name fragment (accents ignored), phone or date of birth"
    readonly_fields = [
        "mrn",
        "public_id",
        "active",
        "deactivated_at",
        "deactivation_reason",
        "created_at",
        "created_by",
    ]
    inlines = [SignedConsentInline]
    actions = [
        reason_action(
            "Deactivate patients",
            lambda request, patient, reason: services.patient_deactivate(
                patient=patient, actor=acting_user(request), reason=reason
            ),
        ),
        reason_action(
            "Reactivate patients",
            lambda request, patient, reason: services.patient_reactivate(
                patient=patient, actor=acting_user(request), reason=reason
            ),
        ),
    ]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        # The page's rows come from Patient.objects, a PatientQuerySet.
        return cast(PatientQuerySet, queryset).search(search_term), False

    def save_with_service(
        self, request: HttpRequest, original: Any, form: Any
    ) -> Patient:
        if original is not None:
            changes = form.changed_values()
            changes.pop("confirm_distinct", None)
            return services.patient_update(
                patient=original, actor=acting_user(request), **changes
            )
        data = dict(form.cleaned_data)
        confirmed = data.pop("confirm_distinct", False)
        return services.patient_register(
            actor=acting_user(request), confirmed_distinct=confirmed, **data
        )


class ConsentFormAdminForm(forms.ModelForm):
    covered_routes = forms.MultipleChoiceField(
        choices=Route.choices, widget=forms.CheckboxSelectMultiple
    )
    covered_indications = forms.MultipleChoiceField(
        choices=Indication.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ConsentForm
        fields = [
            "title",
            "body",
            "covered_routes",
            "covered_indications",
            "covered_products",
            "effective_date",
        ]


@admin.register(ConsentForm)
class ConsentFormAdmin(
    FieldRulesAdminMixin, ServiceAdminMixin, NoDeleteAdminMixin, SimpleHistoryAdmin
):
    form = ConsentFormAdminForm
    list_display = ["title", "version", "status", "effective_date", "published_at"]
    list_filter = ["status"]
    search_fields = ["title"]
    filter_horizontal = ["covered_products"]
    actions = ["publish", "new_version"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        base = ["version", "status", "published_at", "published_by"]
        if obj is not None and obj.is_published:
            return [*base, *ConsentFormAdminForm.Meta.fields]
        return base

    def save_with_service(self, request: HttpRequest, original: Any, form: Any) -> Any:
        data = dict(form.cleaned_data)
        products = list(data.pop("covered_products", []))
        if original is not None:
            changes = form.changed_values()
            changes.pop("covered_products", None)
            return services.consent_form_update(
                form=original,
                actor=acting_user(request),
                covered_products=products,
                **changes,
            )
        return services.consent_form_create(
            actor=acting_user(request), covered_products=products, **data
        )

    def save_related(
        self, request: HttpRequest, form: Any, formsets: Any, change: bool
    ) -> None:
        # The service set the products; the form must not overwrite them.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.action(description="Publish selected drafts")
    def publish(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset, services.consent_form_publish, "Published")

    @admin.action(description="Create a new draft version")
    def new_version(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset, services.consent_form_new_version, "New draft of")

    def _each(
        self, request: HttpRequest, queryset: QuerySet, service: Any, verb: str
    ) -> None:
        for form in queryset:
            try:
                service(form=form, actor=acting_user(request))
                self.message_user(request, f"{verb} {form}.", messages.SUCCESS)
            except DomainError as exc:
                self.message_user(request, f"{form}: {exc.detail}", messages.ERROR)


class SignedConsentAdminForm(forms.ModelForm):
    class Meta:
        model = SignedConsent
        fields = [
            "patient",
            "form",
            "signed_at",
            "signed_by",
            "representative_name",
            "representative_relationship",
            "witness",
            "expires_at",
        ]


@admin.register(SignedConsent)
class SignedConsentAdmin(
    FieldRulesAdminMixin, ServiceAdminMixin, NoDeleteAdminMixin, SimpleHistoryAdmin
):
    form = SignedConsentAdminForm
    list_display = ["patient", "form", "signed_at", "expires_at", "withdrawn_at"]
    list_filter = ["form", ("withdrawn_at", admin.EmptyFieldListFilter)]
    search_fields = ["patient__mrn", "patient__search_name"]
    autocomplete_fields = ["patient"]
    list_select_related = ["patient", "form"]
    actions = [
        reason_action(
            "Withdraw consents",
            lambda request, consent, reason: services.consent_withdraw(
                consent=consent, actor=acting_user(request), reason=reason
            ),
        )
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        withdrawal = ["withdrawn_at", "withdrawal_reason", "withdrawn_by"]
        if obj is not None:  # a signature is never edited; only withdrawn
            return [*SignedConsentAdminForm.Meta.fields, *withdrawal]
        return withdrawal

    def save_with_service(self, request: HttpRequest, original: Any, form: Any) -> Any:
        if original is not None:
            return original
        return services.consent_record(actor=acting_user(request), **form.cleaned_data)
