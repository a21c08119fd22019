"""Bodies no client should send: too large, too many fields, nested too deep.
Each is a 4xx JSON answer on the API (413 or 400), never a 500, and writes
nothing."""

import json

import pytest

from patients.models import Patient

URL = "/api/v1/patients/"


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.fixture
def count_patients(db):
    return Patient.objects.count


def test_a_body_over_the_size_limit_is_413_before_it_is_read(
    front_desk_client, count_patients, settings
):
    body = json.dumps({"given_name": "x" * (10 * 1024 * 1024)})

    response = front_desk_client.generic(
        "POST", URL, body, content_type="application/json"
    )

    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert count_patients() == 0


def test_the_size_limit_is_the_setting(front_desk_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    small = front_desk_client.generic(
        "POST", URL, json.dumps({"x": "y" * 10}), content_type="application/json"
    )
    large = front_desk_client.generic(
        "POST", URL, json.dumps({"x": "y" * 200}), content_type="application/json"
    )

    assert small.status_code == 400  # read, and refused for its fields
    assert large.status_code == 413


def test_an_oversized_admin_post_is_413_too(client, db):
    response = client.generic(
        "POST",
        "/admin/login/",
        "a=" + "x" * (10 * 1024 * 1024),
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 413


def test_two_thousand_form_fields_are_400(front_desk_client, count_patients):
    body = "&".join(f"f{i}=v" for i in range(2000))

    response = front_desk_client.generic(
        "POST", URL, body, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "too_many_fields"
    assert count_patients() == 0


def test_two_thousand_query_parameters_are_400(front_desk_client):
    query = "&".join(f"f{i}=v" for i in range(2000))

    response = front_desk_client.get(f"{URL}?{query}")

    assert response.status_code == 400
    assert response.json()["code"] == "too_many_fields"


@pytest.mark.parametrize("depth", [33, 1_000, 100_000])
def test_json_nested_too_deep_is_400(front_desk_client, count_patients, depth):
    response = front_desk_client.generic(
        "POST", URL, _nested(depth), content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert count_patients() == 0


def test_json_nested_within_the_limit_is_read(front_desk_client):
    body = json.dumps({"given_name": json.loads(_nested(31))})

    response = front_desk_client.generic(
        "POST", URL, body, content_type="application/json"
    )

    assert response.status_code == 400
    assert "given_name" in response.json()["errors"]
