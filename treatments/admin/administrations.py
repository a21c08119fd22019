"""Admin for administrations: recorded, signed (password re-entered) and
amended through the same services as the API; signed records open read-only."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from clinic.admin_fields import FieldRulesAdminMixin
from clinic.admin_services import ServiceAdminMixin, reason_action, refusal_errors
from clinic.audit import NoDeleteAdminMixin
from clinic.dates import BoundedDateTimeFormField
from clinic.errors import DomainError
from treatments import services
from treatments.admin.inventory import ReadOnlyInline
from treatments.admin.outcomes import (
    AdverseEventInline,
    FollowUpNoteInline,
    outcome_links,
)
from treatments.models import Administration, AdministrationAmendment
from treatments.models.administrations import SignatureMeaning


class AmendmentInline(ReadOnlyInline):
    model = AdministrationAmendment
    fields = ["amended_at", "amended_by", "reason", "changes", "digest"]
    readonly_fields = fields
    show_change_link = False


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


class SignForm(forms.Form):
    meaning = forms.ChoiceField(choices=SignatureMeaning.choices)
    password = forms.CharField(
        widget=forms.PasswordInput, strip=False, help_text="Re-enter your password."
    )


class AmendForm(forms.Form):
    """The correctable fields, prefilled with the current (amended) values."""

    body_site = forms.CharField(required=False, max_length=120)
    dose_volume_ml = forms.DecimalField(max_digits=7, decimal_places=2)
    infusion_started_at = BoundedDateTimeFormField(required=False)
    infusion_ended_at = BoundedDateTimeFormField(required=False)
    infusion_rate_ml_per_h = forms.DecimalField(
        max_digits=7, decimal_places=2, required=False
    )
    indication_detail = forms.CharField(required=False, max_length=200)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    password = forms.CharField(
        widget=forms.PasswordInput, strip=False, help_text="Re-enter your password."
    )


@admin.register(Administration)
class AdministrationAdmin(
    FieldRulesAdminMixin, ServiceAdminMixin, NoDeleteAdminMixin, SimpleHistoryAdmin
):
    form = AdministrationAdminForm
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
                    administration=administration, actor=request.user, reason=reason
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

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        fixed = [
            f
            for f in AdministrationAdminForm.Meta.fields
            if f not in Administration.CORRECTABLE_FIELDS
            or obj.status != Administration.Status.DRAFT
        ]
        return [*fixed, *self.RECORD_FIELDS]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Signed (and entered-in-error) records open read-only; corrections are
        # amendments, through the amend page.
        if obj is not None and obj.status != Administration.Status.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description="outcomes")
    def outcomes(self, administration: Administration) -> str:
        return outcome_links(administration)

    @admin.display(description="signature")
    def signature(self, administration: Administration) -> str:
        links = []
        if administration.status == Administration.Status.DRAFT:
            links.append(("sign", "Sign…"))
        if administration.status == Administration.Status.SIGNED:
            links.append(("amend", "Amend…"))
        actions = format_html_join(
            " ",
            '<a class="button" href="{}">{}</a>',
            (
                (
                    reverse(
                        f"admin:treatments_administration_{name}",
                        args=[administration.pk],
                    ),
                    label,
                )
                for name, label in links
            ),
        )
        if not administration.is_signed:
            return format_html("Not signed. {}", actions)
        return format_html(
            "{} by {} at {} (SHA-256 {}) {}",
            administration.get_signature_meaning_display(),
            administration.signed_by,
            administration.signed_at,
            administration.signature_digest,
            actions,
        )

    def save_with_service(self, request: HttpRequest, original: Any, form: Any) -> Any:
        if original is not None:
            return services.administration_update(
                administration=original,
                actor=request.user,
                changes=form.changed_values(),
            )
        return services.administration_record(actor=request.user, **form.cleaned_data)

    def get_urls(self) -> list:
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/sign/",
                view(self.sign_view),
                name="treatments_administration_sign",
            ),
            path(
                "<int:pk>/amend/",
                view(self.amend_view),
                name="treatments_administration_amend",
            ),
            *super().get_urls(),
        ]

    def sign_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._signature_view(
            request, pk, SignForm, "Sign administration", self._sign
        )

    def amend_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._signature_view(
            request, pk, AmendForm, "Amend signed administration", self._amend
        )

    def _sign(self, request: HttpRequest, administration: Any, data: dict) -> None:
        services.administration_sign(
            administration=administration,
            actor=request.user,
            password=data["password"],
            request=request,
            meaning=data["meaning"],
        )

    def _amend(self, request: HttpRequest, administration: Any, data: dict) -> None:
        current = administration.as_amended()
        changes = {
            name: data[name]
            for name in Administration.CORRECTABLE_FIELDS
            if data[name] != getattr(current, name)
            and not (data[name] in (None, "") and getattr(current, name) in (None, ""))
        }
        services.administration_amend(
            administration=administration,
            actor=request.user,
            password=data["password"],
            request=request,
            reason=data["reason"],
            changes=changes,
        )

    def _signature_view(
        self, request: HttpRequest, pk: int, form_class: Any, title: str, apply: Any
    ) -> HttpResponse:
        administration = get_object_or_404(Administration, pk=pk)
        if not self.has_view_permission(request, administration) or not (
            super().has_change_permission(request, administration)
        ):
            return HttpResponse(status=403)
        current = administration.as_amended()
        initial = {n: getattr(current, n) for n in Administration.CORRECTABLE_FIELDS}
        form = form_class(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    apply(request, administration, form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, refusal_errors(exc, form))
            else:
                self.message_user(request, f"{title}: done.", messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:treatments_administration_change", args=[pk])
                )
        return TemplateResponse(
            request,
            "admin/treatments/administration/signature_form.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "administration": administration,
                "form": form,
                "opts": self.model._meta,
            },
        )
