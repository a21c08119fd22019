"""The schema is no looser than the server and its links lead somewhere.

The fuzzer (test_fuzz_api.py) generates "valid" requests from the schema and
follows its links; where the schema admits what the server refuses, or links
to the wrong id, the fuzzer wastes its budget on 400s and 404s and finds
nothing. These fast checks hold the schema to the server directly.
"""

import re
from decimal import Decimal
from functools import cache
from typing import Any

import pytest
from django.urls import path
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

from clinic.core.api.schema import decimal_pattern
from clinic.core.api.serializers import StrictInputMixin
from tests.etag import current_etag
from tests.security import role_matrix
from tests.security.fuzz_support import load_schema
from tests.security.world import SCENARIOS, build_world


@cache
def _schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), route, operation)
        for route, item in _schema()["paths"].items()
        for method, operation in item.items()
    ]


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = _schema()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def _permitted_role(operation: str) -> str:
    cells = role_matrix.API[operation]
    return next(r for r in ("manager", "clinician", "front_desk") if cells[r] < 300)


# --- the schema class, on a view of its own ----------------------------------


class _Loose(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=5, decimal_places=2)
    fraction = serializers.DecimalField(max_digits=2, decimal_places=2)
    whole = serializers.DecimalField(max_digits=3, decimal_places=0)
    volume = serializers.DecimalField(
        max_digits=6, decimal_places=2, min_value=Decimal("0.01")
    )
    count = serializers.DecimalField(max_digits=3, decimal_places=0, min_value=0)
    codes = serializers.ListField(child=serializers.CharField(), allow_empty=False)
    tags = serializers.ListField(child=serializers.CharField())


class _Strict(StrictInputMixin, _Loose):
    pass


class _LooseView(APIView):
    def post(self, request: Any) -> Response:
        return Response()

    def get_serializer(self, *args: Any, **kwargs: Any) -> serializers.Serializer:
        return _Loose(*args, **kwargs)


class _StrictView(_LooseView):
    def get_serializer(self, *args: Any, **kwargs: Any) -> serializers.Serializer:
        return _Strict(*args, **kwargs)


def _toy_components() -> dict[str, Any]:
    generator = SchemaGenerator(
        patterns=[
            path("loose/", _LooseView.as_view()),
            path("strict/", _StrictView.as_view()),
        ]
    )
    return generator.get_schema(request=None, public=True)["components"]["schemas"]


def test_decimal_patterns_need_a_digit_and_keep_the_field_s_limits():
    loose = _toy_components()["_LooseRequest"]["properties"]
    for name, accepted, refused in (
        (
            "amount",
            ["0", "-1", "123.45", "123.4"],
            ["", "-", ".", "1.", "1234", "1.234"],
        ),
        ("fraction", ["0.5", "-0.25", ".5"], ["", "0", "1", "0.123"]),
        ("whole", ["0", "999", "-12"], ["", "1.5", "1000"]),
        ("volume", ["0.01", "1", "9999.99", "00.5"], ["0", "0.00", "-1", "", "1.001"]),
        ("count", ["0", "12"], ["-1", "", "1.5"]),
    ):
        pattern = re.compile(loose[name]["pattern"])
        field = _Loose().fields[name]
        for value in accepted:
            assert pattern.search(value), (name, value)
            assert isinstance(field.to_internal_value(value), Decimal)
        for value in refused:
            assert not pattern.search(value), (name, value)


def test_a_list_that_may_not_be_empty_has_min_items():
    loose = _toy_components()["_LooseRequest"]["properties"]
    assert loose["codes"]["minItems"] == 1
    assert "minItems" not in loose["tags"]


def test_only_strict_input_refuses_additional_properties():
    components = _toy_components()
    assert components["_StrictRequest"]["additionalProperties"] is False
    assert "additionalProperties" not in components["_LooseRequest"]


def test_a_pattern_for_a_field_without_limits_still_needs_a_digit():
    field = serializers.DecimalField(max_digits=None, decimal_places=None)
    pattern = re.compile(decimal_pattern(field))
    assert pattern.search("12345678.123456")
    assert not pattern.search("")
    assert not pattern.search("-")


# --- the real schema against the real server ---------------------------------


def test_every_decimal_string_in_the_schema_needs_a_digit():
    decimals = [
        (name, field)
        for component, body in _schema()["components"]["schemas"].items()
        for name, field in body.get("properties", {}).items()
        if field.get("format") == "decimal" and field.get("type") == "string"
    ]
    assert decimals
    for name, field in decimals:
        assert not re.search(field["pattern"], ""), name
        assert not re.search(field["pattern"], "-"), name
        assert re.search(field["pattern"], "1"), name


def test_idempotency_key_length_is_the_one_the_server_takes():
    documented = [
        parameter["schema"]
        for _method, _route, operation in _operations()
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "Idempotency-Key"
    ]
    assert documented
    for schema in documented:
        assert (schema["minLength"], schema["maxLength"]) == (1, 255)


@pytest.mark.parametrize(
    ("key", "status"), [("", 400), ("k" * 256, 400), ("k" * 255, 201), ("k", 201)]
)
def test_server_takes_idempotency_keys_of_1_to_255_characters(db, key, status):
    world = build_world()
    operation = "POST /api/v1/patients/"
    _params, body, _query = SCENARIOS[operation](world, "front_desk")
    response = _client(world.tokens["front_desk"]).post(
        "/api/v1/patients/", body, format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert response.status_code == status, response.content


def test_cancelling_documents_its_required_reason():
    body = _schema()["paths"]["/api/v1/appointments/{public_id}/cancel/"]["post"]
    schema = _resolve(body["requestBody"]["content"]["application/json"]["schema"])
    assert "reason" in schema["required"]
    assert schema["properties"]["reason"]["minLength"] == 1
    assert body["requestBody"]["required"] is True


def test_strict_bodies_refuse_an_unknown_key(db):
    """Every body the schema closes (additionalProperties: false) is refused
    with 400 naming the extra key, on an otherwise valid request."""
    world = build_world()
    closed = []
    for method, route, operation in _operations():
        content = operation.get("requestBody", {}).get("content", {})
        schema = content.get("application/json", {}).get("schema")
        if schema is None or _resolve(schema).get("additionalProperties") is not False:
            continue
        label = f"{method} {route}"
        role = _permitted_role(label)
        params, body, _query = SCENARIOS[label](world, role)
        client = _client(world.tokens[role])
        url = route.format(**params)
        etag = current_etag(client, url) if method in ("PATCH", "PUT") else {}
        response = getattr(client, method.lower())(
            url, {**(body or {}), "not_a_field": 1}, format="json", **etag
        )
        assert response.status_code == 400, (label, response.content)
        assert "not_a_field" in response.json()["errors"], label
        closed.append(label)
    assert "POST /api/v1/patients/" in closed


# --- links ---------------------------------------------------------------------


def _links() -> list[tuple[str, str, str, dict[str, Any]]]:
    return [
        (f"{method} {route}", status, name, link)
        for method, route, operation in _operations()
        for status, response in operation["responses"].items()
        for name, link in response.get("links", {}).items()
    ]


def _operation_ids() -> dict[str, tuple[str, dict[str, Any]]]:
    return {
        operation["operationId"]: (f"{method} {route}", operation)
        for method, route, operation in _operations()
    }


def test_every_create_links_to_its_record_and_everything_under_it():
    by_id = _operation_ids()
    creates = [
        (method, route)
        for method, route, operation in _operations()
        if method == "POST"
        and "{" not in route
        and "201" in operation["responses"]
        and any(other.startswith(route + "{") for _m, other, _o in _operations())
    ]
    assert len(creates) >= 10
    for _method, route in creates:
        links = _schema()["paths"][route]["post"]["responses"]["201"]["links"]
        targets = {by_id[link["operationId"]][0] for link in links.values()}
        under = {f"{m} {r}" for m, r, _o in _operations() if r.startswith(route + "{")}
        assert targets == under, route


def test_every_list_links_its_first_record_to_the_record_s_read():
    by_id = _operation_ids()
    lists = [
        route
        for method, route, _operation in _operations()
        if method == "GET"
        and "{" not in route
        and any(other.startswith(route + "{") for _m, other, _o in _operations())
    ]
    assert len(lists) >= 10
    for route in lists:
        links = _schema()["paths"][route]["get"]["responses"]["200"].get("links", {})
        reads = {
            by_id[link["operationId"]][0]
            for link in links.values()
            if set(link["parameters"].values()) == {"$response.body#/results/0/id"}
        }
        assert any(read.startswith("GET ") and read.endswith("}/") for read in reads), (
            route
        )


def test_every_link_names_a_real_operation_and_its_parameters():
    by_id = _operation_ids()
    assert len(_links()) > 100
    for source, _status, _name, link in _links():
        label, target = by_id[link["operationId"]]
        declared = {(p["in"], p["name"]) for p in target.get("parameters", [])}
        for key, expression in link["parameters"].items():
            location, name = key.split(".", 1)
            assert (location, name) in declared, (source, label, key)
            assert expression.startswith(("$response.", "$request.path.")), expression
        path_params = {n for loc, n in declared if loc == "path"}
        linked = {
            k.split(".", 1)[1] for k in link["parameters"] if k.startswith("path.")
        }
        assert linked == path_params, (source, label)


def test_schemathesis_builds_a_state_machine_from_the_links(db):
    # The fuzzer's schema: links as documented, none inferred by schemathesis.
    machine = load_schema().as_state_machine()
    linked = {
        label
        for label, transitions in machine._transitions.operations.items()
        if transitions.incoming
    }
    on_a_record = {label for label, _op in _operation_ids().values() if "{" in label}
    assert linked == on_a_record


def test_following_a_create_s_links_reaches_the_new_record(db):
    """The create's answer, put through each of its GET links, reads back the
    record just made: the link takes the right id into the right place."""
    world = build_world()
    by_id = _operation_ids()
    followed = 0
    for method, route, operation in _operations():
        links = operation["responses"].get("201", {}).get("links", {})
        if method != "POST" or "{" in route or not links:
            continue
        source = f"{method} {route}"
        role = _permitted_role(source)
        _params, body, _query = SCENARIOS[source](world, role)
        client = _client(world.tokens[role])
        created = client.post(route, body, format="json")
        assert created.status_code == 201, (source, created.content)
        for link in links.values():
            label, _target = by_id[link["operationId"]]
            if not label.startswith("GET ") or role_matrix.API[label][role] != 200:
                continue
            params = {
                key.split(".", 1)[1]: created.json()[expression.rsplit("/", 1)[-1]]
                for key, expression in link["parameters"].items()
            }
            read = client.get(label.split(" ", 1)[1].format(**params))
            assert read.status_code == 200, (source, label, read.content)
            followed += 1
    assert followed >= 20


def test_if_match_is_documented_as_the_server_reads_it():
    """Empty or only commas is 400, and `*` on an update is 428: neither may
    pass for a valid If-Match in the schema."""
    documented = [
        (route, parameter)
        for _method, route, operation in _operations()
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "If-Match"
    ]
    assert documented
    for route, parameter in documented:
        pattern = re.compile(parameter["schema"]["pattern"])
        assert pattern.search('"0123abcd"'), route
        assert pattern.search('W/"0123abcd", "4567"'), route
        for refused in ("", " ", ",", " , "):
            assert not pattern.search(refused), (route, refused)
        if parameter.get("required"):
            assert not pattern.search("*"), route
            assert not pattern.search('"0123abcd", *'), route
