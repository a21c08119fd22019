"""Input the server would not apply is refused, never dropped or crashed on:
every body-taking operation refuses unknown and read-only keys (400, each
key named), and a form-encoded body is read like a JSON one."""

from urllib.parse import urlencode

import pytest
from drf_spectacular.generators import SchemaGenerator

from clinic.core.api.serializers import StrictInputMixin
from clinic.models import Appointment, Location
from tests.etag import current_etag
from tests.security import role_matrix
from tests.security.test_role_matrix import _client
from tests.security.world import SCENARIOS, build_world

BODY_METHODS = ("POST", "PUT", "PATCH")


def _request_serializers():
    generator = SchemaGenerator()
    generator._initialise_endpoints()
    for path, path_regex, method, callback in generator.endpoints:
        if method not in BODY_METHODS:
            continue
        schema = generator.create_view(callback, method).schema
        schema.path, schema.path_regex, schema.method = path, path_regex, method
        schema.registry = generator.registry
        serializer = schema.get_request_serializer()
        if serializer is not None:
            yield f"{method} {path}", serializer


def test_every_request_body_refuses_keys_it_would_not_apply():
    lenient = sorted(
        operation
        for operation, serializer in _request_serializers()
        if not issubclass(
            serializer if isinstance(serializer, type) else type(serializer),
            StrictInputMixin,
        )
    )
    assert lenient == [], "add clinic.core.api.serializers.StrictInputMixin"


def _allowed_role(operation: str) -> str:
    cells = role_matrix.API[operation]
    return next(r for r in ("manager", "clinician", "front_desk") if cells[r] < 300)


def _writes():
    return sorted(
        op
        for op in role_matrix.API
        if op.split()[0] in BODY_METHODS and "auth/token" not in op
    )


@pytest.mark.parametrize("operation", _writes())
def test_a_form_encoded_body_is_never_a_500(db, operation):
    world = build_world()
    role = _allowed_role(operation)
    params, body, _ = SCENARIOS[operation](world, role)
    method, template = operation.split(" ", 1)
    path = template.format(**params)
    client = _client(world, role)
    flat = {k: v for k, v in (body or {}).items() if not isinstance(v, dict)}
    headers = current_etag(client, path) if method != "POST" else {}

    response = client.generic(
        method,
        path,
        urlencode(flat, doseq=True),
        content_type="application/x-www-form-urlencoded",
        **headers,
    )

    assert response.status_code < 500, response.content


def test_a_move_refuses_status_ids_and_other_keys_and_changes_nothing(world):
    appointment = world.booked
    url = f"/api/v1/appointments/{appointment.public_id}/"
    client = _client(world, "front_desk")
    before = client.get(url).json()
    body = {
        "status": "cancelled",
        "id": "00000000-0000-0000-0000-000000000000",
        "created_by": 1,
        "patient": str(world.patient.public_id),
        "notes": "Moved by phone.",
    }

    response = client.patch(url, body, format="json", **current_etag(client, url))

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {"status", "id", "created_by", "patient"} <= set(errors)
    assert "notes" not in errors
    assert client.get(url).json() == before
    assert Appointment.objects.get(pk=appointment.pk).status == appointment.status


@pytest.fixture
def world(db):
    return build_world()


def test_a_location_refuses_unknown_and_read_only_keys(world):
    location = world.location
    url = f"/api/v1/locations/{location.pk}/"
    client = _client(world, "manager")
    body = {"id": 999, "created_at": "2020-01-01T00:00:00Z", "colour": "red"}

    response = client.patch(url, body, format="json", **current_etag(client, url))

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"id", "created_at", "colour"}
    assert Location.objects.get(pk=location.pk).name == location.name


def test_a_new_location_with_active_is_400_naming_it_and_creates_nothing(world):
    # Schema-valid once, and a 500: the create service takes no `active`.
    client = _client(world, "manager")
    body = {"name": "North", "time_zone": "UTC", "active": True}

    response = client.post("/api/v1/locations/", body, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["active"]
    assert not Location.objects.filter(name="North").exists()


def test_a_form_encoded_new_location_is_created(world):
    # A form leaves out unticked booleans, which DRF reads as false: `active`
    # reached the create service, a 500.
    client = _client(world, "manager")

    response = client.post(
        "/api/v1/locations/",
        urlencode({"name": "South", "time_zone": "Europe/Lisbon"}),
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 201, response.content
    assert response.json()["active"] is True
