"""The admin writes through the same services as the API."""

import datetime as dt

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from patients.models import Patient
from tests.factories.patients import (
    ConsentFormFactory,
    PatientFactory,
    SignedConsentFactory,
)

FORM = {
    "given_name": "Chloé",
    "family_name": "Martin",
    "date_of_birth": "1979-02-03",
    "sex": "female",
    "phone": "",
    "email": "",
    "address": "",
    "emergency_contact_name": "",
    "emergency_contact_relationship": "",
    "emergency_contact_phone": "",
    "allergies": "",
    "history_notes": "",
    # the read-only consents inline still posts its management form
    "consents-TOTAL_FORMS": "0",
    "consents-INITIAL_FORMS": "0",
}


@pytest.fixture
def admin_client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_front_desk_registers_in_admin_through_the_service(
    admin_client_for, front_desk
):
    client = admin_client_for(front_desk)

    response = client.post(reverse("admin:patients_patient_add"), FORM)

    assert response.status_code == 302, response.content[:2000]
    patient = Patient.objects.get()
    assert patient.mrn.startswith("MRN")
    assert patient.search_name == "chloe martin"
    assert patient.history.get().history_user == front_desk


def test_admin_refuses_duplicate_without_confirmation(admin_client_for, front_desk):
    existing = PatientFactory(
        given_name="Chloe",
        family_name="MARTIN",
        search_name="chloe martin",
        date_of_birth=dt.date(1979, 2, 3),
    )
    client = admin_client_for(front_desk)

    refused = client.post(reverse("admin:patients_patient_add"), FORM)
    accepted = client.post(
        reverse("admin:patients_patient_add"), {**FORM, "confirm_distinct": "on"}
    )

    assert refused.status_code == 200
    assert existing.mrn in refused.content.decode()
    assert accepted.status_code == 302
    assert Patient.objects.count() == 2


def test_admin_refuses_future_birth_date(admin_client_for, front_desk):
    client = admin_client_for(front_desk)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()

    response = client.post(
        reverse("admin:patients_patient_add"), {**FORM, "date_of_birth": tomorrow}
    )

    assert response.status_code == 200
    assert b"cannot be in the future" in response.content
    assert not Patient.objects.exists()


def test_nobody_can_delete_a_patient_in_admin(admin_client_for, manager):
    patient = PatientFactory()
    client = admin_client_for(manager)

    response = client.post(
        reverse("admin:patients_patient_delete", args=[patient.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert Patient.objects.filter(pk=patient.pk).exists()


def test_admin_search_ignores_accents(admin_client_for, front_desk):
    PatientFactory(given_name="José", family_name="Núñez", search_name="jose nunez")
    PatientFactory(given_name="Ann", family_name="Smith", search_name="ann smith")
    client = admin_client_for(front_desk)

    response = client.get(reverse("admin:patients_patient_changelist"), {"q": "nunez"})

    content = response.content.decode()
    assert "Núñez" in content
    assert "Smith" not in content


def test_published_form_is_read_only_in_admin(admin_client_for, manager):
    form = ConsentFormFactory()
    client = admin_client_for(manager)

    page = client.get(reverse("admin:patients_consentform_change", args=[form.pk]))

    assert page.status_code == 200
    assert b'name="body"' not in page.content


def test_withdraw_action_asks_for_a_reason_then_withdraws(admin_client_for, front_desk):
    consent = SignedConsentFactory()
    client = admin_client_for(front_desk)
    url = reverse("admin:patients_signedconsent_changelist")
    selection = {"action": "withdraw_consents", ACTION_CHECKBOX_NAME: [consent.pk]}

    asked = client.post(url, selection)
    done = client.post(url, {**selection, "apply": "1", "reason": "Patient called"})

    assert asked.status_code == 200
    assert b"reason" in asked.content
    assert done.status_code == 302
    consent.refresh_from_db()
    assert (consent.withdrawal_reason, consent.withdrawn_by) == (
        "Patient called",
        front_desk,
    )


def test_front_desk_does_not_see_relevant_history_in_admin(
    admin_client_for, front_desk
):
    patient = PatientFactory(history_notes="Prior stroke")
    client = admin_client_for(front_desk)

    page = client.get(reverse("admin:patients_patient_change", args=[patient.pk]))

    assert page.status_code == 200
    assert b"Prior stroke" not in page.content


def test_a_page_refused_after_the_service_ran_writes_nothing(
    admin_client_for, front_desk
):
    # The main form is valid, so its service registers the patient while the
    # form is validated; the inline's missing management form then refuses
    # the page. The admin page's transaction must take the patient back.
    client = admin_client_for(front_desk)
    form = {k: v for k, v in FORM.items() if not k.startswith("consents-")}

    response = client.post(reverse("admin:patients_patient_add"), form)

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.non_form_errors()
    assert not Patient.objects.exists()
    assert not Patient.history.exists()
