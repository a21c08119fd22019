import pytest
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD

TOKEN_URL = "/api/v1/auth/token/"


def _token(client, username, password):
    return client.post(
        TOKEN_URL, {"username": username, "password": password}, format="json"
    )


def test_five_failures_lock_the_username_even_for_the_right_password(
    anon_client, front_desk, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _token(anon_client, front_desk.username, "wrong").status_code == 400

    fifth = _token(anon_client, front_desk.username, "wrong")
    right = _token(anon_client, front_desk.username, DEFAULT_PASSWORD)

    assert fifth.status_code == 429
    assert right.status_code == 429
    assert right.json()["code"] == "login_locked"
    assert int(right["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()


def test_lockout_is_per_username(anon_client, front_desk, clinician, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _token(anon_client, front_desk.username, "wrong")

    assert _token(anon_client, clinician.username, DEFAULT_PASSWORD).status_code == 201


def test_successful_login_resets_the_failure_count(anon_client, front_desk, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _token(anon_client, front_desk.username, "wrong")
    assert _token(anon_client, front_desk.username, DEFAULT_PASSWORD).status_code == 201

    assert _token(anon_client, front_desk.username, "wrong").status_code == 400


def test_admin_login_locks_out_too(client, manager, settings):
    url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": manager.username, "password": "wrong"})

    response = client.post(
        url, {"username": manager.username, "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_token_endpoint_is_throttled_with_retry_after(anon_client, settings):
    settings.LOGIN_THROTTLE_RATE = "3/hour"

    statuses = [_token(anon_client, f"nobody{i}", "x").status_code for i in range(3)]
    throttled = _token(anon_client, "nobody9", "x")

    assert statuses == [400, 400, 400]
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "throttled"
    assert int(throttled["Retry-After"]) > 0
