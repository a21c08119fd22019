"""schemathesis against /api/schema/: every operation, as each role, a fixed
seed and 100 examples each (25 for anonymous calls refused at
authentication). No 500, no response that breaks the schema, no status the
schema does not list, no undeclared content type.

The app is called in-process (WSGI) inside the test's transaction, so every
write is rolled back when the test ends.
"""

import functools

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.security import role_matrix
from tests.security.world import ROLES, SCENARIOS, build_world

pytestmark = pytest.mark.fuzz

EXAMPLES = 100
# Anonymous requests to a protected operation stop at authentication before
# any input is read, so fewer examples exercise all there is; public
# operations (the token endpoint) get the full count.
ANONYMOUS_PROTECTED_EXAMPLES = 25
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]


@functools.cache
def _schema():
    app = get_wsgi_application()
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", app)


@pytest.fixture
def in_test_transaction():
    """Django's test client does this too: a request ending must not close the
    connection that holds the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", sorted(role_matrix.API))
def test_fuzz(db, in_test_transaction, operation, role):
    method, path = operation.split(" ", 1)
    api_operation = _schema()[path][method.lower()]
    world = build_world()
    real_ids, _body, _query = SCENARIOS[operation](world, role)
    headers = {}
    if role != "anonymous":
        headers["Authorization"] = f"Bearer {world.tokens[role]}"

    protected = role_matrix.API[operation]["anonymous"] == 401
    examples = (
        ANONYMOUS_PROTECTED_EXAMPLES if role == "anonymous" and protected else EXAMPLES
    )

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=api_operation.as_strategy(), use_real_ids=st.booleans())
    def run(case, use_real_ids):
        if use_real_ids and real_ids:
            # Half the cases aim at objects that exist, to reach past the 404.
            case.path_parameters = {k: str(v) for k, v in real_ids.items()}
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()
