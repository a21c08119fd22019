"""Ids outside the caller's reach answer 404/400/403, never data; what each
role receives is pinned (the front desk never gets a clinical field)."""

import json
import uuid

import pytest
from rest_framework.test import APIClient

from clinic.models import Appointment
from tests import etag
from tests.factories.clinic import AppointmentFactory
from tests.security import role_matrix
from tests.security.test_role_matrix import call
from tests.security.world import SCENARIOS, _administration_body, build_world
from treatments.models import Administration, StockMovement

# Keys that only clinical roles may ever receive (docs/product.md: the front desk never
# reads treatment records; relevant history is clinical).
CLINICAL_KEYS = {
    "history_notes",
    "dose_volume_ml",
    "particle_count",
    "lot",
    "lot_number",
    "vials_used",
    "administered_by",
    "indication",
    "as_signed",
    "on_hand",
    "outcome_score",
    "grade",
    "relatedness",
    "follow_ups",
    "adverse_events",
}
PATIENT_FIELDS_FRONT_DESK = {
    "id",
    "mrn",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "phone",
    "email",
    "address",
    "emergency_contact_name",
    "emergency_contact_relationship",
    "emergency_contact_phone",
    "allergies",
    "active",
    "deactivated_at",
    "deactivation_reason",
    "created_at",
    "updated_at",
}


@pytest.fixture
def world(db):
    return build_world()


def _client(world, role):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {world.tokens[role]}")
    return client


def _keys(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


def _front_desk_operations():
    return sorted(
        op
        for op, cells in role_matrix.API.items()
        if 200 <= cells["front_desk"] < 300 and op.startswith("GET")
    )


@pytest.mark.parametrize("operation", _front_desk_operations())
def test_front_desk_never_receives_a_clinical_field(world, operation):
    response = call(world, operation, "front_desk")

    assert response.status_code == 200
    leaked = CLINICAL_KEYS & set(_keys(response.json()))
    assert leaked == set(), f"{operation} gave the front desk {sorted(leaked)}"


def test_patient_fields_are_pinned_per_role(world):
    url = f"/api/v1/patients/{world.patient.public_id}/"
    world.patient.history_notes = "Zzclinical secret"
    world.patient.save()

    desk = _client(world, "front_desk").get(url).json()
    clin = _client(world, "clinician").get(url).json()
    listed = _client(world, "front_desk").get("/api/v1/patients/").json()

    assert set(desk) == PATIENT_FIELDS_FRONT_DESK
    assert set(clin) == PATIENT_FIELDS_FRONT_DESK | {"history_notes"}
    assert all(set(row) == PATIENT_FIELDS_FRONT_DESK for row in listed["results"])
    assert "Zzclinical" not in json.dumps(listed)


def test_front_desk_cannot_write_relevant_history(world):
    url = f"/api/v1/patients/{world.patient.public_id}/"

    response = etag.patch(
        _client(world, "front_desk"), url, {"history_notes": "x"}, format="json"
    )

    assert response.status_code == 403
    assert "history_notes" in response.json()["errors"]


def test_another_patients_consent_never_covers_this_patient(world):
    # The patient has no consent of their own; another patient's valid consent
    # for the same product must not be used.
    stranger = world.objects["inactive_patient"]
    stranger.active, stranger.deactivated_at = True, None
    stranger.save()
    body = {**_administration_body(world), "patient": str(stranger.public_id)}
    before = Administration.objects.count(), StockMovement.objects.count()

    response = _client(world, "clinician").post(
        "/api/v1/administrations/", body, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "no_valid_consent"
    assert str(world.consent.public_id) not in response.content.decode()
    assert (Administration.objects.count(), StockMovement.objects.count()) == before


def test_another_patients_appointment_cannot_be_linked(world):
    foreign = AppointmentFactory(status=Appointment.Status.IN_PROGRESS)
    body = {**_administration_body(world), "appointment": str(foreign.public_id)}
    before = Administration.objects.count()

    response = _client(world, "clinician").post(
        "/api/v1/administrations/", body, format="json"
    )

    assert response.status_code == 400
    assert "appointment" in response.json()["errors"]
    assert foreign.patient.family_name not in response.content.decode()
    assert Administration.objects.count() == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/administrations/"),
        ("get", "/api/v1/administrations/?lot={lot}"),
        ("get", "/api/v1/lots/{lot}/"),
        ("get", "/api/v1/lots/{lot}/stock/"),
        ("get", "/api/v1/lots/{lot}/recipients/"),
        ("post", "/api/v1/lots/{lot}/stock/"),
    ],
)
def test_a_lot_id_gets_the_front_desk_nothing(world, method, path):
    body = _administration_body(world) if method == "post" else None

    response = getattr(_client(world, "front_desk"), method)(
        path.format(lot=world.lot.pk), body, format="json"
    )

    assert response.status_code == 403
    assert set(response.json()) == {"code", "detail", "errors"}
    assert world.patient.family_name not in response.content.decode()


@pytest.mark.parametrize("role", ["front_desk", "clinician"])
def test_recall_recipients_are_for_managers_only(world, role):
    response = _client(world, role).get(f"/api/v1/lots/{world.lot.pk}/recipients/")

    assert response.status_code == 403
    assert world.patient.family_name not in response.content.decode()


def _detail_operations():
    return sorted(op for op in role_matrix.API if "{" in op)


@pytest.mark.parametrize("operation", _detail_operations())
def test_unknown_ids_are_404_and_say_nothing(world, operation):
    method, template = operation.split(" ", 1)
    params, body, _query = SCENARIOS[operation](world, "manager")
    unknown = {
        name: uuid.uuid4() if name == "public_id" else 987_654 for name in params
    }

    response = getattr(_client(world, "manager"), method.lower())(
        template.format(**unknown), body, format="json"
    )

    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "detail": response.json()["detail"],
        "errors": {},
    }


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/appointments/?starts_after=2069-05-16T21:46:45-16:17",
        "/api/v1/administrations/?administered_before=1982-04-20T23:06:39-17:49",
    ],
)
def test_an_offset_postgresql_refuses_is_still_an_instant(world, query):
    # Found by the fuzzer: a raw -17:49 offset reached PostgreSQL (500). (Its
    # years 3969 and 0082 are now outside the accepted range: 400.)
    response = _client(world, "manager").get(query)

    assert response.status_code == 200
