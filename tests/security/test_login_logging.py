"""A lockout is logged (who, from where), and no password ever is."""

import logging

import pytest
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD

TOKEN_URL = "/api/v1/auth/token/"


@pytest.mark.parametrize("entry", ["token", "admin"])
def test_lockout_is_logged_without_the_password(
    entry, anon_client, client, front_desk, settings, caplog
):
    def attempt(password):
        if entry == "token":
            return anon_client.post(
                TOKEN_URL,
                {"username": front_desk.username, "password": password},
                format="json",
            )
        return client.post(
            reverse("admin:login"),
            {"username": front_desk.username, "password": password},
        )

    with caplog.at_level(logging.INFO):
        for n in range(settings.AXES_FAILURE_LIMIT):
            attempt(f"wrong-{n}")
        refused = attempt(DEFAULT_PASSWORD)

    assert refused.status_code == 429
    lockouts = [r for r in caplog.records if "Locking out" in r.getMessage()]
    # The fifth failure, then the refused right password during the cool-off.
    assert len(lockouts) == 2
    assert all(r.levelno == logging.WARNING for r in lockouts)
    assert all(front_desk.username in r.getMessage() for r in lockouts)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert DEFAULT_PASSWORD not in logged
    assert "wrong-0" not in logged
