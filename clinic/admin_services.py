"""Admin plumbing so that every admin write goes through a service and a refused
write shows as form errors (never a 500, never a half-saved record)."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from clinic.dates import BoundedDatesAdminMixin
from clinic.errors import DomainError


class ServiceFormMixin:
    """ModelForm side: runs the admin's service in clean(), maps refusals to errors.

    The service call happens inside the admin page's transaction, which
    ServiceAdminMixin rolls back whenever the page does not save (an inline
    refused after the service ran, say), so nothing is half-written.
    """

    request: HttpRequest
    model_admin: Any

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()  # type: ignore[misc]
        if self.errors:  # type: ignore[attr-defined]
            return cleaned
        original = self.instance if self.instance.pk else None  # type: ignore[attr-defined]
        try:
            with transaction.atomic():
                self.instance = self.model_admin.save_with_service(
                    self.request, original, self
                )
        except DomainError as exc:
            self._add_domain_error(exc)
        except ValidationError as exc:
            self.add_error(None, exc)  # type: ignore[attr-defined]
        return cleaned

    def _add_domain_error(self, exc: DomainError) -> None:
        placed = False
        for field, messages_ in exc.errors.items():
            if field in self.fields:  # type: ignore[attr-defined]
                self.add_error(field, messages_)  # type: ignore[attr-defined]
                placed = True
        if not placed:
            self.add_error(None, exc.detail)  # type: ignore[attr-defined]

    def changed_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.changed_data}  # type: ignore[attr-defined]


def is_saved(response: HttpResponse) -> bool:
    """A submitted admin page that saved redirects; one with errors renders."""
    return 300 <= response.status_code < 400


class ServiceAdminMixin(BoundedDatesAdminMixin):
    """ModelAdmin side: define `save_with_service(request, original, form)`
    returning the saved object (original is None when adding). Its date
    fields refuse dates outside the clinic's range (clinic.dates)."""

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, **kwargs)  # type: ignore[misc]
        bases = (
            (form,) if issubclass(form, ServiceFormMixin) else (ServiceFormMixin, form)
        )
        return type(form.__name__, bases, {"request": request, "model_admin": self})

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        with transaction.atomic():
            response = super().changeform_view(  # type: ignore[misc]
                request, object_id, form_url, extra_context
            )
            if request.method == "POST" and not is_saved(response):
                # The page came back with errors: whatever the form's service
                # wrote during validation must not stay.
                transaction.set_rollback(True)
        return response

    def save_model(
        self, request: HttpRequest, obj: Any, form: Any, change: bool
    ) -> None:
        """The service already saved it while the form was validated."""

    def save_with_service(self, request: HttpRequest, original: Any, form: Any) -> Any:
        raise NotImplementedError


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


def reason_action(
    description: str,
    apply: Callable[[HttpRequest, Any, str], None],
    *,
    permission: str = "change",
) -> Callable[[Any, HttpRequest, Any], HttpResponse | None]:
    """An admin action that asks for a written reason, then calls `apply`
    (which calls a service) for each selected object, reporting refusals."""

    def action(
        model_admin: Any, request: HttpRequest, queryset: Any
    ) -> HttpResponse | None:
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            done = 0
            for obj in queryset:
                try:
                    with transaction.atomic():
                        apply(request, obj, form.cleaned_data["reason"])
                    done += 1
                except DomainError as exc:
                    model_admin.message_user(
                        request, f"{obj}: {exc.detail}", messages.ERROR
                    )
            if done:
                model_admin.message_user(
                    request, f"{description}: {done} done.", messages.SUCCESS
                )
            return None
        return TemplateResponse(
            request,
            "admin/clinic/reason_action.html",
            {
                **model_admin.admin_site.each_context(request),
                "title": description,
                "objects": queryset,
                "form": form,
                "action": request.POST.get("action"),
                "opts": model_admin.model._meta,
                "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
            },
        )

    action.short_description = description  # type: ignore[attr-defined]
    action.allowed_permissions = (permission,)  # type: ignore[attr-defined]
    action.__name__ = description.lower().replace(" ", "_")
    return action
