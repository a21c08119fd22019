"""What the calendar's admin pages share: every write goes through the
services, so the admin can break no rule the API keeps. Forms check a change
by running the service in a savepoint that is rolled back (refusals become
form errors naming the field); saving then runs it for real."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models, transaction
from simple_history.admin import SimpleHistoryAdmin

from clinic.dates import BoundedDatesAdminMixin
from clinic.errors import DomainError


class _DryRun(Exception):
    pass


def check_by_dry_run(
    form: forms.BaseForm | forms.BaseFormSet, write: Callable[[], Any]
) -> None:
    """Run `write` and roll it back; its refusal becomes the form's errors."""
    try:
        with transaction.atomic():
            write()
            raise _DryRun
    except _DryRun:
        pass
    except DomainError as refused:
        fields = getattr(form, "fields", {})
        errors = {
            (name if name in fields else None): messages_
            for name, messages_ in refused.errors.items()
        } or {None: [refused.detail]}
        if isinstance(form, forms.BaseForm):
            for name, messages_ in errors.items():
                form.add_error(name, messages_)
        else:
            raise ValidationError([m for ms in errors.values() for m in ms]) from None


def checked_form(form_class: type[forms.ModelForm], write: Callable[[Any], Any]) -> Any:
    """`form_class` whose validation ends with a dry run of `write(form)`."""

    class CheckedForm(form_class):  # type: ignore[valid-type,misc]
        def clean(self) -> dict[str, Any]:
            cleaned = super().clean()
            if not self.errors:
                check_by_dry_run(self, lambda: write(self))
            return cleaned

    return CheckedForm


def changes_of(form: forms.ModelForm, allowed: set[str]) -> dict[str, Any]:
    return {f: form.cleaned_data[f] for f in form.changed_data if f in allowed}


def adopt(obj: models.Model, saved: models.Model) -> None:
    """Let the admin (logging, redirect) see the row the service saved."""
    for field in saved._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False


class ServiceAdmin(BoundedDatesAdminMixin, SimpleHistoryAdmin):
    """save_model calls `create`/`update` (model-level rules are already in
    the ModelForm's validation, which runs the same full_clean); date fields
    refuse dates outside the clinic's range before the dry run (clinic.dates)."""

    def create(self, request: Any, data: dict[str, Any]) -> models.Model:
        raise NotImplementedError

    def update(self, request: Any, obj: Any, changes: dict[str, Any]) -> models.Model:
        raise NotImplementedError

    editable: set[str] = set()

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        if change:
            self.update(request, obj, changes_of(form, self.editable))
        else:
            adopt(obj, self.create(request, dict(form.cleaned_data)))

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
