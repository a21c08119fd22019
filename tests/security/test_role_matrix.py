"""Every (role, API operation) cell of tests/security/role_matrix.py, run for
real; and the matrix must name exactly the operations the schema has."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from tests.etag import current_etag
from tests.security import role_matrix
from tests.security.world import ROLES, SCENARIOS, build_world

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


def schema_operations() -> set[str]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }


def test_matrix_lists_every_operation():
    operations = schema_operations()
    missing = sorted(operations - set(role_matrix.API))
    stale = sorted(set(role_matrix.API) - operations)
    no_request = sorted(operations - set(SCENARIOS))
    rows = "\n".join(
        f"{op.split()[0]:<6} {op.split()[1]:<53} 401 ... (fill in)" for op in missing
    )
    assert not missing, (
        "Operations without a row in tests/security/role_matrix.py API_MATRIX;"
        f" add:\n{rows}\n(and a request in tests/security/world.py SCENARIOS)"
    )
    assert not stale, f"Rows for operations the schema no longer has: {stale}"
    assert not no_request, f"Add a request to world.SCENARIOS for: {no_request}"


def _client(world, role: str) -> APIClient:
    client = APIClient()
    if role != "anonymous":
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {world.tokens[role]}")
    return client


def call(world, operation: str, role: str):
    method, template = operation.split(" ", 1)
    params, body, query = SCENARIOS[operation](world, role)
    path = template.format(**params)
    client = _client(world, role)
    if method == "GET":
        return client.get(path, query)
    # Updates carry the ETag the caller reads (428 without it).
    headers = current_etag(client, path) if method in ("PATCH", "PUT") else {}
    return getattr(client, method.lower())(path, body, format="json", **headers)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", sorted(role_matrix.API))
def test_role_matrix_cell(db, operation, role):
    world = build_world()
    expected = role_matrix.API[operation][role]

    response = call(world, operation, role)

    body = response.content[:500]
    assert response.status_code == expected, f"{operation} as {role}: {body!r}"


def _get_operations() -> list[str]:
    return sorted(op for op in role_matrix.API if op.startswith("GET "))


@pytest.mark.parametrize("operation", _get_operations())
def test_head_answers_like_get_for_every_role(db, operation):
    # HEAD used to be 403 on plain API views (availability, outcomes), whose
    # role rules are keyed by method, while GET was 200.
    world = build_world()
    for role in ROLES:
        params, _body, query = SCENARIOS[operation](world, role)
        path = operation.split(" ", 1)[1].format(**params)
        client = _client(world, role)

        got, head = client.get(path, query), client.head(path, query)

        assert head.status_code == got.status_code, f"{operation} as {role}"
        assert head.content == b""
