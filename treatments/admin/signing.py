"""The admin's side of every signed record (administrations, follow-up notes):
the signature cell with the one button the record's status allows, the sign
and amend pages (one template), and a signed or entered-in-error record
opening read-only. The pages call the record's own services, so a refusal
shows on the form and nothing is half-written."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from clinic.core.admin_services import refusal_errors
from clinic.core.errors import DomainError
from clinic.core.users import acting_user
from treatments.admin.inventory import ReadOnlyInline
from treatments.models.signatures import SignatureMeaning, SignedRecord
from treatments.services.signing import Lifecycle

Status = SignedRecord.Status


def password_field() -> forms.CharField:
    return forms.CharField(
        widget=forms.PasswordInput, strip=False, help_text="Re-enter your password."
    )


def _signer(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    # With the HTTP request, a wrong password counts towards the lockout.
    return {
        "actor": acting_user(request),
        "password": data["password"],
        "request": request,
    }


class SignForm(forms.Form):
    meaning = forms.ChoiceField(choices=SignatureMeaning.choices)
    password = password_field()


class AmendForm(forms.Form):
    """A subclass declares the record's correctable fields (prefilled with
    the current, amended values); the reason and the password come last."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    password = password_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        last = ("reason", "password")
        self.order_fields([name for name in self.fields if name not in last])


class AmendmentsInline(ReadOnlyInline):
    """A signed record's amendments on its page, read-only (they are made on
    the amend page); a subclass names the amendment model."""

    fields = readonly_fields = (
        "amended_at",
        "amended_by",
        "reason",
        "changes",
        "digest",
    )
    show_change_link = False


class SignedRecordAdminMixin(admin.ModelAdmin):
    """The first base of a SignedRecord's ModelAdmin (a ModelAdmin itself so
    that its calls up the chain are typed). The admin sets `lifecycle` (the
    kind's services, treatments.services.signing.Lifecycle), `amend_form` (an
    AmendForm) and `RECORD_FIELDS` (read-only fields shown once saved)."""

    lifecycle: Lifecycle
    amend_form: type[AmendForm]
    RECORD_FIELDS: list[str]
    # The status each page acts on (the cell offers no other), and what to
    # say when a record is not in it.
    PAGES = {
        "sign": (Status.DRAFT, "only a draft is signed"),
        "amend": (Status.SIGNED, "only a signed record is amended"),
    }

    def _url_name(self, page: str) -> str:
        opts = self.opts
        return f"{opts.app_label}_{opts.model_name}_{page}"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        fixed = [
            name
            for name in self.form._meta.fields or ()  # each form names its fields
            if name not in obj.CORRECTABLE_FIELDS or obj.status != Status.DRAFT
        ]
        return [*fixed, *self.RECORD_FIELDS]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Signed and entered-in-error records open read-only; corrections are
        # amendments, through the amend page.
        if obj is not None and obj.status != Status.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description="signature")
    def signature(self, record: Any) -> str:
        buttons = format_html_join(
            " ",
            '<a class="button" href="{}">{}</a>',
            (
                (reverse(f"admin:{self._url_name(page)}", args=[record.pk]), label)
                for page, label in (("sign", "Sign…"), ("amend", "Amend…"))
                if record.status == self.PAGES[page][0]
            ),
        )
        if not record.is_signed:
            return format_html("Not signed. {}", buttons)
        return format_html(
            "{} by {} at {} (SHA-256 {}) {}",
            record.get_signature_meaning_display(),
            record.signed_by,
            record.signed_at,
            record.signature_digest,
            buttons,
        )

    def get_urls(self) -> list:
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/sign/", view(self.sign_view), name=self._url_name("sign")),
            path(
                "<int:pk>/amend/", view(self.amend_view), name=self._url_name("amend")
            ),
            *super().get_urls(),
        ]

    def sign_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        def sign(record: Any, data: dict[str, Any]) -> None:
            self.lifecycle.sign(
                record, meaning=data["meaning"], **_signer(request, data)
            )

        return self._signature_view(request, pk, "sign", SignForm, sign)

    def amend_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        def amend(record: Any, data: dict[str, Any]) -> None:
            current = record.as_amended()
            changes = {
                name: data[name]
                for name in record.CORRECTABLE_FIELDS
                if data[name] != getattr(current, name)
                and not (
                    data[name] in (None, "") and getattr(current, name) in (None, "")
                )
            }
            self.lifecycle.amend(
                record, reason=data["reason"], changes=changes, **_signer(request, data)
            )

        return self._signature_view(request, pk, "amend", self.amend_form, amend)

    def _signature_view(
        self,
        request: HttpRequest,
        pk: int,
        page: str,
        form_class: type[forms.Form],
        apply: Callable[[Any, dict[str, Any]], None],
    ) -> HttpResponse:
        record = get_object_or_404(self.model, pk=pk)
        if not self.has_view_permission(request, record) or not (
            super().has_change_permission(request, record)
        ):
            return HttpResponse(status=403)
        change_page = reverse(f"admin:{self._url_name('change')}", args=[pk])
        status, only = self.PAGES[page]
        if record.status != status:
            self.message_user(
                request,
                f"This {record._meta.verbose_name} is"
                f" {record.get_status_display().lower()}; {only}.",
                messages.ERROR,
            )
            return HttpResponseRedirect(change_page)
        verbose_name = record._meta.verbose_name
        title = (
            f"Sign {verbose_name}" if page == "sign" else f"Amend signed {verbose_name}"
        )
        current = record.as_amended()
        initial = {name: getattr(current, name) for name in record.CORRECTABLE_FIELDS}
        form = form_class(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    apply(record, form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, refusal_errors(exc, form))
            else:
                self.message_user(request, f"{title}: done.", messages.SUCCESS)
                return HttpResponseRedirect(change_page)
        return TemplateResponse(
            request,
            "admin/treatments/signature_form.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "record": record,
                "form": form,
                "opts": record._meta,
            },
        )
