import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from clinic.core.tokens import hash_token_key
from clinic.models import ApiToken
from tests.factories import DEFAULT_PASSWORD

TOKEN_URL = "/api/v1/auth/token/"
PROTECTED_URL = "/api/v1/locations/"


def _login(client: APIClient, username: str, password: str = DEFAULT_PASSWORD):
    return client.post(
        TOKEN_URL, {"username": username, "password": password}, format="json"
    )


def _bearer(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_token_is_issued_for_right_password_and_stored_hashed(front_desk, anon_client):
    response = _login(anon_client, front_desk.username)

    assert response.status_code == 201
    key = response.json()["token"]
    token = ApiToken.objects.get(user=front_desk)
    assert token.key_hash == hash_token_key(key)
    assert key not in {token.key_hash, token.key_prefix}
    assert _bearer(key).get(PROTECTED_URL).status_code == 200


def test_token_refused_for_wrong_password(front_desk, anon_client):
    response = _login(anon_client, front_desk.username, "wrong-password")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    assert not ApiToken.objects.exists()


def test_token_refused_for_inactive_user(front_desk, anon_client):
    front_desk.is_active = False
    front_desk.save()

    assert _login(anon_client, front_desk.username).status_code == 400
    assert not ApiToken.objects.exists()


def test_token_request_missing_fields_names_them(anon_client, db):
    response = anon_client.post(TOKEN_URL, {}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["errors"]) == {"username", "password"}


def test_revoked_token_no_longer_authenticates(front_desk, anon_client):
    key = _login(anon_client, front_desk.username).json()["token"]
    client = _bearer(key)

    assert client.delete(TOKEN_URL).status_code == 204

    assert ApiToken.objects.get().revoked_at is not None
    response = client.get(PROTECTED_URL)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_token_expires_after_its_lifetime(front_desk, anon_client, settings):
    settings.API_TOKEN_TTL = dt.timedelta(hours=2)
    key = _login(anon_client, front_desk.username).json()["token"]

    with time_machine.travel(timezone.now() + dt.timedelta(hours=1, minutes=59)):
        assert _bearer(key).get(PROTECTED_URL).status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2, minutes=1)):
        assert _bearer(key).get(PROTECTED_URL).status_code == 401


def test_token_of_deactivated_user_stops_working(front_desk, anon_client):
    key = _login(anon_client, front_desk.username).json()["token"]
    front_desk.is_active = False
    front_desk.save()

    assert _bearer(key).get(PROTECTED_URL).status_code == 401


@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer a b", "Bearer not-a-real-key", "Token nope"]
)
def test_malformed_or_unknown_token_is_401_json(header, db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get(PROTECTED_URL)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["code"] == "authentication_failed"


def test_revoking_needs_a_token(front_desk_client):
    response = front_desk_client.delete(TOKEN_URL)

    assert response.status_code == 400
    assert response.json()["code"] == "not_token_authenticated"


def test_revoking_anonymously_is_401(anon_client, db):
    assert anon_client.delete(TOKEN_URL).status_code == 401


def test_login_ignores_a_stale_token_in_the_request(front_desk):
    client = _bearer("stale-key-from-yesterday")

    assert _login(client, front_desk.username).status_code == 201
