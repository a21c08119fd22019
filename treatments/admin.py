"""Admin for products, lots, stock and administrations. Every write calls the
same service as the API (clinic.admin_services); signed records are read-only."""

import csv
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
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from clinic.admin_services import ServiceAdminMixin, reason_action
from clinic.audit import NoDeleteAdminMixin
from clinic.codes import Route
from clinic.errors import DomainError
from treatments import services
from treatments.models import (
    Administration,
    AdministrationAmendment,
    Lot,
    Product,
    StockMovement,
)
from treatments.models.administrations import SignatureMeaning
from treatments.services.lots import EDITABLE_FIELDS as LOT_EDITABLE_FIELDS
from treatments.services.products import EDITABLE_FIELDS as PRODUCT_EDITABLE_FIELDS


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# Products -------------------------------------------------------------------


class LotInline(ReadOnlyInline):
    """Lots are registered, released and recalled on their own page."""

    model = Lot
    fields = ["lot_number", "status", "manufactured_on", "expires_on", "received_on"]
    readonly_fields = fields


class ProductAdminForm(forms.ModelForm):
    allowed_routes = forms.MultipleChoiceField(
        choices=Route.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Product
        fields = sorted(PRODUCT_EDITABLE_FIELDS)


@admin.register(Product)
class ProductAdmin(ServiceAdminMixin, SimpleHistoryAdmin):
    form = ProductAdminForm
    list_display = ["name", "manufacturer", "source_material", "under_ind", "active"]
    list_filter = ["active", "source_material", "isolation_method"]
    search_fields = ["name", "manufacturer"]
    inlines = [LotInline]

    @admin.display(boolean=True, description="under IND")
    def under_ind(self, product: Product) -> bool:
        return product.under_ind

    def save_with_service(self, request: HttpRequest, original: Any, form: Any) -> Any:
        if original is not None:
            return services.product_update(
                product=original, actor=request.user, **form.changed_values()
            )
        data = {k: v for k, v in form.cleaned_data.items() if k != "active"}
        return services.product_create(actor=request.user, **data)


# Lots and their ledger --------------------------------------------------------


class StockMovementInline(ReadOnlyInline):
    """The ledger, oldest first; movements are added on the stock page."""

    model = StockMovement
    fk_name = "lot"
    fields = ["at", "kind", "vials", "by", "witness", "reason", "administration"]
    readonly_fields = fields
    show_change_link = False


class RecallForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    date = forms.DateField(initial=timezone.localdate, help_text="YYYY-MM-DD")


class LotAdminForm(forms.ModelForm):
    class Meta:
        model = Lot
        fields = ["product", *sorted(LOT_EDITABLE_FIELDS)]


@admin.register(Lot)
class LotAdmin(ServiceAdminMixin, SimpleHistoryAdmin):
    form = LotAdminForm
    list_display = ["lot_number", "product", "status", "expires_on", "vials_on_hand"]
    list_filter = ["status", "product"]
    search_fields = ["lot_number", "supplier_code", "product__name"]
    list_select_related = ["product"]
    inlines = [StockMovementInline]
    actions = ["release", "recall", "download_recipients"]
    STATUS_FIELDS = [
        "status",
        "vials_on_hand",
        "released_at",
        "released_by",
        "recalled_on",
        "recall_reason",
        "recalled_by",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).with_on_hand()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        if obj.status != Lot.Status.QUARANTINED:  # doses were computed from it
            return [*LotAdminForm.Meta.fields, *self.STATUS_FIELDS]
        return ["product", *self.STATUS_FIELDS]

    @admin.display(description="vials on hand")
    def vials_on_hand(self, lot: Lot) -> int:
        return lot.on_hand

    def save_with_service(self, request: HttpRequest, original: Any, form: Any) -> Any:
        if original is not None:
            changes = form.changed_values()
            changes.pop("product", None)
            return services.lot_update(lot=original, actor=request.user, **changes)
        return services.lot_create(actor=request.user, **form.cleaned_data)

    @admin.action(description="Release selected lots", permissions=["change"])
    def release(self, request: HttpRequest, queryset: QuerySet) -> None:
        for lot in queryset:
            try:
                services.lot_release(lot=lot, actor=request.user)
                self.message_user(request, f"Released {lot}.", messages.SUCCESS)
            except DomainError as exc:
                self.message_user(request, f"{lot}: {exc.detail}", messages.ERROR)

    @admin.action(description="Recall selected lots…", permissions=["change"])
    def recall(self, request: HttpRequest, queryset: QuerySet) -> Any:
        form = RecallForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return TemplateResponse(
                request,
                "admin/clinic/reason_action.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Recall lots",
                    "objects": queryset,
                    "form": form,
                    "action": "recall",
                    "opts": self.model._meta,
                    "selected": request.POST.getlist(
                        admin.helpers.ACTION_CHECKBOX_NAME
                    ),
                },
            )
        for lot in queryset:
            try:
                services.lot_recall(
                    lot=lot,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    recalled_on=form.cleaned_data["date"],
                )
                self.message_user(request, f"Recalled {lot}.", messages.SUCCESS)
            except DomainError as exc:
                self.message_user(request, f"{lot}: {exc.detail}", messages.ERROR)
        return None

    @admin.action(
        description="Download recall recipients (CSV)", permissions=["change"]
    )
    def download_recipients(self, request: HttpRequest, queryset: QuerySet) -> Any:
        response = HttpResponse(content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="recipients.csv"'
        writer = csv.writer(response)
        writer.writerow(
            ["lot", "patient_name", "mrn", "phone", "email", "administered_at"]
        )
        for lot in queryset.order_by("pk"):
            for row in Administration.objects.recall_recipients(lot.pk):
                patient = row.patient
                writer.writerow(
                    [
                        lot.lot_number,
                        patient.full_name,
                        patient.mrn,
                        str(patient.phone),
                        patient.email,
                        row.administered_at.isoformat(),
                    ]
                )
        return response


class StockMovementAdminForm(forms.ModelForm):
    class Meta:
        model = StockMovement
        fields = ["lot", "kind", "vials", "at", "witness", "reason"]


@admin.register(StockMovement)
class StockMovementAdmin(ServiceAdminMixin, NoDeleteAdminMixin, SimpleHistoryAdmin):
    """Ledger lines are added, never edited: a mistake is an adjusting line."""

    form = StockMovementAdminForm
    list_display = ["at", "lot", "kind", "vials", "by", "witness"]
    list_filter = ["kind", "lot__product"]
    search_fields = ["lot__lot_number"]
    list_select_related = ["lot__product", "by", "witness"]
    date_hierarchy = "at"

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"at": timezone.now(), **super().get_changeform_initial_data(request)}

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_with_service(self, request: HttpRequest, original: Any, form: Any) -> Any:
        return services.stock_move(actor=request.user, **form.cleaned_data)


# Administrations ------------------------------------------------------------


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
    infusion_started_at = forms.DateTimeField(required=False)
    infusion_ended_at = forms.DateTimeField(required=False)
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
class AdministrationAdmin(ServiceAdminMixin, NoDeleteAdminMixin, SimpleHistoryAdmin):
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
    inlines = [AmendmentInline]
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
        "consent",
        "created_by",
        "entered_in_error_reason",
        "entered_in_error_at",
        "entered_in_error_by",
    ]

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
                for field, errors in exc.errors.items():
                    form.add_error(field if field in form.fields else None, errors)
                if not exc.errors:
                    form.add_error(None, exc.detail)
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
