"""Gates so that a new admin page cannot forget the field rules: every
registered ModelAdmin uses clinic.core.admin_fields.FieldRulesAdminMixin ahead of
Django's classes, keeps its hooks, and for a user without roles names no
role-dependent field anywhere; exports go through csv_download."""

import csv
import io

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from clinic.core.admin_fields import (
    FieldRulesAdminMixin,
    HideUnreadableFieldsMixin,
    csv_download,
)
from clinic.core.field_rules import (
    role_dependent_fields,
    unreadable_fields,
    unreadable_in_path,
)
from patients.models import Patient, SignedConsent
from tests.factories.patients import PatientFactory, SignedConsentFactory

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
IDS = [model._meta.label for model, _admin in REGISTERED]

# Hooks no admin may override: each applies the rules whatever the admin's
# own field lists say (overriding get_readonly_fields or get_form is fine:
# the mixin's get_fieldsets and get_form still filter what is shown).
KEPT_HOOKS = [
    "history_view",
    "history_form_view",
    "lookup_allowed",
    "to_field_allowed",
    "get_fieldsets",
    "get_list_display",
    "get_list_filter",
    "get_search_fields",
    "get_ordering",
    "get_sortable_by",
    "get_history_list_display",
    "get_historical_record_context_helper",
]


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=IDS)
def test_every_registered_admin_uses_the_field_rules(model, model_admin):
    mro = type(model_admin).__mro__

    assert isinstance(model_admin, FieldRulesAdminMixin), model._meta.label
    assert mro.index(FieldRulesAdminMixin) < mro.index(admin.ModelAdmin)
    for hook in KEPT_HOOKS:
        assert getattr(type(model_admin), hook) is getattr(
            FieldRulesAdminMixin, hook
        ), f"{type(model_admin).__name__}.{hook} bypasses the field rules"


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=IDS)
def test_inlines_of_models_with_role_dependent_fields_hide_them(model, model_admin):
    for inline in model_admin.inlines:
        if role_dependent_fields(inline.model):
            assert issubclass(inline, HideUnreadableFieldsMixin), inline.__name__


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=IDS)
def test_no_admin_names_a_field_a_user_without_roles_may_not_read(model, model_admin):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()  # holds no role: every rule applies

    def unreadable(names):
        flat = []
        for entry in names:
            name = entry[0] if isinstance(entry, list | tuple) else entry
            if isinstance(name, str):
                flat.append(name)
        return [n for n in flat if unreadable_in_path(request.user, model, n)]

    fieldsets = model_admin.get_fieldsets(request)
    shown = [n for _title, options in fieldsets for n in options["fields"]]
    assert unreadable(shown) == []
    assert unreadable(model_admin.get_list_display(request)) == []
    assert unreadable(model_admin.get_list_filter(request)) == []
    assert unreadable(model_admin.get_search_fields(request)) == []
    assert unreadable(model_admin.get_ordering(request)) == []
    assert unreadable(model_admin.get_readonly_fields(request)) == []
    form = model_admin.get_form(request)
    assert not set(form.base_fields) & unreadable_fields(request.user, model)


def test_the_relevant_history_is_declared_for_clinical_roles(
    front_desk, clinician, manager
):
    assert role_dependent_fields(Patient) == ["history_notes"]
    assert unreadable_fields(front_desk, Patient) == {"history_notes"}
    assert unreadable_fields(clinician, Patient) == frozenset()
    assert unreadable_fields(manager, Patient) == frozenset()
    # Historical records follow their record's rules.
    assert unreadable_fields(front_desk, Patient.history.model) == {"history_notes"}


@pytest.mark.parametrize(
    ("model", "path"),
    [
        (Patient, "history_notes"),
        (Patient, "history_notes__icontains"),
        (Patient, "-history_notes"),
        (Patient, "^history_notes"),
        (SignedConsent, "patient__history_notes__isnull"),
        (SignedConsent, "patient__consents__patient__history_notes"),
        (Patient, "consents__patient__history_notes__exact"),
    ],
)
def test_paths_reaching_the_history_are_unreadable_to_the_front_desk(
    front_desk, clinician, model, path
):
    assert (
        unreadable_in_path(front_desk, model, path) == "patients.Patient.history_notes"
    )
    assert unreadable_in_path(clinician, model, path) is None


@pytest.mark.parametrize(
    ("model", "path"),
    [
        (Patient, "family_name__icontains"),
        (SignedConsent, "patient__mrn"),
        (SignedConsent, "patient__search_name__contains"),
        (Patient, "nosuchfield__history_notes"),
    ],
)
def test_other_paths_stay_readable(front_desk, model, path):
    assert unreadable_in_path(front_desk, model, path) is None


def test_csv_download_leaves_out_columns_the_user_may_not_read(front_desk, clinician):
    consent = SignedConsentFactory(patient=PatientFactory(history_notes="Zzcsvsecret"))
    columns = [
        ("mrn", "patient__mrn"),
        ("history", "patient__history_notes"),
        ("signed_at", "signed_at"),
    ]

    def download(user):
        request = RequestFactory().get("/")
        request.user = user
        response = csv_download(
            request,
            filename="x.csv",
            model=SignedConsent,
            columns=columns,
            rows=[consent],
        )
        return list(csv.reader(io.StringIO(response.content.decode())))

    desk, clin = download(front_desk), download(clinician)

    assert desk == [
        ["mrn", "signed_at"],
        [consent.patient.mrn, consent.signed_at.isoformat()],
    ]
    assert clin[0] == ["mrn", "history", "signed_at"]
    assert clin[1][1] == "Zzcsvsecret"


def test_an_inline_with_the_mixin_hides_unreadable_fields(front_desk, clinician):
    # No inline shows patients today; one that did would use this mixin.
    from django.contrib.auth import get_user_model

    inline_class = type(
        "CreatedPatientsInline",
        (HideUnreadableFieldsMixin, admin.StackedInline),
        {
            "model": Patient,
            "fk_name": "created_by",
            "fields": ["given_name", "history_notes"],
        },
    )
    inline = inline_class(get_user_model(), admin.site)
    request = RequestFactory().get("/")

    def shown(user):
        request.user = user
        fieldsets = inline.get_fieldsets(request)
        form = inline.get_formset(request).form
        return [n for _t, o in fieldsets for n in o["fields"]], set(form.base_fields)

    desk_fields, desk_form = shown(front_desk)
    clin_fields, clin_form = shown(clinician)

    assert desk_fields == ["given_name"]
    assert "history_notes" not in desk_form
    assert clin_fields == ["given_name", "history_notes"]
    assert "history_notes" in clin_form
