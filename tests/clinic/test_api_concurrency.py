"""ETag / If-Match against lost updates, Idempotency-Key against retries."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from patients.models import Patient
from tests import etag
from tests.factories.patients import PatientFactory
from tests.factories.users import UserFactory

URL = "/api/v1/patients/"
NEW_PATIENT = {
    "given_name": "Ravi",
    "family_name": "Patel",
    "date_of_birth": "1975-07-01",
    "sex": "male",
}


@pytest.fixture
def patient(db):
    return PatientFactory(email="old@example.test")


def _detail(patient):
    return f"{URL}{patient.public_id}/"


def test_detail_carries_an_etag_that_changes_with_the_record(
    front_desk_client, patient
):
    first = front_desk_client.get(_detail(patient))["ETag"]
    changed = etag.patch(
        front_desk_client,
        _detail(patient),
        {"email": "new@example.test"},
        format="json",
    )

    assert first.startswith('"')
    assert changed["ETag"] != first
    assert front_desk_client.get(_detail(patient))["ETag"] == changed["ETag"]


def test_update_with_current_etag_succeeds(front_desk_client, patient):
    current = front_desk_client.get(_detail(patient))["ETag"]

    response = front_desk_client.patch(
        _detail(patient),
        {"email": "new@example.test"},
        format="json",
        HTTP_IF_MATCH=current,
    )

    assert response.status_code == 200


def test_update_with_stale_etag_is_412_and_changes_nothing(front_desk_client, patient):
    stale = front_desk_client.get(_detail(patient))["ETag"]
    etag.patch(
        front_desk_client, _detail(patient), {"address": "1 New St"}, format="json"
    )

    response = front_desk_client.patch(
        _detail(patient),
        {"email": "lost@example.test"},
        format="json",
        HTTP_IF_MATCH=stale,
    )

    assert response.status_code == 412
    assert response.json()["code"] == "precondition_failed"
    patient.refresh_from_db()
    assert patient.email == "old@example.test"


def test_action_with_stale_etag_is_412(front_desk_client, patient):
    response = front_desk_client.post(
        f"{_detail(patient)}deactivate/",
        {"reason": "Moved"},
        format="json",
        HTTP_IF_MATCH='"not-the-current-version"',
    )

    assert response.status_code == 412
    patient.refresh_from_db()
    assert patient.active


@pytest.mark.parametrize(
    ("if_match", "status", "code"),
    [
        (None, 428, "precondition_required"),
        ("*", 428, "precondition_required"),
        ('"stale", *', 428, "precondition_required"),
        ("", 400, "invalid_if_match"),
        (" , ", 400, "invalid_if_match"),
    ],
)
def test_update_without_a_usable_if_match_is_refused_and_changes_nothing(
    front_desk_client, patient, if_match, status, code
):
    headers = {} if if_match is None else {"HTTP_IF_MATCH": if_match}

    response = front_desk_client.patch(
        _detail(patient), {"email": "new@example.test"}, format="json", **headers
    )

    assert response.status_code == status
    assert response.json()["code"] == code
    if status == 400:
        assert "If-Match" in response.json()["errors"]
    patient.refresh_from_db()
    assert patient.email == "old@example.test"


def test_an_update_of_an_unknown_record_is_404_before_428(front_desk_client):
    response = front_desk_client.patch(
        f"{URL}00000000-0000-0000-0000-000000000000/", {"email": "a@b.test"}
    )

    assert response.status_code == 404


def test_an_action_needs_no_if_match_but_an_empty_one_is_400(
    front_desk_client, patient
):
    empty = front_desk_client.post(
        f"{_detail(patient)}deactivate/",
        {"reason": "Moved"},
        format="json",
        HTTP_IF_MATCH="",
    )
    without = front_desk_client.post(
        f"{_detail(patient)}deactivate/", {"reason": "Moved"}, format="json"
    )

    assert empty.status_code == 400
    assert empty.json()["code"] == "invalid_if_match"
    assert without.status_code == 200
    patient.refresh_from_db()
    assert not patient.active


def test_idempotent_retry_returns_first_response_and_creates_nothing(front_desk_client):
    first = front_desk_client.post(
        URL, NEW_PATIENT, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    retry = front_desk_client.post(
        URL, NEW_PATIENT, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert Patient.objects.count() == 1


def test_same_key_with_other_body_is_422(front_desk_client):
    front_desk_client.post(URL, NEW_PATIENT, format="json", HTTP_IDEMPOTENCY_KEY="k-2")

    response = front_desk_client.post(
        URL,
        {**NEW_PATIENT, "given_name": "Other"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-2",
    )

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Patient.objects.count() == 1


def test_one_users_key_never_returns_another_users_response(
    front_desk_client, client_for
):
    front_desk_client.post(URL, NEW_PATIENT, format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    other = client_for(UserFactory(roles=["front_desk"]))

    response = other.post(
        URL,
        {**NEW_PATIENT, "given_name": "Anita"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-3",
    )

    assert response.status_code == 201
    assert response.json()["given_name"] == "Anita"
    assert "Idempotent-Replayed" not in response


def test_refused_create_is_not_remembered(front_desk_client):
    bad = front_desk_client.post(
        URL, {**NEW_PATIENT, "sex": "?"}, format="json", HTTP_IDEMPOTENCY_KEY="k-4"
    )
    fixed = front_desk_client.post(
        URL, NEW_PATIENT, format="json", HTTP_IDEMPOTENCY_KEY="k-4"
    )

    assert bad.status_code == 400
    assert fixed.status_code == 201


def test_overlong_idempotency_key_is_400(front_desk_client):
    response = front_desk_client.post(
        URL, NEW_PATIENT, format="json", HTTP_IDEMPOTENCY_KEY="x" * 256
    )

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]
    assert not Patient.objects.exists()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_create_once(front_desk):
    count = 8
    barrier = threading.Barrier(count)
    results: list[tuple[int, str]] = []
    lock = threading.Lock()

    def post() -> None:
        client = APIClient()
        client.force_authenticate(front_desk)
        try:
            barrier.wait()
            response = client.post(
                URL, NEW_PATIENT, format="json", HTTP_IDEMPOTENCY_KEY="same"
            )
            outcome = (response.status_code, response.json().get("id", ""))
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=post) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert {status for status, _ in results} == {201}
    assert len({patient_id for _, patient_id in results}) == 1
    assert Patient.objects.count() == 1
