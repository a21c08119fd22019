"""Admin for products, lots and the stock ledger. Every write calls the same
service as the API (clinic.core.admin_services)."""

from typing import TYPE_CHECKING, Any, TypedDict, cast

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from clinic.core.admin_fields import FieldRulesAdminMixin, csv_download
from clinic.core.admin_services import ServiceAdminMixin
from clinic.core.audit import NoDeleteAdminMixin
from clinic.core.codes import Route
from clinic.core.dates import BoundedDateFormField
from clinic.core.errors import DomainError
from clinic.core.users import acting_user
from treatments import services
from treatments.models import (
    Administration,
    Lot,
    Product,
    StockMovement,
)
from treatments.querysets import LotQuerySet
from treatments.services.lots import EDITABLE_FIELDS as LOT_EDITABLE_FIELDS
from treatments.services.products import EDITABLE_FIELDS as PRODUCT_EDITABLE_FIELDS

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _OnHand(TypedDict):
    on_hand: int


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
    fields = readonly_fields = (
        "lot_number",
        "status",
        "manufactured_on",
        "expires_on",
        "received_on",
    )


class ProductAdminForm(forms.ModelForm):
    allowed_routes = forms.MultipleChoiceField(
        choices=Route.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Product
        fields = sorted(PRODUCT_EDITABLE_FIELDS)


@admin.register(Product)
class ProductAdmin(FieldRulesAdminMixin, ServiceAdminMixin, SimpleHistoryAdmin):
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
                product=original, actor=acting_user(request), **form.changed_values()
            )
        data = {k: v for k, v in form.cleaned_data.items() if k != "active"}
        return services.product_create(actor=acting_user(request), **data)


# Lots and their ledger --------------------------------------------------------


class StockMovementInline(ReadOnlyInline):
    """The ledger, oldest first; movements are added on the stock page."""

    model = StockMovement
    fk_name = "lot"
    fields = readonly_fields = (
        "at",
        "kind",
        "vials",
        "by",
        "witness",
        "reason",
        "administration",
    )
    show_change_link = False


class RecallForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    date = BoundedDateFormField(initial=timezone.localdate, help_text="YYYY-MM-DD")


class LotAdminForm(forms.ModelForm):
    class Meta:
        model = Lot
        fields = ["product", *sorted(LOT_EDITABLE_FIELDS)]


@admin.register(Lot)
class LotAdmin(FieldRulesAdminMixin, ServiceAdminMixin, SimpleHistoryAdmin):
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
        # The page's rows come from Lot.objects, a LotQuerySet.
        return cast(LotQuerySet, super().get_queryset(request)).with_on_hand()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        if obj.status != Lot.Status.QUARANTINED:  # doses were computed from it
            return [*LotAdminForm.Meta.fields, *self.STATUS_FIELDS]
        return ["product", *self.STATUS_FIELDS]

    @admin.display(description="vials on hand")
    def vials_on_hand(self, lot: "WithAnnotations[Lot, _OnHand]") -> int:
        return lot.on_hand

    def save_with_service(self, request: HttpRequest, original: Any, form: Any) -> Any:
        if original is not None:
            changes = form.changed_values()
            changes.pop("product", None)
            return services.lot_update(
                lot=original, actor=acting_user(request), **changes
            )
        return services.lot_create(actor=acting_user(request), **form.cleaned_data)

    @admin.action(description="Release selected lots", permissions=["change"])
    def release(self, request: HttpRequest, queryset: QuerySet) -> None:
        for lot in queryset:
            try:
                services.lot_release(lot=lot, actor=acting_user(request))
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
                    actor=acting_user(request),
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
        # Columns are field paths, so csv_download leaves out any the user's
        # roles may not read (clinic/core/field_rules.py).
        return csv_download(
            request,
            filename="recipients.csv",
            model=Administration,
            columns=RECIPIENT_COLUMNS,
            rows=(
                row
                for lot in queryset.order_by("pk")
                for row in Administration.objects.recall_recipients(
                    lot.pk
                ).select_related("lot")
            ),
        )


RECIPIENT_COLUMNS = [
    ("lot", "lot__lot_number"),
    ("patient_name", "patient__full_name"),
    ("mrn", "patient__mrn"),
    ("phone", "patient__phone"),
    ("email", "patient__email"),
    ("administered_at", "administered_at"),
]


class StockMovementAdminForm(forms.ModelForm):
    class Meta:
        model = StockMovement
        fields = ["lot", "kind", "vials", "at", "witness", "reason"]


@admin.register(StockMovement)
class StockMovementAdmin(
    FieldRulesAdminMixin, ServiceAdminMixin, NoDeleteAdminMixin, SimpleHistoryAdmin
):
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
        return services.stock_move(actor=acting_user(request), **form.cleaned_data)
