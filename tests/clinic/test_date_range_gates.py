"""Gates: a new date field cannot forget the clinic's date range.

Every project model's editable date / date-time field, every writable date
field of every serializer (nested ones and those built in get_fields()
included), every date filter of every FilterSet and every date field of every
admin form carries the one check (clinic.core.dates). Output-only serializers
declare writable fields too; bounding them costs nothing, and the gate need
not guess which serializers ever read input.

Also the check itself at the edges: nothing in it can overflow."""

import datetime as dt
import importlib
import pkgutil
from collections.abc import Iterator
from typing import Any

import django_filters
import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.test import RequestFactory
from rest_framework import serializers

from clinic.core.api.fields import BoundedDateField, BoundedDateTimeField
from clinic.core.dates import (
    DATE_OUT_OF_RANGE,
    BoundedDatesAdminMixin,
    is_in_range,
    is_storable,
    refuse_dates_out_of_range,
    validate_date_in_range,
    validate_stored_date_in_range,
)

PROJECT_APPS = ("clinic", "patients", "treatments")
# Importing these starts a server application; they declare no fields.
NOT_IMPORTED = {"clinic.wsgi", "clinic.asgi"}


def _import_project() -> None:
    for package in PROJECT_APPS:
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, f"{package}."):
            if ".migrations" not in info.name and info.name not in NOT_IMPORTED:
                importlib.import_module(info.name)


def _project_subclasses(base: type) -> list[type]:
    _import_project()
    found, stack = set(), [base]
    while stack:
        for sub in stack.pop().__subclasses__():
            stack.append(sub)
            if sub.__module__.split(".")[0] in PROJECT_APPS:
                found.add(sub)
    found = sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")
    assert found, f"no project subclass of {base.__name__}: the gate checks nothing"
    return found


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


# Models ---------------------------------------------------------------------


def test_every_editable_model_date_field_carries_the_range_validator():
    checked, missing = [], []
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            if hasattr(model, "instance_type"):
                continue  # simple_history's copy, written by the library
            for field in model._meta.get_fields():
                if not isinstance(field, models.DateField) or not field.editable:
                    continue
                checked.append(f"{model.__name__}.{field.name}")
                if validate_stored_date_in_range not in field.validators:
                    missing.append(f"{model.__name__}.{field.name}")
    assert {"Appointment.starts_at", "Patient.date_of_birth"} <= set(checked)
    assert missing == [], "add validators=[validate_stored_date_in_range]"


# Serializers ----------------------------------------------------------------


def _writable_fields(
    serializer: serializers.BaseSerializer, path: str
) -> Iterator[tuple[str, serializers.Field]]:
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        yield from _field_and_children(field, f"{path}.{name}")


def _field_and_children(
    field: serializers.Field, path: str
) -> Iterator[tuple[str, serializers.Field]]:
    if isinstance(field, serializers.ListSerializer):
        yield from _field_and_children(field.child, path)
    elif isinstance(field, serializers.BaseSerializer):
        yield from _writable_fields(field, path)
    elif isinstance(field, serializers.ListField | serializers.DictField):
        yield from _field_and_children(field.child, f"{path}[]")
    else:
        yield path, field


def _is_bounded(field: serializers.Field) -> bool:
    if isinstance(field, serializers.DateTimeField):
        # DRF converts the zone before validators run: the field must check
        # first (a generated one only carries the model's validator).
        return isinstance(field, BoundedDateTimeField)
    # A date has no zone: the model's validator, inherited, checks it as is.
    return isinstance(field, BoundedDateField) or (
        validate_stored_date_in_range in field.validators
    )


def test_every_writable_serializer_date_field_is_bounded():
    checked, unbounded = [], []
    for cls in _project_subclasses(serializers.BaseSerializer):
        if issubclass(cls, serializers.ListSerializer):
            continue
        for path, field in _writable_fields(cls(), _name(cls)):
            if isinstance(field, serializers.DateField | serializers.DateTimeField):
                checked.append(path)
                if not _is_bounded(field):
                    unbounded.append(path)
    # Nested, get_fields()-built and model-generated fields are among them.
    assert {
        "treatments.serializers.AmendSerializer.changes.infusion_ended_at",
        "clinic.serializers.AvailabilityQuerySerializer.from",
        "patients.serializers.PatientInputSerializer.date_of_birth",
    } <= set(checked)
    assert unbounded == [], "use clinic.core.api.fields.BoundedDate(Time)Field"


# Filters --------------------------------------------------------------------

_DATE_FORM_FIELDS = (forms.DateField, forms.DateTimeField, forms.SplitDateTimeField)


def _date_form_fields(field: forms.Field) -> list[forms.Field]:
    """The field itself and, for a range or split field, its parts."""
    parts = [field]
    if isinstance(field, forms.MultiValueField) and not isinstance(
        field, forms.SplitDateTimeField
    ):
        parts += [p for sub in field.fields for p in _date_form_fields(sub)]
    return [p for p in parts if isinstance(p, _DATE_FORM_FIELDS)]


def test_every_date_filter_of_every_filterset_is_bounded():
    checked, unbounded = [], []
    for cls in _project_subclasses(django_filters.FilterSet):
        if cls._meta.model is None:
            continue
        filterset = cls(data={}, queryset=cls._meta.model.objects.none())
        for name, declared in filterset.filters.items():
            for field in _date_form_fields(declared.field):
                checked.append(f"{_name(cls)}.{name}")
                if validate_date_in_range not in field.validators:
                    unbounded.append(f"{_name(cls)}.{name}")
    assert {
        "clinic.filters.AppointmentFilter.starts_after",
        "treatments.filters.AdverseEventFilter.onset_before",
        "treatments.filters.LotFilter.expires_after",
    } <= set(checked)
    assert unbounded == [], "use clinic.core.api.filters.BoundedDateFilter / UtcIso..."


# Admin forms ----------------------------------------------------------------


def _admin_request() -> Any:
    request = RequestFactory().get("/admin/")
    request.user = get_user_model()(is_superuser=True, is_staff=True, is_active=True)
    return request


def _admin_form_classes() -> Iterator[tuple[str, type[forms.BaseForm]]]:
    """The forms the admin builds for each project model (add and change
    pages look alike field-wise; the add page has every editable field) and
    for its inlines."""
    request = _admin_request()
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        yield _name(type(model_admin)), model_admin.get_form(request)
        for inline_class in model_admin.inlines:
            inline = inline_class(model, admin.site)
            yield _name(inline_class), inline.get_formset(request).form


def test_every_date_field_of_every_admin_form_is_bounded():
    checked, unbounded = [], []
    pages = list(_admin_form_classes())
    declared = [
        (_name(cls), cls)
        for cls in _project_subclasses(forms.BaseForm)
        if "admin" in cls.__module__
    ]
    for owner, form_class in [*pages, *declared]:
        # A form class's own fields (a ModelForm's generated fields are only
        # bounded once the admin builds it, and are checked through `pages`).
        fields = (
            form_class.declared_fields
            if (owner, form_class) in declared
            else form_class.base_fields
        )
        for name, field in fields.items():
            for part in _date_form_fields(field):
                checked.append(f"{owner}.{name}")
                if validate_date_in_range not in part.validators:
                    unbounded.append(f"{owner}.{name}")
    assert {
        "clinic.appointment_admin.AppointmentAdmin.starts_at",
        "clinic.practice_admin.ScheduleExceptionAdmin.date",
        "treatments.admin.outcomes.NoteAmendForm.noted_at",
        "treatments.admin.inventory.RecallForm.date",
    } <= set(checked)
    assert unbounded == [], (
        "admin pages: BoundedDatesAdminMixin; declared fields: the Bounded*FormField"
        " classes of clinic.core.dates"
    )


def test_every_admin_page_of_a_model_with_dates_bounds_them():
    """Its generated form fields and its changelist's date filters and date
    hierarchy (query strings) alike."""
    missing = [
        _name(type(model_admin))
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in PROJECT_APPS
        and any(isinstance(f, models.DateField) for f in model._meta.get_fields())
        and not isinstance(model_admin, BoundedDatesAdminMixin)
    ]
    assert missing == [], "add clinic.core.dates.BoundedDatesAdminMixin"


# The check itself -------------------------------------------------------------


def _tz(hours: int, minutes: int = 0) -> dt.timezone:
    sign = -1 if hours < 0 else 1
    return dt.timezone(dt.timedelta(hours=hours, minutes=sign * minutes))


def _naive(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


EAST, WEST = _tz(23, 59), _tz(-23, 59)


@pytest.mark.parametrize(
    ("value", "as_written", "storable"),
    [
        (dt.date(1800, 1, 1), True, True),
        (dt.date(2200, 12, 31), True, True),
        (dt.date(1799, 12, 31), False, False),
        (dt.date(2201, 1, 1), False, False),
        (dt.date.min, False, False),
        (dt.date.max, False, False),
        (_naive("1800-01-01T00:00"), True, True),
        (_naive("1799-12-31T23:59:59"), False, False),
        (_naive("2200-12-31T23:59:59"), True, True),
        (_naive("2201-01-01T00:00"), False, False),
        # Aware, as written: by its own date, whatever the offset.
        (dt.datetime(1800, 1, 1, tzinfo=EAST), True, True),
        (dt.datetime(2200, 12, 31, 23, 59, 59, tzinfo=WEST), True, True),
        (dt.datetime(1799, 12, 31, 23, 59, tzinfo=EAST), False, False),
        (dt.datetime(2201, 1, 1, tzinfo=dt.UTC), False, True),
        (dt.datetime(2201, 1, 2, 12, tzinfo=dt.UTC), False, False),
        (dt.datetime(1799, 12, 30, 12, tzinfo=dt.UTC), False, False),
        # The ends of Python's calendar: refused, and nothing overflows.
        (dt.datetime(1, 1, 1, tzinfo=EAST), False, False),
        (dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=WEST), False, False),
    ],
)
def test_the_range_at_its_edges(value, as_written, storable):
    assert (is_in_range(value), is_storable(value)) == (as_written, storable)
    for validator, accepted in (
        (validate_date_in_range, as_written),
        (validate_stored_date_in_range, storable),
    ):
        if accepted:
            validator(value)
        else:
            with pytest.raises(ValidationError) as refused:
                validator(value)
            assert refused.value.code == DATE_OUT_OF_RANGE
    if storable:
        refuse_dates_out_of_range(when=value)
    else:
        with pytest.raises(ValidationError) as named:
            refuse_dates_out_of_range(when=value, other=None, text="9999-12-31")
        assert list(named.value.error_dict) == ["when"]


def test_a_time_accepted_as_written_stays_storable_in_any_zone():
    """Services and DRF convert to UTC before full_clean, and a stored time
    comes back in UTC: an accepted time must never be refused on the way."""
    for value in (
        dt.datetime(1800, 1, 1, tzinfo=EAST),
        dt.datetime(2200, 12, 31, 23, 59, 59, 999999, tzinfo=WEST),
    ):
        assert is_in_range(value)
        for zone in (dt.UTC, _tz(14), _tz(-12), EAST, WEST):
            assert is_storable(value.astimezone(zone))


def test_drf_own_overflow_is_a_validation_error_not_a_crash():
    """What a plain DRF field does with year 1 at +23:59 (no UTC exists):
    a ValidationError, which the exception handler answers with 400."""
    with pytest.raises(serializers.ValidationError) as refused:
        serializers.DateTimeField().run_validation("0001-01-01T00:00:00+23:59")
    assert refused.value.detail[0].code == "overflow"
