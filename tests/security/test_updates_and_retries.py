"""Lost updates and retries, over every operation the schema says honours
If-Match or Idempotency-Key (so the documentation and the behaviour agree)."""

import threading

import pytest
from django.db import connection
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from clinic.core.roles import Role
from clinic.core.tokens import token_issue
from tests.factories.users import UserFactory
from tests.security import role_matrix
from tests.security.world import SCENARIOS, build_world

STALE = '"0000000000000000000000000000000000000000"'


def _operations_with_header(name: str) -> list[str]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if any(p["name"] == name for p in operation.get("parameters", []))
    )


IF_MATCH_OPS = _operations_with_header("If-Match")
IDEMPOTENT_OPS = _operations_with_header("Idempotency-Key")


def _allowed_role(operation: str) -> str:
    cells = role_matrix.API[operation]
    return next(r for r in ("manager", "clinician", "front_desk") if cells[r] < 300)


def _client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def _send(client, operation, params, body, **headers):
    method, template = operation.split(" ", 1)
    return getattr(client, method.lower())(
        template.format(**params), body, format="json", **headers
    )


def test_every_update_and_create_is_covered():
    patches = {op for op in role_matrix.API if op.startswith("PATCH")}
    assert patches <= set(IF_MATCH_OPS)
    creates = {
        "POST /api/v1/patients/",
        "POST /api/v1/appointments/",
        "POST /api/v1/consents/",
        "POST /api/v1/administrations/",
    }
    assert creates <= set(IDEMPOTENT_OPS)


@pytest.mark.parametrize("operation", IF_MATCH_OPS)
def test_update_returns_an_etag_and_a_stale_if_match_is_412(db, operation):
    world = build_world()
    role = _allowed_role(operation)
    params, body, _ = SCENARIOS[operation](world, role)
    client = _client(world.tokens[role])
    detail = "/".join(operation.split(" ", 1)[1].split("/")[:5]) + "/"
    before = client.get(detail.format(**params))

    stale = _send(client, operation, params, body, HTTP_IF_MATCH=STALE)
    after_stale = client.get(detail.format(**params))
    current = _send(client, operation, params, body, HTTP_IF_MATCH=before["ETag"])

    assert stale.status_code == 412
    assert stale.json()["code"] == "precondition_failed"
    assert after_stale.json() == before.json()
    assert current.status_code < 300, current.content
    if current.status_code != 204:
        assert current["ETag"].startswith('"')


def _if_match_parameter(operation: str) -> dict:
    method, path = operation.split(" ", 1)
    schema = SchemaGenerator().get_schema(request=None, public=True)
    parameters = schema["paths"][path][method.lower()]["parameters"]
    return next(p for p in parameters if p["name"] == "If-Match")


@pytest.mark.parametrize("operation", IF_MATCH_OPS)
def test_an_empty_if_match_is_400_and_an_update_without_one_is_428(db, operation):
    # An empty header once reached the row lock outside a transaction: a 500
    # on every one of these operations (PostgreSQL).
    world = build_world()
    role = _allowed_role(operation)
    params, body, _ = SCENARIOS[operation](world, role)
    client = _client(world.tokens[role])
    detail = "/".join(operation.split(" ", 1)[1].split("/")[:5]) + "/"
    before = client.get(detail.format(**params))
    is_update = operation.split()[0] in ("PATCH", "PUT")

    empty = _send(client, operation, params, body, HTTP_IF_MATCH="")
    missing = _send(client, operation, params, body)
    after = client.get(detail.format(**params))

    assert empty.status_code == 400, empty.content
    assert empty.json()["code"] == "invalid_if_match"
    assert "If-Match" in empty.json()["errors"]
    assert _if_match_parameter(operation).get("required", False) is is_update
    if is_update:
        assert missing.status_code == 428, missing.content
        assert missing.json()["code"] == "precondition_required"
        assert after.json() == before.json()


@pytest.mark.parametrize("operation", IDEMPOTENT_OPS)
def test_idempotent_create_replays_refuses_reuse_and_is_per_user(db, operation):
    world = build_world()
    role = _allowed_role(operation)
    params, body, _ = SCENARIOS[operation](world, role)
    client = _client(world.tokens[role])
    other_user = UserFactory(username="other_user", roles=[Role[role.upper()]])
    other_token = token_issue(user=other_user, now=timezone.now())[1]

    first = _send(client, operation, params, body, HTTP_IDEMPOTENCY_KEY="k1")
    replay = _send(client, operation, params, body, HTTP_IDEMPOTENCY_KEY="k1")
    changed = {**body, "zz_changed": 1}
    reuse = _send(client, operation, params, changed, HTTP_IDEMPOTENCY_KEY="k1")
    someone_else = _send(
        _client(other_token), operation, params, body, HTTP_IDEMPOTENCY_KEY="k1"
    )

    assert first.status_code == 201, first.content
    assert replay.status_code == 201
    assert replay.json() == first.json()
    assert replay["Idempotent-Replayed"] == "true"
    assert reuse.status_code == 422
    assert reuse.json()["code"] == "idempotency_key_reused"
    assert "Idempotent-Replayed" not in someone_else
    assert someone_else.json().get("id") != first.json()["id"]


CONCURRENT_CREATES = [
    "POST /api/v1/patients/",
    "POST /api/v1/appointments/",
    "POST /api/v1/consents/",
    "POST /api/v1/administrations/",
]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("operation", CONCURRENT_CREATES)
def test_concurrent_retries_of_a_create_make_one_record(operation):
    world = build_world()
    role = _allowed_role(operation)
    params, body, _ = SCENARIOS[operation](world, role)
    count = 6
    barrier = threading.Barrier(count)
    results: list[tuple[int, str]] = []
    lock = threading.Lock()

    def post() -> None:
        try:
            barrier.wait()
            response = _send(
                _client(world.tokens[role]),
                operation,
                params,
                body,
                HTTP_IDEMPOTENCY_KEY="same",
            )
            outcome = (response.status_code, str(response.json().get("id")))
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=post) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert {status for status, _ in results} == {201}, results
    assert len({record_id for _, record_id in results}) == 1
