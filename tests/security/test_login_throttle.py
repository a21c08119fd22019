"""Login attempts are limited per client address (token endpoint and admin
login, one budget), whatever address a client claims, in the shared cache."""

import datetime as dt
import logging
import socket
import uuid

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.test import override_settings
from django.urls import reverse

from clinic.core.env import env_cache, parse_rate
from tests.factories import DEFAULT_PASSWORD

TOKEN_URL = "/api/v1/auth/token/"
CLIENT = "203.0.113.9"
PROXY = "10.0.0.5"
# Half a minute into a minute, so a window edge is never crossed by accident.
NOW = dt.datetime(2026, 3, 2, 9, 0, 30, tzinfo=dt.UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _limit() -> int:
    return parse_rate(django_settings.LOGIN_THROTTLE_RATE)[0]


def _token(client, n, remote=CLIENT, forwarded=None, username=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(
        TOKEN_URL,
        {"username": username or f"nobody{n}", "password": "x"},
        format="json",
        **headers,
    )


def _admin_login(client, n, remote=CLIENT, username=None, password="wrong"):  # noqa: S107
    return client.post(
        reverse("admin:login"),
        {"username": username or f"nobody{n}", "password": password},
        REMOTE_ADDR=remote,
    )


def test_a_forged_forwarded_for_does_not_buy_a_new_budget(anon_client):
    limit = _limit()

    answers = [
        _token(anon_client, n, forwarded=f"198.51.100.{n}") for n in range(limit + 10)
    ]

    assert [a.status_code for a in answers[:limit]] == [400] * limit
    assert {a.status_code for a in answers[limit:]} == {429}
    refused = answers[limit]
    assert refused.json() == {
        "code": "throttled",
        "detail": refused.json()["detail"],
        "errors": {},
    }
    assert int(refused["Retry-After"]) == 30  # the rest of the minute


def test_behind_a_trusted_proxy_each_client_has_its_own_budget(anon_client, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.LOGIN_THROTTLE_RATE = "3/minute"

    # Client A rotates a forged entry left of what the proxy appended.
    first = [
        _token(anon_client, n, remote=PROXY, forwarded=f"6.6.6.{n}, 198.51.100.1")
        for n in range(4)
    ]
    second = _token(anon_client, 9, remote=PROXY, forwarded="198.51.100.2")

    assert [a.status_code for a in first] == [400, 400, 400, 429]
    assert second.status_code == 400


def test_a_trusted_proxy_without_forwarded_for_counts_as_itself(anon_client, settings):
    settings.TRUSTED_PROXIES = [f"{PROXY}/32"]
    settings.LOGIN_THROTTLE_RATE = "2/minute"

    answers = [_token(anon_client, n, remote=PROXY) for n in range(3)]

    assert [a.status_code for a in answers] == [400, 400, 429]


@pytest.mark.parametrize("remote", [CLIENT, PROXY])
def test_a_malformed_forwarded_for_is_never_a_500_nor_a_fresh_budget(
    anon_client, settings, remote
):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.LOGIN_THROTTLE_RATE = "5/minute"
    malformed = [
        "not-an-ip",
        "198.51.100.1, garbage",
        ",,,",
        "[2001:db8::1]:443",
        "1.2.3.4:80",
        "x" * 5000,
        "1.2.3.4, \u00e9\u00e9",
    ]

    answers = [
        _token(anon_client, n, remote=remote, forwarded=value)
        for n, value in enumerate(malformed)
    ]

    assert [a.status_code for a in answers] == [400] * 5 + [429] * 2


def test_ipv6_clients_are_counted_per_64(anon_client, settings):
    settings.LOGIN_THROTTLE_RATE = "2/minute"

    same_64 = [
        _token(anon_client, n, remote=f"2001:db8:1:2::{n + 1:x}") for n in range(3)
    ]
    other_64 = _token(anon_client, 9, remote="2001:db8:1:3::1")

    assert [a.status_code for a in same_64] == [400, 400, 429]
    assert other_64.status_code == 400


def test_the_budget_returns_when_the_window_ends(anon_client, settings):
    settings.LOGIN_THROTTLE_RATE = "2/minute"
    for n in range(2):
        _token(anon_client, n)
    assert _token(anon_client, 2).status_code == 429

    with time_machine.travel(NOW + dt.timedelta(seconds=30), tick=False):
        assert _token(anon_client, 3).status_code == 400


def test_a_refusal_is_logged_once_per_window_with_the_real_address(
    anon_client, settings, caplog
):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.LOGIN_THROTTLE_RATE = "1/minute"

    with caplog.at_level(logging.WARNING, logger="clinic.core.throttling"):
        for n in range(4):
            _token(anon_client, n, remote=PROXY, forwarded="198.51.100.7")

    lines = [
        r.getMessage() for r in caplog.records if r.name == "clinic.core.throttling"
    ]
    assert len(lines) == 1
    assert "198.51.100.7" in lines[0]
    assert PROXY not in lines[0]


def test_axes_records_and_logs_the_resolved_address(
    anon_client, front_desk, settings, caplog
):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    with caplog.at_level(logging.WARNING):
        for n in range(settings.AXES_FAILURE_LIMIT):
            _token(
                anon_client,
                n,
                remote=PROXY,
                forwarded="6.6.6.6, 198.51.100.7",
                username=front_desk.username,
            )

    attempt = AccessAttempt.objects.get(username=front_desk.username)
    assert attempt.ip_address == "198.51.100.7"
    lockouts = [
        r.getMessage() for r in caplog.records if "Locking out" in r.getMessage()
    ]
    assert lockouts
    assert all("198.51.100.7" in line for line in lockouts)
    assert not any(PROXY in line or "6.6.6.6" in line for line in lockouts)


# The admin login.


def test_admin_login_is_throttled_per_address_whatever_the_username(client):
    limit = _limit()

    answers = [_admin_login(client, n) for n in range(limit + 1)]
    other_address = _admin_login(client, 99, remote="198.51.100.50")

    assert [a.status_code for a in answers[:limit]] == [200] * limit
    refused = answers[limit]
    assert refused.status_code == 429
    assert refused["Content-Type"].startswith("text/plain")
    assert "Too many login attempts" in refused.content.decode()
    assert int(refused["Retry-After"]) == 30
    assert other_address.status_code == 200


def test_a_throttled_admin_login_does_not_check_the_password(client, manager):
    for n in range(_limit()):
        _admin_login(client, n)

    refused = _admin_login(
        client, 0, username=manager.username, password=DEFAULT_PASSWORD
    )

    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    # Not an attempt as far as axes is concerned either: nothing recorded.
    assert not AccessAttempt.objects.filter(username=manager.username).exists()


def test_viewing_the_admin_login_page_is_not_counted(client, settings):
    settings.LOGIN_THROTTLE_RATE = "2/minute"

    pages = [client.get(reverse("admin:login"), REMOTE_ADDR=CLIENT) for _ in range(10)]
    posts = [_admin_login(client, n) for n in range(3)]

    assert {p.status_code for p in pages} == {200}
    assert [p.status_code for p in posts] == [200, 200, 429]


def test_a_good_admin_login_within_the_budget_still_works(client, manager):
    response = _admin_login(
        client, 0, username=manager.username, password=DEFAULT_PASSWORD
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(manager.pk)


def test_token_endpoint_and_admin_login_share_one_budget(anon_client, client, settings):
    settings.LOGIN_THROTTLE_RATE = "3/minute"

    for n in range(2):
        assert _token(anon_client, n).status_code == 400
    assert _admin_login(client, 2).status_code == 200

    assert _admin_login(client, 3).status_code == 429
    assert _token(anon_client, 4).status_code == 429


# Redis.


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_cache():
    if not _redis_reachable():
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    # A database number and a prefix of this test's own: nothing else's keys
    # are read or removed.
    prefix = f"test-login-throttle-{uuid.uuid4().hex}"
    config = env_cache(
        "REDIS_URL",
        key_prefix=prefix,
        environ={"REDIS_URL": "redis://127.0.0.1:6379/13"},
    )
    with override_settings(CACHES={"default": config}):
        yield prefix
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)


def test_with_redis_the_throttle_counts_in_redis(anon_client, settings, redis_cache):
    settings.LOGIN_THROTTLE_RATE = "3/minute"

    answers = [_token(anon_client, n, forwarded=f"6.6.6.{n}") for n in range(5)]

    assert [a.status_code for a in answers] == [400, 400, 400, 429, 429]
    assert isinstance(caches["default"], RedisCache)
    # A second connection, as another worker would have, reads the count.
    client = cache._cache.get_client(write=False)
    keys = [k.decode() for k in client.scan_iter(match=f"{redis_cache}:*")]
    assert len(keys) == 1
    assert keys[0].endswith(f":{CLIENT}")
    assert int(client.get(keys[0])) == 5
    assert 0 < client.ttl(keys[0]) <= 61
