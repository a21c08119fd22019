"""The API's cross-cutting conventions: authentication everywhere, one error
format, JSON for unknown routes and methods, generic 500s."""

import re
import uuid

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from tests.factories.patients import PatientFactory

PUBLIC_OPERATIONS = {("/api/v1/auth/token/", "post")}


def _operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, methods in schema["paths"].items():
        for method in methods:
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)


def test_schema_lists_operations():
    assert len(list(_operations())) >= 5


@pytest.mark.django_db
def test_every_api_operation_refuses_anonymous_callers():
    client = APIClient()
    checked = 0
    for path, method in _operations():
        if (path, method) in PUBLIC_OPERATIONS:
            continue
        response = getattr(client, method)(_concrete(path), {}, format="json")
        assert response.status_code == 401, (method, path, response.status_code)
        assert response.json()["code"] == "not_authenticated"
        checked += 1
    assert checked >= 4


@pytest.mark.django_db
def test_schema_and_docs_are_public():
    client = Client()
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()


@pytest.mark.django_db
def test_user_without_role_is_forbidden(no_role_user, client_for):
    response = client_for(no_role_user).get("/api/v1/locations/")

    assert response.status_code == 403
    assert response.json() == {
        "code": "permission_denied",
        "detail": "Your role does not allow this.",
        "errors": {},
    }


@pytest.mark.django_db
def test_unknown_api_route_is_json_404(front_desk_client):
    response = front_desk_client.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_unknown_object_is_json_404(manager_client):
    response = manager_client.get("/api/v1/locations/999999/")

    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "detail": "Not found.",
        "errors": {},
    }


@pytest.mark.django_db
def test_unsupported_method_is_json_405(manager_client):
    response = manager_client.delete("/api/v1/locations/")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


@pytest.mark.django_db
def test_malformed_json_is_400_parse_error(manager_client):
    response = manager_client.post(
        "/api/v1/locations/", data="{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


@pytest.mark.django_db
def test_invalid_fields_are_400_naming_each_field(manager_client):
    response = manager_client.post(
        "/api/v1/locations/", {"time_zone": "Nowhere/Land"}, format="json"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["errors"]) == {"name", "time_zone"}
    assert "IANA" in body["errors"]["time_zone"][0]


@pytest.mark.django_db
def test_duplicate_unique_value_is_refused_with_field(manager_client):
    manager_client.post(
        "/api/v1/locations/", {"name": "A", "time_zone": "UTC"}, format="json"
    )
    response = manager_client.post(
        "/api/v1/locations/", {"name": "A", "time_zone": "UTC"}, format="json"
    )

    assert response.status_code == 400
    assert "name" in response.json()["errors"]


@pytest.mark.django_db
@pytest.mark.urls("tests.clinic.urls_failing")
def test_unexpected_error_in_api_view_is_generic_json_500(manager):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(manager)

    response = client.get("/boom/")

    assert response.status_code == 500
    assert response.json() == {
        "code": "server_error",
        "detail": "Something went wrong on our side.",
        "errors": {},
    }
    assert b"Traceback" not in response.content
    assert b"secret-detail" not in response.content


@pytest.mark.django_db
@pytest.mark.urls("tests.clinic.urls_failing")
def test_domain_conflict_is_409_with_code(manager):
    client = APIClient()
    client.force_authenticate(manager)

    response = client.get("/conflict/")

    assert response.status_code == 409
    assert response.json() == {
        "code": "test_conflict",
        "detail": "It collides.",
        "errors": {"when": ["Taken."]},
    }


@pytest.mark.django_db
@pytest.mark.urls("tests.clinic.urls_failing")
def test_unexpected_error_in_plain_django_view_is_generic_json_500():
    response = Client(raise_request_exception=False).get("/plain-boom/")

    assert response.status_code == 500
    assert response.json()["code"] == "server_error"


@pytest.mark.django_db
def test_api_responses_are_never_cached(front_desk_client):
    response = front_desk_client.get("/api/v1/patients/")

    assert response["Cache-Control"] == "no-store"


def test_list_filters_apply_to_lists_not_to_a_detail(front_desk_client):
    patient = PatientFactory(sex="female")
    detail = front_desk_client.get(
        f"/api/v1/patients/{patient.public_id}/?sex=male&ordering=nonsense"
    )
    listed = front_desk_client.get("/api/v1/patients/?sex=male")

    assert detail.status_code == 200
    assert detail.json()["mrn"] == patient.mrn
    assert listed.status_code == 200
    assert listed.json()["results"] == []
