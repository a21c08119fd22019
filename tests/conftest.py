"""Persona fixtures every test module uses: one staff user per role, and API
clients signed in as each."""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from clinic.core.roles import Role
from tests.factories import UserFactory

# Canary patient names, and the check that none reaches a log or error body.
pytest_plugins = ["tests.canary"]


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # Real hashing costs ~100 ms per user; the suite creates hundreds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(config: pytest.Config, items: list) -> None:
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL (exclusion constraints or real concurrency); "
        "run with DATABASE_URL=postgres://..."
    )
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


# Fixtures through which a test reaches the database (pytest-django's).
_DB_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "live_server",
}


@pytest.fixture(autouse=True)
def _fresh_cache(request: pytest.FixtureRequest):
    """Throttle counters live in the cache; each test starts with none.

    The cache is a database table, so only tests that use the database can
    reach it (and only they need clearing). Autouse fixtures run before the
    test's own, so the database is set up here first, the way the test asked
    for it.
    """
    uses_db = request.node.get_closest_marker("django_db") is not None
    if not uses_db and not _DB_FIXTURES.intersection(request.fixturenames):
        return
    request.getfixturevalue("db")
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def front_desk(db):
    return UserFactory(username="fd_user", roles=[Role.FRONT_DESK])


@pytest.fixture
def clinician(db):
    return UserFactory(username="clin_user", roles=[Role.CLINICIAN])


@pytest.fixture
def manager(db):
    return UserFactory(username="mgr_user", roles=[Role.MANAGER])


@pytest.fixture
def no_role_user(db):
    return UserFactory(username="norole_user")


@pytest.fixture
def anon_client() -> APIClient:
    return APIClient()


def _client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def front_desk_client(front_desk) -> APIClient:
    return _client_for(front_desk)


@pytest.fixture
def clinician_client(clinician) -> APIClient:
    return _client_for(clinician)


@pytest.fixture
def manager_client(manager) -> APIClient:
    return _client_for(manager)


@pytest.fixture
def client_for():
    """For tests that need a client for a user they built themselves."""
    return _client_for
