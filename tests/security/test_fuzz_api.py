"""schemathesis against /api/schema/, every operation as each role
(anonymous, front desk, clinician, manager), in four passes:

- coverage: schemathesis's coverage phase, every boundary it derives from
  the schema (empty and overlong headers, lengths, limits, types, missing
  fields, undeclared methods and content types), deterministic;
- extremes: each date, date-time, number and string of the world's valid
  request set in turn to year 1 and 9999, offsets of nearly a day, 2**63...
  (fuzz_extremes.py), deterministic;
- random: Hypothesis-generated valid and invalid requests, fixed seed;
- stateful: sequences that follow the schema's links (create or list, then
  read, update and act with the ETag), per signed-in role.

Detail routes get the ids of the world's real records (tests/security/world.py)
so requests reach past the 404. No request may answer 500 or anything the
schema does not document (status, body, content type, headers).

The app runs in-process (WSGI) inside the test's transaction, each request
rolled back after it, but as a live server would run it
(fuzz_support.as_live_server). Each test reports every failing request with
a curl to reproduce it.
"""

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode

from tests.security import role_matrix
from tests.security.fuzz_extremes import variants
from tests.security.fuzz_stateful import run_stateful
from tests.security.fuzz_support import (
    Failures,
    aims_at_path,
    api_operation,
    auth_headers,
    coverage_cases,
    isolated,
    real_ids,
)
from tests.security.world import ROLES, SCENARIOS, build_world

pytestmark = pytest.mark.fuzz

OPERATIONS = sorted(role_matrix.API)
SIGNED_IN = [role for role in ROLES if role != "anonymous"]

# The coverage phase covers the boundaries, so random examples only add
# variety; anonymous calls to a protected operation stop at authentication.
RANDOM_EXAMPLES = 30
ANONYMOUS_PROTECTED_EXAMPLES = 10
# Per signed-in role: scenarios of up to this many linked steps.
STATEFUL_SCENARIOS = 150
STATEFUL_STEPS = 12


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """One world for the module, built once in a transaction that is rolled
    back at the end; each test runs in a savepoint of it (the `db` fixture)
    and each request in a savepoint of that (fuzz_support.isolated), so no
    test sees another's writes."""
    # Django's test client does this too: a request ending must not close
    # the connection that holds the transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            yield build_world()
            transaction.set_rollback(True)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", OPERATIONS)
def test_coverage(world, db, operation, role):
    headers = auth_headers(world, role)
    ids = real_ids(world, operation, role)
    failures = Failures(f"coverage {operation}", role)
    for case in coverage_cases(api_operation(operation)):
        if ids and not aims_at_path(case):
            case.path_parameters = dict(ids)
        with isolated():
            failures.check(case, headers)
    failures.assert_none()


def _permitted(operation: str) -> list[str]:
    return [r for r in SIGNED_IN if 200 <= role_matrix.API[operation][r] < 300]


@pytest.mark.parametrize(
    ("operation", "role"),
    [(operation, role) for operation in OPERATIONS for role in _permitted(operation)],
)
def test_extremes(world, db, operation, role):
    headers = auth_headers(world, role)
    ids, body, query = SCENARIOS[operation](world, role)
    ids = {name: str(value) for name, value in ids.items()}
    query = {name: str(value) for name, value in query.items()}
    api = api_operation(operation)
    failures = Failures(f"extremes {operation}", role)
    etag = _current_etag(world, operation, role, ids)
    if etag is not None:
        headers = {**headers, "If-Match": etag}

    baseline = _case(api, ids, body, query)
    with isolated():
        sent = failures.check(baseline, headers)
    # The valid request itself succeeds, ETag and all: else every variant
    # below stops at the same refusal and tests nothing.
    assert sent.status_code == role_matrix.API[operation][role], sent.text

    for variant in variants(api, ids, body, query):
        case = _case(api, variant.path_parameters, variant.body, variant.query)
        with isolated():
            failures.check(case, headers)
    failures.assert_none()


def _case(api, ids, body, query):
    if body is None:
        return api.Case(path_parameters=ids, query=query)
    return api.Case(
        path_parameters=ids, body=body, query=query, media_type="application/json"
    )


def _current_etag(world, operation, role, ids):
    """The record's ETag as this role reads it, for operations that take
    If-Match; None for the others."""
    api = api_operation(operation)
    if not any(p.name == "If-Match" for p in api.headers):
        return None
    route = operation.split(" ", 1)[1]
    detail = route[: route.index("}/") + 2]
    read = api_operation(f"GET {detail}").Case(path_parameters=ids)
    with isolated():
        response = read.call(headers=auth_headers(world, role))
    assert response.status_code == 200, (operation, role, response.text)
    return response.headers["etag"][0]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", OPERATIONS)
def test_random(world, db, operation, role):
    api = api_operation(operation)
    headers = auth_headers(world, role)
    ids = real_ids(world, operation, role)
    protected = role_matrix.API[operation]["anonymous"] == 401
    examples = (
        ANONYMOUS_PROTECTED_EXAMPLES
        if role == "anonymous" and protected
        else RANDOM_EXAMPLES
    )
    failures = Failures(f"random {operation}", role)
    cases = st.one_of(
        api.as_strategy(generation_mode=GenerationMode.POSITIVE),
        api.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases, use_real_ids=st.booleans())
    def run(case, use_real_ids):
        if use_real_ids and ids:
            # Half the cases aim at records that exist, to reach past the 404.
            case.path_parameters = dict(ids)
        with isolated():
            failures.check(case, headers)

    run()
    failures.assert_none()


@pytest.mark.parametrize("role", SIGNED_IN)
def test_stateful(world, db, role):
    failures, outcomes = run_stateful(
        world, role, scenarios=STATEFUL_SCENARIOS, steps=STATEFUL_STEPS
    )
    failures.assert_none()
    # The links lead somewhere: some followed step succeeded.
    assert outcomes["linked 2xx"] > 0, outcomes
