"""The admin applies the same field rules as the API (clinic/core/field_rules.py):
a field the user's roles may not read is on none of its pages, no changelist
lookup, search, ordering or export may touch it, and audit history is read
by managers only, as the API's `/history/` routes are.

Every registered ModelAdmin uses FieldRulesAdminMixin, first in its bases
(tests/security/test_admin_field_rules.py walks the registry). Inlines of a
model with role-dependent fields use HideUnreadableFieldsMixin.
"""

import csv
import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from simple_history.template_utils import HistoricalRecordContextHelper

from clinic.core.field_rules import unreadable_fields, unreadable_in_path
from clinic.core.roles import MANAGERS, has_role

if TYPE_CHECKING:
    # What the mixins are mixed into, so mypy checks their calls to it.
    _AnyAdmin = admin.options.BaseModelAdmin[Any]
    _Inline = admin.options.InlineModelAdmin[Any, Any]
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _AnyAdmin = _Inline = _ModelAdmin = object

# The API's history routes are MANAGERS in every viewset's role_rules.
HISTORY_READERS = MANAGERS


def _user(request: HttpRequest | None) -> Any:
    # No request (Django's deprecated lookup_allowed signature): no user, so
    # no role, so every role-dependent field counts as unreadable.
    return getattr(request, "user", None)


def _names(entry: Any) -> list[Any]:
    """The names in one `fields` entry: a name, or a tuple shown on one line."""
    return list(entry) if isinstance(entry, list | tuple) else [entry]


class _HidesUnreadableFields(_AnyAdmin):
    """Model and inline admins alike: unreadable fields are left out of the
    fields, fieldsets, read-only fields and form, so no add, change, view or
    historical-record page shows them and no POST can set them."""

    def _hides(self, request: HttpRequest | None, name: Any) -> bool:
        return isinstance(name, str) and (
            unreadable_in_path(_user(request), self.model, name) is not None
        )

    def _keep(self, request: HttpRequest | None, names: Iterable[Any]) -> list[Any]:
        kept = []
        for entry in names:
            line = [n for n in _names(entry) if not self._hides(request, n)]
            if not line:
                continue
            kept.append(tuple(line) if isinstance(entry, list | tuple) else line[0])
        return kept

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        return self._keep(request, super().get_fields(request, obj))

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        # What the page shows: the one list every form and page is built from,
        # whatever get_fields / get_readonly_fields a subclass overrides.
        fieldsets = super().get_fieldsets(request, obj)
        return [
            (title, {**options, "fields": self._keep(request, options["fields"])})
            for title, options in fieldsets
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        return self._keep(request, super().get_readonly_fields(request, obj))

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Any:
        excluded = super().get_exclude(request, obj)
        hidden = unreadable_fields(_user(request), self.model)
        if not hidden:
            return excluded
        if excluded is None:
            # Returning a list makes Django skip the form's Meta.exclude; keep it.
            meta = getattr(self.form, "_meta", None)
            excluded = getattr(meta, "exclude", None) or []
        return [*excluded, *sorted(hidden - set(excluded))]

    def _strip_form(self, request: HttpRequest, form: Any) -> Any:
        # A field declared on the form class survives `exclude`; drop it too.
        for name in unreadable_fields(_user(request), self.model):
            form.base_fields.pop(name, None)
        return form


class HideUnreadableFieldsMixin(_HidesUnreadableFields, _Inline):
    """For an inline whose model has role-dependent fields."""

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        self._strip_form(request, formset.form)
        return formset


class FieldRulesAdminMixin(_HidesUnreadableFields, _ModelAdmin):
    """The ModelAdmin side: pages, changelist, search, autocomplete, history."""

    # Forms ------------------------------------------------------------------

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        return self._strip_form(request, form)

    # Changelist, search and autocomplete --------------------------------------

    def get_list_display(self, request: HttpRequest) -> list[Any]:
        return self._keep(request, super().get_list_display(request))

    def get_list_filter(self, request: HttpRequest) -> list[Any]:
        kept = []
        for item in super().get_list_filter(request):
            name = item[0] if isinstance(item, list | tuple) else item
            if not self._hides(request, name):
                kept.append(item)
        return kept

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        # Django's search and the autocomplete view both search these.
        return self._keep(request, super().get_search_fields(request))

    def get_ordering(self, request: HttpRequest) -> list[Any]:
        ordering = super().get_ordering(request) or ()
        return [o for o in ordering if not self._hides(request, o)]

    def get_sortable_by(self, request: HttpRequest) -> list[Any]:
        return self._keep(request, super().get_sortable_by(request))

    def lookup_allowed(
        self, lookup: str, value: Any, request: HttpRequest | None = None
    ) -> bool:
        # Django allows any lookup on a model's own fields, so a query string
        # such as ?history_notes__icontains=... would answer yes/no about a
        # field the page hides. Refused (DisallowedModelAdminLookup: a 400),
        # on this model or through any relation.
        if self._hides(request, lookup):
            return False
        # Django 5.2 still takes request=None; django-stubs has 6.0's signature.
        return super().lookup_allowed(lookup, value, request)  # type: ignore[arg-type]

    def to_field_allowed(self, request: HttpRequest, to_field: str) -> bool:
        if self._hides(request, to_field):
            return False
        return super().to_field_allowed(request, to_field)

    # History ------------------------------------------------------------------

    def _history_readers_only(self, request: HttpRequest) -> None:
        if not has_role(request.user, *HISTORY_READERS):
            raise PermissionDenied

    def history_view(
        self,
        request: HttpRequest,
        object_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        self._history_readers_only(request)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # django-simple-history's page of one historical record; its form is
        # built by get_form / get_fieldsets, so it hides the same fields.
        self._history_readers_only(request)
        # SimpleHistoryAdmin (untyped, after this mixin) defines it.
        return super().history_form_view(  # type: ignore[misc]
            request, object_id, version_id, extra_context
        )

    def get_history_list_display(self, request: HttpRequest) -> list[Any]:
        # SimpleHistoryAdmin (untyped, after this mixin) defines it.
        shown = super().get_history_list_display(request)  # type: ignore[misc]
        return self._keep(request, shown)

    def get_historical_record_context_helper(
        self, request: HttpRequest, historical_record: Any
    ) -> HistoricalRecordContextHelper:
        # The history list prints each change's old and new values.
        return _ReadableChanges(
            self.model,
            historical_record,
            hidden=unreadable_fields(_user(request), self.model),
        )


class _ReadableChanges(HistoricalRecordContextHelper):
    def __init__(self, model: Any, record: Any, *, hidden: frozenset[str]) -> None:
        super().__init__(model, record)
        self.hidden = hidden

    def context_for_delta_changes(self, delta: Any) -> list[dict[str, Any]]:
        changes = [c for c in delta.changes if c.field not in self.hidden]
        return super().context_for_delta_changes(
            dataclasses.replace(
                delta,
                changes=changes,
                changed_fields=[c.field for c in changes],
            )
        )


def with_field_rules(site: admin.AdminSite, *models_: type[models.Model]) -> None:
    """Re-register admins the project did not write (Django's, axes') with the
    mixin first in their bases, so they follow the same rules."""
    for model in models_:
        registered = site._registry.get(model)  # axes registers only if enabled
        if registered is None or isinstance(registered, FieldRulesAdminMixin):
            continue
        admin_class = type(registered)
        site.unregister(model)
        site.register(
            model, type(admin_class.__name__, (FieldRulesAdminMixin, admin_class), {})
        )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return str(value)


def _follow(obj: Any, path: str) -> Any:
    for part in path.split("__"):
        if obj is None:
            return None
        obj = getattr(obj, part)
    return obj


def csv_download(
    request: HttpRequest,
    *,
    filename: str,
    model: type[models.Model],
    columns: Sequence[tuple[str, str]],
    rows: Iterable[Any],
) -> HttpResponse:
    """A CSV file of `rows` (instances of `model`) for an admin action.

    Each column is (header, path); a path names fields through relations
    ("patient__mrn"). A column whose path reaches a field the user may not
    read is left out, header and values, so no export can emit one.
    """
    user = _user(request)
    kept = [(h, p) for h, p in columns if unreadable_in_path(user, model, p) is None]
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow([header for header, _path in kept])
    for row in rows:
        writer.writerow([_cell(_follow(row, path)) for _header, path in kept])
    return response
