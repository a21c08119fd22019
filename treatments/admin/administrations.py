"""Admin for administrations: recorded, signed (password re-entered) and
amended through the same services as the API; signed records open read-only."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from clinic.core.admin_fields import FieldRulesAdminMixin
from clinic.core.admin_services import ServiceAdminMixin, reason_action
from clinic.core.audit import NoDeleteAdminMixin
from clinic.core.dates import BoundedDateTimeFormField
from clinic.core.users import acting_user
from treatments import services
from treatments.admin.outcomes import (
    AdverseEventInline,
    FollowUpNoteInline,
    outcome_links,
)
from treatments.admin.signing import AmendForm, AmendmentsInline, SignedRecordAdminMixin
from treatments.models import Administration, AdministrationAmendment
from treatments.services.administrations import ADMINISTRATION_LIFECYCLE


class AmendmentInline(AmendmentsInline):
    model = AdministrationAmendment


class AdministrationAdminForm(forms.ModelForm):
    class Meta:
        model = Administration
        fields = [
            "patient",
            "lot",
            "route",
            "body_site",
            "dose_volume_ml",
            "vials_used",
            "administered_at",
            "administered_by",
            "appointment",
            "infusion_started_at",
            "infusion_ended_at",
            "infusion_rate_ml_per_h",
            "indication",
            "indication_detail",
            "notes",
        ]


class AdministrationAmendForm(AmendForm):
    body_site = forms.CharField(required=False, max_length=120)
    dose_volume_ml = forms.DecimalField(max_digits=7, decimal_places=2)
    infusion_started_at = BoundedDateTimeFormField(required=False)
    infusion_ended_at = BoundedDateTimeFormField(required=False)
    infusion_rate_ml_per_h = forms.DecimalField(
        max_digits=7, decimal_places=2, required=False
    )
    indication_detail = forms.CharField(required=False, max_length=200)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(Administration)
class AdministrationAdmin(
    SignedRecordAdminMixin,
    FieldRulesAdminMixin,
    ServiceAdminMixin,
    NoDeleteAdminMixin,
    SimpleHistoryAdmin,
):
    form = AdministrationAdminForm
    amend_form = AdministrationAmendForm
    lifecycle = ADMINISTRATION_LIFECYCLE
    list_display = [
        "administered_at",
        "patient",
        "lot",
        "route",
        "dose_volume_ml",
        "status",
    ]
    list_filter = ["status", "route", "indication", "lot__product"]
    search_fields = ["patient__mrn", "patient__search_name", "lot__lot_number"]
    search_help_text = "MRN, patient name or lot number"
    date_hierarchy = "administered_at"
    list_select_related = ["patient", "lot__product"]
    autocomplete_fields = ["patient"]
    raw_id_fields = ["appointment"]
    inlines = [AmendmentInline, FollowUpNoteInline, AdverseEventInline]
    OUTCOME_INLINES = (FollowUpNoteInline, AdverseEventInline)
    actions = [
        reason_action(
            "Mark entered in error",
            lambda request, administration, reason: (
                services.administration_mark_entered_in_error(
                    administration=administration,
                    actor=acting_user(request),
                    reason=reason,
                )
            ),
        )
    ]
    RECORD_FIELDS = [
        "public_id",
        "status",
        "signature",
        "route_snomed",
        "particle_count",
        "observation_ends_at",
        "consent",
        "created_by",
        "entered_in_error_reason",
        "entered_in_error_at",
        "entered_in_error_by",
        "outcomes",
    ]

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> list:
        # A new administration has no follow-ups or events yet.
        if obj is None:
            return [i for i in self.inlines if i not in self.OUTCOME_INLINES]
        return list(self.inlines)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {
            "administered_by": request.user.pk,
            "administered_at": timezone.now(),
            **super().get_changeform_initial_data(request),
        }

    @admin.display(description="outcomes")
    def outcomes(self, administration: Administration) -> str:
        return outcome_links(administration)

    def save_with_service(self, request: HttpRequest, original: Any, form: Any) -> Any:
        if original is not None:
            return services.administration_update(
                administration=original,
                actor=acting_user(request),
                changes=form.changed_values(),
            )
        return services.administration_record(
            actor=acting_user(request), **form.cleaned_data
        )
