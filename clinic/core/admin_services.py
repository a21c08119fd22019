"""The one admin mechanism: every admin write goes through a service, once,
and a refused write shows as form errors (never an error page, never a
half-saved record).

- `ServiceAdminMixin` (ModelAdmin) with `save_with_service(request, original,
  form)`: its form (`ServiceFormMixin`) runs it in clean(), so a refusal is a
  form error whenever it comes; the service's check and its write are one
  call, under its locks, so nothing can change in between.
- `ServiceInlineMixin` (inline) with `save_with_service(request, formset)`:
  the same for an inline's rows, in the formset's clean(), after the page's
  own service (the formset is validated after the form).
- Both run inside the page's transaction, which `ServiceAdminMixin` rolls back
  whenever the page comes back with errors (an inline refused after the
  page's service ran, say).
- `refusal_errors` is the one translation of a refusal into form errors, for
  these and for any other admin form that calls a service.
- A refused delete (the delete page, or "delete selected") is a message and
  undoes the whole deletion.
- `reason_action` is the one page for admin actions that take a written
  reason.

Date fields refuse dates outside the clinic's range (clinic.core.dates) on every
page and inline built here.
"""

from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from clinic.core.dates import BoundedDatesAdminMixin
from clinic.core.errors import DomainError

if TYPE_CHECKING:
    # What the mixins are mixed into, so mypy checks their calls to it.
    _Form = forms.ModelForm[Any]
    _FormSet = forms.BaseInlineFormSet[Any, Any, Any]
    _Inline = admin.options.InlineModelAdmin[Any, Any]
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _Form = _FormSet = _Inline = _ModelAdmin = object


def refusal_errors(
    refused: DomainError | ValidationError,
    form: "forms.BaseForm | forms.BaseFormSet[Any]",
) -> ValidationError:
    """A service's refusal as `form`'s errors: each message on the field it
    names when the form has that field, every other one on the form as a
    whole (no message is lost to a field the page does not show); a refusal
    that names no field gives its detail. For a formset, all of them are its
    non-form errors. Pass the result to `form.add_error(None, ...)`, or raise
    it from clean()."""
    fields: Collection[str] = getattr(form, "fields", {})
    if isinstance(refused, DomainError):
        named: dict[str, list[Any]] = dict(refused.errors) or {
            NON_FIELD_ERRORS: [refused.detail]
        }
    elif hasattr(refused, "error_dict"):
        named = {name: list(errors) for name, errors in refused.error_dict.items()}
    else:
        named = {NON_FIELD_ERRORS: list(refused.error_list)}
    if isinstance(form, forms.BaseFormSet):
        return ValidationError([e for errors in named.values() for e in errors])
    placed: dict[str, list[Any]] = {}
    for name, errors in named.items():
        on = name if name in fields else NON_FIELD_ERRORS
        placed.setdefault(on, []).extend(errors)
    return ValidationError(placed)


def adopt(obj: models.Model, saved: models.Model) -> None:
    """Copy the row the service saved onto the instance the page holds (its
    inlines hold the same object, and the admin logs and redirects with it)."""
    if saved is obj:
        return
    for field in saved._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


class ServiceFormMixin(_Form):
    """ModelForm side: runs the admin's service in clean(), inside the page's
    transaction (ServiceAdminMixin rolls it back if the page does not save)."""

    request: HttpRequest
    model_admin: Any
    _saved: models.Model | None = None

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        original = self.instance if self.instance.pk else None
        try:
            with transaction.atomic():
                saved = self.model_admin.save_with_service(self.request, original, self)
        except (DomainError, ValidationError) as refused:
            self.add_error(None, refusal_errors(refused, self))
            return cleaned
        adopt(self.instance, saved)
        self._saved = saved
        return cleaned

    def _post_clean(self) -> None:
        # Django then copies the form's values onto the instance and validates
        # the model; the page keeps what the service saved (an empty end the
        # service filled in, times it converted).
        # A private method of Django's ModelForm, so not in django-stubs.
        super()._post_clean()  # type: ignore[misc]
        if self._saved is not None:
            adopt(self.instance, self._saved)

    def changed_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.changed_data}


class ServiceFormSetMixin(_FormSet):
    """Inline formset side: once every row is valid, runs the inline's service
    for the whole set of rows in clean(), inside the page's transaction.
    `new_objects`, `changed_objects` and `deleted_objects` say what to write."""

    request: HttpRequest
    inline: Any
    instance: models.Model

    def clean(self) -> None:
        super().clean()
        if not self.is_valid() or self.instance.pk is None:
            # A row is wrong, or the page's own object was refused before it
            # existed: the page comes back with errors either way.
            return
        self.save(commit=False)
        try:
            with transaction.atomic():
                self.inline.save_with_service(self.request, self)
        except (DomainError, ValidationError) as refused:
            raise refusal_errors(refused, self) from None


def is_saved(response: HttpResponse) -> bool:
    """A submitted admin page that saved redirects; one with errors renders."""
    return 300 <= response.status_code < 400


class ServiceInlineMixin(BoundedDatesAdminMixin, _Inline):
    """InlineModelAdmin side: define `save_with_service(request, formset)`,
    which writes the formset's rows through the services."""

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        return type(
            formset.__name__,
            (ServiceFormSetMixin, formset),
            {"request": request, "inline": self},
        )

    def save_with_service(self, request: HttpRequest, formset: Any) -> None:
        raise NotImplementedError


class ServiceAdminMixin(BoundedDatesAdminMixin, _ModelAdmin):
    """ModelAdmin side: define `save_with_service(request, original, form)`
    returning the saved object (original is None when adding)."""

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
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
            response = super().changeform_view(
                request, object_id, form_url, extra_context
            )
            if request.method == "POST" and not is_saved(response):
                # The page came back with errors: whatever the services wrote
                # while its forms were validated must not stay.
                transaction.set_rollback(True)
        return response

    def save_model(
        self, request: HttpRequest, obj: Any, form: Any, change: bool
    ) -> None:
        """The service already saved it while the form was validated."""

    def save_formset(
        self, request: HttpRequest, form: Any, formset: Any, change: bool
    ) -> None:
        if isinstance(formset, ServiceFormSetMixin):
            return  # its service saved the rows while the formset was validated
        super().save_formset(request, form, formset, change)

    def save_with_service(self, request: HttpRequest, original: Any, form: Any) -> Any:
        raise NotImplementedError

    # Deleting, where an admin allows it, goes through a service too (its
    # delete_model / delete_queryset); a refusal is a message, not an error page.

    def delete_view(
        self,
        request: HttpRequest,
        object_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            # Django's delete view runs in a transaction: a refusal undoes it.
            return super().delete_view(request, object_id, extra_context)
        except DomainError as refused:
            self.message_user(request, refused.detail, messages.ERROR)
            opts = self.model._meta
            return HttpResponseRedirect(
                reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_change",
                    args=[object_id],
                    current_app=self.admin_site.name,
                )
            )

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        delete_selected = actions.get("delete_selected")
        if delete_selected is not None:
            delete, name, description = delete_selected
            actions[name] = (_all_or_none(delete), name, description)
        return actions


def _all_or_none(delete: Callable[..., Any]) -> Callable[..., Any]:
    """Django's "delete selected" logs the deletions, then calls
    delete_queryset (the admin's service, one object after another), outside
    any transaction: a refusal for one object must undo them all, log
    included, and be a message."""

    def action(model_admin: Any, request: HttpRequest, queryset: Any) -> Any:
        try:
            with transaction.atomic():
                return delete(model_admin, request, queryset)
        except DomainError as refused:
            model_admin.message_user(request, refused.detail, messages.ERROR)
            return None

    return action


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


def reason_action(
    description: str,
    apply: Callable[[HttpRequest, Any, str], object],
    *,
    permission: str = "change",
    name: str | None = None,
    describe: Callable[[Any], str] = str,
) -> Callable[[Any, HttpRequest, Any], HttpResponse | None]:
    """An admin action that asks for a written reason, then calls `apply`
    (which calls a service) for each selected object, reporting refusals.
    `permission` names the ModelAdmin's `has_<permission>_permission`;
    `name` is the action's name in the changelist's POST; `describe` lists
    each selected object on the reason page."""

    def action(
        model_admin: Any, request: HttpRequest, queryset: Any
    ) -> HttpResponse | None:
        # The changelist posts the action without a reason; the reason page
        # posts it back with one.
        form = ReasonForm(request.POST if "reason" in request.POST else None)
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
                "objects": [describe(obj) for obj in queryset],
                "form": form,
                "action": request.POST.get("action"),
                "opts": model_admin.model._meta,
                "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
            },
        )

    admin.action(action, description=description, permissions=(permission,))
    action.__name__ = name or description.lower().replace(" ", "_")
    return action
