"""The admin applies the API's field rules (patients/apps.py `field_read_roles`,
clinic/core/admin_fields.py): the front desk never reads a patient's relevant
history on any admin page, cannot test for it through changelist lookups,
search or autocomplete, and audit history pages are for managers only, as the
API's /history/ routes are.

These tests use HTTP and the registered admins only, no new module, so they
run unchanged against a tree without the fix (and fail there)."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import prepare_lookup_value
from django.test import Client, RequestFactory
from django.urls import reverse

from clinic.core.roles import Role
from patients import services
from patients.models import Patient, SignedConsent
from tests.factories.clinic import AppointmentFactory
from tests.factories.patients import PatientFactory, SignedConsentFactory

# Distinct canaries for the value before and after the edit, so a page that
# prints either (history list: old and new) is caught.
OLD = "Zzoldhistoryquokka prior stroke 2019"
NEW = "Zznewhistoryquokka prior stroke 2019, on warfarin"
PREFIX = "Zznewhistory"


def _contains_history(response) -> bool:
    body = response.content.decode("utf-8", "replace").lower()
    return "zzoldhistoryquokka" in body or "zznewhistoryquokka" in body


@pytest.fixture
def patient(clinician):
    """A patient whose relevant history was edited once: two history rows."""
    patient = PatientFactory(history_notes=OLD)
    return services.patient_update(patient=patient, actor=clinician, history_notes=NEW)


@pytest.fixture
def web():
    def signed_in(user):
        client = Client()
        client.force_login(user)
        return client

    return signed_in


def _history_urls(patient):
    record = patient.history.order_by("-history_id").first()
    return {
        "history list": reverse("admin:patients_patient_history", args=[patient.pk]),
        "historical record": reverse(
            "admin:patients_patient_simple_history",
            args=[patient.pk, record.history_id],
        ),
    }


# History pages: managers only ----------------------------------------------------


@pytest.mark.parametrize("page", ["history list", "historical record"])
@pytest.mark.parametrize("role", ["front_desk", "clinician"])
def test_history_pages_are_refused_to_all_but_managers(
    web, patient, page, role, request
):
    response = web(request.getfixturevalue(role)).get(_history_urls(patient)[page])

    assert response.status_code == 403
    assert not _contains_history(response)


@pytest.mark.parametrize("page", ["history list", "historical record"])
def test_managers_read_history_pages_with_the_values(web, patient, manager, page):
    response = web(manager).get(_history_urls(patient)[page])

    assert response.status_code == 200
    body = response.content.decode()
    assert "Zznewhistoryquokka" in body
    if page == "history list":
        assert "Zzoldhistoryquokka" in body  # the change: old and new value


@pytest.mark.parametrize("page", ["history list", "historical record"])
def test_anonymous_history_pages_go_to_login(patient, page):
    response = Client().get(_history_urls(patient)[page])

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_history_pages_of_other_models_are_for_managers_too(web, front_desk, manager):
    consent = SignedConsentFactory()
    url = reverse("admin:patients_signedconsent_history", args=[consent.pk])

    assert web(front_desk).get(url).status_code == 403
    assert web(manager).get(url).status_code == 200


# Changelist lookups --------------------------------------------------------------

PATIENT_LOOKUPS = [
    {"history_notes__icontains": PREFIX},
    {"history_notes__startswith": PREFIX},
    {"history_notes": NEW},
    {"history_notes__exact": NEW},
    {"history_notes__isnull": "False"},
    {"history_notes__regex": "^Zznew"},
    {"history_notes__iexact": NEW.upper()},
]


@pytest.mark.parametrize("query", PATIENT_LOOKUPS, ids=lambda q: next(iter(q)))
def test_front_desk_cannot_filter_patients_on_history(
    web, front_desk, manager, patient, query
):
    other = PatientFactory(history_notes="")
    url = reverse("admin:patients_patient_changelist")

    refused = web(front_desk).get(url, query)
    allowed = web(manager).get(url, query)

    assert refused.status_code == 400
    assert patient.mrn not in refused.content.decode()  # no list at all
    assert other.mrn not in refused.content.decode()
    assert not _contains_history(refused)
    # The same query from a role that reads the history filters as usual:
    # the rule refuses only what the role may not read.
    assert allowed.status_code == 200
    orm = {key: prepare_lookup_value(key, value) for key, value in query.items()}
    matching = set(Patient.objects.filter(**orm).values_list("mrn", flat=True))
    assert patient.mrn in matching
    for mrn in (patient.mrn, other.mrn):
        assert (mrn in allowed.content.decode()) == (mrn in matching)


@pytest.mark.parametrize(
    "changelist",
    ["admin:patients_signedconsent_changelist", "admin:clinic_appointment_changelist"],
)
@pytest.mark.parametrize(
    "lookup",
    [
        "patient__history_notes__icontains",
        "patient__history_notes",
        "patient__history_notes__isnull",
    ],
)
def test_front_desk_cannot_filter_through_a_relation(
    web, front_desk, patient, changelist, lookup
):
    SignedConsentFactory(patient=patient)
    AppointmentFactory(patient=patient)
    value = "False" if lookup.endswith("isnull") else PREFIX

    response = web(front_desk).get(reverse(changelist), {lookup: value})

    assert response.status_code == 400
    assert patient.mrn not in response.content.decode()


def test_a_list_filter_cannot_open_a_relation_lookup(front_desk):
    # Django allows a relation lookup that a list_filter names; the field rule
    # holds even for an admin that (by mistake) names the history.
    registered = type(admin.site._registry[SignedConsent])
    leaky = type(
        "LeakyConsentAdmin",
        (registered,),
        {"list_filter": ["form", "patient__history_notes"]},
    )(SignedConsent, admin.site)
    request = RequestFactory().get("/")
    request.user = front_desk

    assert "patient__history_notes" not in leaky.get_list_filter(request)
    assert not leaky.lookup_allowed("patient__history_notes__icontains", "x", request)
    assert not leaky.lookup_allowed("patient__history_notes", "x", request)
    assert leaky.lookup_allowed("form", "1", request)


def test_an_action_cannot_select_patients_by_history(web, front_desk, patient):
    # "Select all" applies an action to the filtered list: the lookup must be
    # refused before any patient is chosen, listed or changed.
    url = reverse("admin:patients_patient_changelist")
    response = web(front_desk).post(
        f"{url}?history_notes__icontains={PREFIX}",
        {
            "action": "deactivate_patients",
            "select_across": "1",
            "index": "0",
            ACTION_CHECKBOX_NAME: [patient.pk],
        },
    )

    assert response.status_code == 400
    assert patient.mrn not in response.content.decode()
    patient.refresh_from_db()
    assert patient.active


# Pages, search and autocomplete --------------------------------------------------


def test_front_desk_change_page_and_list_never_show_history(web, front_desk, patient):
    client = web(front_desk)

    change = client.get(reverse("admin:patients_patient_change", args=[patient.pk]))
    listing = client.get(reverse("admin:patients_patient_changelist"))

    assert change.status_code == 200
    assert listing.status_code == 200
    assert patient.mrn in listing.content.decode()
    assert not _contains_history(change)
    assert not _contains_history(listing)
    assert 'name="history_notes"' not in change.content.decode()


def test_front_desk_cannot_set_history_through_the_change_page(
    web, front_desk, patient
):
    change = reverse("admin:patients_patient_change", args=[patient.pk])
    form = web(front_desk).get(change).context["adminform"].form
    data = {
        **{name: form[name].value() or "" for name in form.fields},
        "history_notes": "written by the front desk",
        "consents-TOTAL_FORMS": "0",
        "consents-INITIAL_FORMS": "0",
    }

    response = web(front_desk).post(change, data)

    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.history_notes == NEW


def test_clinician_change_page_shows_history(web, clinician, patient):
    response = web(clinician).get(
        reverse("admin:patients_patient_change", args=[patient.pk])
    )

    assert response.status_code == 200
    assert "Zznewhistoryquokka" in response.content.decode()


@pytest.mark.parametrize("term", ["Zznewhistoryquokka", "warfarin", PREFIX])
def test_search_and_autocomplete_never_match_history(web, front_desk, patient, term):
    client = web(front_desk)

    listing = client.get(reverse("admin:patients_patient_changelist"), {"q": term})
    autocomplete = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "patients",
            "model_name": "signedconsent",
            "field_name": "patient",
            "term": term,
        },
    )

    assert listing.status_code == 200
    assert patient.mrn not in listing.content.decode()
    assert autocomplete.status_code == 200
    assert autocomplete.json()["results"] == []


def test_search_fields_naming_history_are_not_searched(front_desk, clinician, patient):
    registered = type(admin.site._registry[SignedConsent])
    leaky = type(
        "LeakySearchConsentAdmin",
        (registered,),
        {"search_fields": ["patient__mrn", "patient__history_notes"]},
    )(SignedConsent, admin.site)
    SignedConsentFactory(patient=patient)
    request = RequestFactory().get("/")

    def found(user):
        request.user = user
        queryset, _duplicates = leaky.get_search_results(
            request, SignedConsent.objects.all(), "warfarin"
        )
        return queryset.exists()

    assert not found(front_desk)
    assert found(clinician)


def test_field_lists_naming_history_are_cut_for_the_front_desk(front_desk, clinician):
    registered = type(admin.site._registry[Patient])
    leaky = type(
        "LeakyPatientAdmin",
        (registered,),
        {
            "list_display": ["mrn", "history_notes"],
            "list_filter": ["active", "history_notes"],
            "ordering": ["history_notes", "mrn"],
            "readonly_fields": ["mrn", "history_notes"],
        },
    )(Patient, admin.site)
    request = RequestFactory().get("/")
    request.user = front_desk

    assert leaky.get_list_display(request) == ["mrn"]
    assert leaky.get_list_filter(request) == ["active"]
    assert list(leaky.get_ordering(request)) == ["mrn"]
    assert leaky.get_readonly_fields(request) == ["mrn"]
    assert "history_notes" not in leaky.get_form(request).base_fields
    request.user = clinician
    assert leaky.get_list_display(request) == ["mrn", "history_notes"]


# One declaration: the API and the admin follow it together ------------------------


def test_api_and_admin_follow_the_one_declaration(
    monkeypatch,
    web,
    front_desk,
    clinician,
    front_desk_client,
    clinician_client,
    patient,
):
    # Turned round for the test: only the front desk may read the history.
    config = apps.get_app_config("patients")
    monkeypatch.setattr(
        config,
        "field_read_roles",
        {"Patient": {"history_notes": frozenset({Role.FRONT_DESK})}},
        raising=False,
    )
    api = f"/api/v1/patients/{patient.public_id}/"
    change = reverse("admin:patients_patient_change", args=[patient.pk])

    changelist = reverse("admin:patients_patient_changelist")
    lookup = {"history_notes__icontains": PREFIX}

    assert front_desk_client.get(api).json()["history_notes"] == NEW
    assert "history_notes" not in clinician_client.get(api).json()
    assert "Zznewhistoryquokka" in web(front_desk).get(change).content.decode()
    assert not _contains_history(web(clinician).get(change))
    assert web(front_desk).get(changelist, lookup).status_code == 200
    assert web(clinician).get(changelist, lookup).status_code == 400


def test_history_pages_hide_what_even_a_manager_may_not_read(
    monkeypatch, web, manager, patient
):
    # Managers hold every role, so today they read everything; the history
    # pages still apply the field rules, not only the managers-only gate.
    config = apps.get_app_config("patients")
    monkeypatch.setattr(
        config,
        "field_read_roles",
        {"Patient": {"history_notes": frozenset({"no_such_role"})}},
        raising=False,
    )

    for page, url in _history_urls(patient).items():
        response = web(manager).get(url)
        assert response.status_code == 200, page
        assert not _contains_history(response), page
