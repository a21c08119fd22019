import datetime as dt

import pytest
from django.utils import timezone

from patients.models import SignedConsent
from tests import etag
from tests.factories.patients import (
    ConsentFormFactory,
    PatientFactory,
    SignedConsentFactory,
)

URL = "/api/v1/consents/"


@pytest.fixture
def form(db):
    return ConsentFormFactory()


def _payload(patient_, form_, witness, **overrides):
    body = {
        "patient": str(patient_.public_id),
        "form": form_.pk,
        "signed_at": (timezone.now() - dt.timedelta(minutes=5)).isoformat(),
        "signed_by": "patient",
        "witness": witness.pk,
    }
    body.update(overrides)
    return body


def test_front_desk_records_a_consent(front_desk_client, front_desk, form):
    patient = PatientFactory()

    response = front_desk_client.post(
        URL, _payload(patient, form, front_desk), format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert body["patient"] == str(patient.public_id)
    assert (body["form_title"], body["form_version"]) == (form.title, form.version)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        (
            {"signed_at": (timezone.now() + dt.timedelta(hours=1)).isoformat()},
            "signed_at",
        ),
        ({"expires_at": "2000-01-01T00:00:00Z"}, "expires_at"),
        ({"signed_by": "neighbour"}, "signed_by"),
        ({"signed_by": "legal_representative"}, "representative_name"),
        ({"patient": "00000000-0000-0000-0000-000000000000"}, "patient"),
        ({"form": 999999}, "form"),
    ],
)
def test_bad_consent_is_400_naming_the_field(
    front_desk_client, front_desk, form, overrides, field
):
    response = front_desk_client.post(
        URL, _payload(PatientFactory(), form, front_desk, **overrides), format="json"
    )

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not SignedConsent.objects.exists()


def test_consent_for_inactive_patient_is_400(front_desk_client, front_desk, form):
    patient = PatientFactory(active=False, deactivated_at=timezone.now())

    response = front_desk_client.post(
        URL, _payload(patient, form, front_desk), format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "patient_inactive"
    assert "patient" in response.json()["errors"]
    assert not SignedConsent.objects.exists()


def test_clinician_cannot_record_but_can_withdraw(clinician_client, clinician, form):
    consent = SignedConsentFactory(form=form)

    refused = clinician_client.post(
        URL, _payload(PatientFactory(), form, clinician), format="json"
    )
    withdrawn = clinician_client.post(
        f"{URL}{consent.public_id}/withdraw/",
        {"reason": "Patient asked"},
        format="json",
    )

    assert refused.status_code == 403
    assert withdrawn.status_code == 200
    assert withdrawn.json()["withdrawal_reason"] == "Patient asked"


def test_withdrawing_twice_is_409(front_desk_client, form):
    consent = SignedConsentFactory(form=form)
    url = f"{URL}{consent.public_id}/withdraw/"
    front_desk_client.post(url, {"reason": "First"}, format="json")

    response = front_desk_client.post(url, {"reason": "Second"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "consent_already_withdrawn"


def test_consents_cannot_be_edited_or_deleted(manager_client, form):
    consent = SignedConsentFactory(form=form)
    url = f"{URL}{consent.public_id}/"

    assert (
        etag.patch(manager_client, url, {"signed_by": "x"}, format="json").status_code
        == 405
    )
    assert manager_client.delete(url).status_code == 405
    assert SignedConsent.objects.filter(pk=consent.pk).exists()


def test_filter_by_patient(front_desk_client, form):
    mine = SignedConsentFactory(form=form)
    SignedConsentFactory(form=form)

    response = front_desk_client.get(URL, {"patient": str(mine.patient.public_id)})

    assert [row["id"] for row in response.json()["results"]] == [str(mine.public_id)]


@pytest.mark.parametrize("page_size", [3, 30])
def test_list_query_count_is_constant(
    front_desk_client, form, django_assert_num_queries, page_size
):
    SignedConsentFactory.create_batch(35, form=form)
    with django_assert_num_queries(3):
        response = front_desk_client.get(URL, {"page_size": page_size})
    assert len(response.json()["results"]) == page_size
