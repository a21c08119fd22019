"""Admin for follow-up notes (recorded, signed and amended through the same
services as the API; signed notes open read-only) and adverse events (with
the report clock as a list filter)."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from clinic.admin_fields import FieldRulesAdminMixin
from clinic.admin_services import ServiceAdminMixin, reason_action, refusal_errors
from clinic.audit import NoDeleteAdminMixin
from clinic.dates import BoundedDateTimeFormField
from clinic.errors import DomainError
from treatments import services
from treatments.admin.inventory import ReadOnlyInline
from treatments.models import AdverseEvent, FollowUpNote, FollowUpNoteAmendment
from treatments.models.signatures import SignatureMeaning
from treatments.querysets import overdue_q, report_pending_q
from treatments.services.adverse_events import UPDATABLE_FIELDS

# Follow-up notes ------------------------------------------------------------


class NoteAmendmentInline(ReadOnlyInline):
    model = FollowUpNoteAmendment
    fields = ["amended_at", "amended_by", "reason", "changes", "digest"]
    readonly_fields = fields
    show_change_link = False


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


class NoteSignForm(forms.Form):
    meaning = forms.ChoiceField(choices=SignatureMeaning.choices)
    password = forms.CharField(
        widget=forms.PasswordInput, strip=False, help_text="Re-enter your password."
    )


class NoteAmendForm(forms.Form):
    """The correctable fields, prefilled with the current (amended) values."""

    noted_at = BoundedDateTimeFormField()
    contact_kind = forms.ChoiceField(choices=FollowUpNote.ContactKind.choices)
    outcome_score = forms.IntegerField(required=False)
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    password = forms.CharField(
        widget=forms.PasswordInput, strip=False, help_text="Re-enter your password."
    )


@admin.register(FollowUpNote)
class FollowUpNoteAdmin(
    FieldRulesAdminMixin, ServiceAdminMixin, NoDeleteAdminMixin, SimpleHistoryAdmin
):
    form = FollowUpNoteAdminForm
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
                note=note, actor=request.user, reason=reason
            ),
        )
    ]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {
            "noted_at": timezone.now(),
            **super().get_changeform_initial_data(request),
        }

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        fixed = [
            f
            for f in FollowUpNoteAdminForm.Meta.fields
            if f not in FollowUpNote.CORRECTABLE_FIELDS
            or obj.status != FollowUpNote.Status.DRAFT
        ]
        return [*fixed, *self.RECORD_FIELDS]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Signed notes open read-only; corrections go through the amend page.
        if obj is not None and obj.status != FollowUpNote.Status.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description="signature")
    def signature(self, note: FollowUpNote) -> str:
        name, label = ("sign", "Sign…") if not note.is_signed else ("amend", "Amend…")
        link = format_html(
            '<a class="button" href="{}">{}</a>',
            reverse(f"admin:treatments_followupnote_{name}", args=[note.pk]),
            label,
        )
        if not note.is_signed:
            return format_html("Not signed. {}", link)
        return format_html(
            "{} by {} at {} (SHA-256 {}) {}",
            note.get_signature_meaning_display(),
            note.signed_by,
            note.signed_at,
            note.signature_digest,
            link,
        )

    def save_with_service(self, request: HttpRequest, original: Any, form: Any) -> Any:
        if original is not None:
            return services.follow_up_update(
                note=original, actor=request.user, changes=form.changed_values()
            )
        return services.follow_up_record(actor=request.user, **form.cleaned_data)

    def get_urls(self) -> list:
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/sign/",
                view(self.sign_view),
                name="treatments_followupnote_sign",
            ),
            path(
                "<int:pk>/amend/",
                view(self.amend_view),
                name="treatments_followupnote_amend",
            ),
            *super().get_urls(),
        ]

    def sign_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        def sign(note: FollowUpNote, data: dict) -> None:
            services.follow_up_sign(
                note=note,
                actor=request.user,
                password=data["password"],
                request=request,
                meaning=data["meaning"],
            )

        return self._signature_view(
            request, pk, NoteSignForm, "Sign follow-up note", sign
        )

    def amend_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        def amend(note: FollowUpNote, data: dict) -> None:
            current = note.as_amended()
            changes = {
                name: data[name]
                for name in FollowUpNote.CORRECTABLE_FIELDS
                if data[name] != getattr(current, name)
                and not (data[name] in (None, "") and getattr(current, name) in ("",))
            }
            services.follow_up_amend(
                note=note,
                actor=request.user,
                password=data["password"],
                request=request,
                reason=data["reason"],
                changes=changes,
            )

        return self._signature_view(
            request, pk, NoteAmendForm, "Amend signed follow-up note", amend
        )

    def _signature_view(
        self, request: HttpRequest, pk: int, form_class: Any, title: str, apply: Any
    ) -> HttpResponse:
        note = get_object_or_404(FollowUpNote, pk=pk)
        if not self.has_view_permission(request, note) or not (
            super().has_change_permission(request, note)
        ):
            return HttpResponse(status=403)
        current = note.as_amended()
        initial = {n: getattr(current, n) for n in FollowUpNote.CORRECTABLE_FIELDS}
        form = form_class(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    apply(note, form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, refusal_errors(exc, form))
            else:
                self.message_user(request, f"{title}: done.", messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:treatments_followupnote_change", args=[pk])
                )
        return TemplateResponse(
            request,
            "admin/treatments/followupnote/signature_form.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "note": note,
                "form": form,
                "opts": self.model._meta,
            },
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
                actor=request.user, **form.cleaned_data
            )
        changes = form.changed_values()
        reported_on = changes.pop("reported_on", None)
        event = original
        if changes:
            event = services.adverse_event_update(
                event=event, actor=request.user, changes=changes
            )
        if reported_on is not None:
            event = services.adverse_event_mark_reported(
                event=event, actor=request.user, reported_on=reported_on
            )
        return event


# On the administration's page ------------------------------------------------


class FollowUpNoteInline(ReadOnlyInline):
    """Notes are written and signed on their own page (through the services)."""

    model = FollowUpNote
    fk_name = "administration"
    fields = ["noted_at", "contact_kind", "outcome_score", "status", "author"]
    readonly_fields = fields


class AdverseEventInline(ReadOnlyInline):
    model = AdverseEvent
    fields = ["onset_at", "grade", "serious", "outcome", "reported_on"]
    readonly_fields = fields


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
