"""Admin for follow-up notes (recorded, signed and amended through the same
services as the API; signed notes open read-only) and adverse events (with
the report clock as a list filter)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from clinic.core.admin_fields import FieldRulesAdminMixin
from clinic.core.admin_services import ServiceAdminMixin, reason_action
from clinic.core.audit import NoDeleteAdminMixin
from clinic.core.dates import BoundedDateTimeFormField
from clinic.core.users import acting_user
from treatments import services
from treatments.admin.inventory import ReadOnlyInline
from treatments.admin.signing import AmendForm, AmendmentsInline, SignedRecordAdminMixin
from treatments.models import AdverseEvent, FollowUpNote, FollowUpNoteAmendment
from treatments.querysets import overdue_q, report_pending_q
from treatments.services.adverse_events import UPDATABLE_FIELDS
from treatments.services.follow_ups import FOLLOW_UP_LIFECYCLE

# Follow-up notes ------------------------------------------------------------


class NoteAmendmentInline(AmendmentsInline):
    model = FollowUpNoteAmendment


class FollowUpNoteAdminForm(forms.ModelForm):
    class Meta:
        model = FollowUpNote
        fields = [
            "patient",
            "administration",
            "noted_at",
            "contact_kind",
            "outcome_score",
            "text",
        ]


class NoteAmendForm(AmendForm):
    noted_at = BoundedDateTimeFormField()
    contact_kind = forms.ChoiceField(choices=FollowUpNote.ContactKind.choices)
    outcome_score = forms.IntegerField(required=False)
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))


@admin.register(FollowUpNote)
class FollowUpNoteAdmin(
    SignedRecordAdminMixin,
    FieldRulesAdminMixin,
    ServiceAdminMixin,
    NoDeleteAdminMixin,
    SimpleHistoryAdmin,
):
    form = FollowUpNoteAdminForm
    amend_form = NoteAmendForm
    lifecycle = FOLLOW_UP_LIFECYCLE
    list_display = ["noted_at", "patient", "contact_kind", "outcome_score", "status"]
    list_filter = ["status", "contact_kind"]
    search_fields = ["patient__mrn", "patient__search_name"]
    search_help_text = "MRN or patient name"
    date_hierarchy = "noted_at"
    list_select_related = ["patient"]
    autocomplete_fields = ["patient"]
    raw_id_fields = ["administration"]
    inlines = [NoteAmendmentInline]
    RECORD_FIELDS = [
        "public_id",
        "status",
        "author",
        "signature",
        "entered_in_error_reason",
        "entered_in_error_at",
        "entered_in_error_by",
        "created_by",
    ]
    actions = [
        reason_action(
            "Mark entered in error",
            lambda request, note, reason: services.follow_up_mark_entered_in_error(
                note=note, actor=acting_user(request), reason=reason
            ),
        )
    ]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {
            "noted_at": timezone.now(),
            **super().get_changeform_initial_data(request),
        }

    def save_with_service(self, request: HttpRequest, original: Any, form: Any) -> Any:
        if original is not None:
            return services.follow_up_update(
                note=original, actor=acting_user(request), changes=form.changed_values()
            )
        return services.follow_up_record(
            actor=acting_user(request), **form.cleaned_data
        )


# Adverse events -------------------------------------------------------------


class ReportClockFilter(admin.SimpleListFilter):
    """The report clock on the clinic's date: a serious event is due 15 days
    after awareness until it is reported."""

    title = "report clock"
    parameter_name = "report"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list:
        return [
            ("overdue", "Overdue reports"),
            ("pending", "Report due, not yet overdue"),
            ("reported", "Reported"),
            ("not_serious", "Not serious"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        today = timezone.localdate()
        match self.value():
            case "overdue":
                return queryset.filter(overdue_q(today=today))
            case "pending":
                return queryset.filter(report_pending_q()).exclude(
                    overdue_q(today=today)
                )
            case "reported":
                return queryset.filter(reported_on__isnull=False)
            case "not_serious":
                return queryset.filter(serious=False)
        return queryset


class AdverseEventAdminForm(forms.ModelForm):
    class Meta:
        model = AdverseEvent
        fields = ["administration", *UPDATABLE_FIELDS, "reported_on"]


@admin.register(AdverseEvent)
class AdverseEventAdmin(
    FieldRulesAdminMixin, ServiceAdminMixin, NoDeleteAdminMixin, SimpleHistoryAdmin
):
    form = AdverseEventAdminForm
    list_display = [
        "onset_at",
        "patient",
        "grade",
        "serious",
        "outcome",
        "relatedness",
        "report_due_on",
        "days_until_due",
        "reported_on",
    ]
    list_filter = [ReportClockFilter, "serious", "grade", "outcome", "relatedness"]
    search_fields = ["patient__mrn", "patient__search_name", "description"]
    search_help_text = "MRN, patient name or description"
    date_hierarchy = "onset_at"
    list_select_related = ["patient"]
    raw_id_fields = ["administration"]
    RECORD_FIELDS = ["public_id", "patient", "suspect_lot", "created_by"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        fixed = ["administration"]
        if obj.reported_on is not None:
            fixed.append("reported_on")  # set once, like POST .../report/
        return [*fixed, *self.RECORD_FIELDS]

    @admin.display(description="suspect lot")
    def suspect_lot(self, event: AdverseEvent) -> Any:
        return event.administration.lot

    @admin.display(description="days to report (negative: overdue)")
    def days_until_due(self, event: AdverseEvent) -> int | None:
        return event.days_until_due(today=timezone.localdate())

    def save_with_service(self, request: HttpRequest, original: Any, form: Any) -> Any:
        if original is None:
            return services.adverse_event_record(
                actor=acting_user(request), **form.cleaned_data
            )
        changes = form.changed_values()
        reported_on = changes.pop("reported_on", None)
        event = original
        if changes:
            event = services.adverse_event_update(
                event=event, actor=acting_user(request), changes=changes
            )
        if reported_on is not None:
            event = services.adverse_event_mark_reported(
                event=event, actor=acting_user(request), reported_on=reported_on
            )
        return event


# On the administration's page ------------------------------------------------


class FollowUpNoteInline(ReadOnlyInline):
    """Notes are written and signed on their own page (through the services)."""

    model = FollowUpNote
    fk_name = "administration"
    fields = readonly_fields = (
        "noted_at",
        "contact_kind",
        "outcome_score",
        "status",
        "author",
    )


class AdverseEventInline(ReadOnlyInline):
    model = AdverseEvent
    fields = readonly_fields = (
        "onset_at",
        "grade",
        "serious",
        "outcome",
        "reported_on",
    )


def outcome_links(administration: Any) -> str:
    """Links to add a note or an event for this administration, prefilled."""
    query = f"?administration={administration.pk}&patient={administration.patient_id}"
    return format_html(
        '<a class="button" href="{}{}">Add follow-up note</a> '
        '<a class="button" href="{}{}">Report adverse event</a>',
        reverse("admin:treatments_followupnote_add"),
        query,
        reverse("admin:treatments_adverseevent_add"),
        f"?administration={administration.pk}",
    )
