"""Extreme values, one field at a time, in an otherwise valid request.

schemathesis's coverage phase sends each field's schema boundaries (lengths,
minimum and maximum, wrong types) but a single ordinary value for a date or a
date-time, and its bodies rarely get past the first business rule. Here each
date, date-time, number and string of an operation takes, in turn, the values
that break date arithmetic, time zones and column types (year 1 and 9999,
offsets of nearly a day, 2**63), inside the world's valid request for that
operation (tests/security/world.py SCENARIOS), so the value reaches the rule
that reads it.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

EXTREMES: dict[tuple[str, str | None], list[Any]] = {
    ("string", "date"): [
        "0001-01-01",
        "1899-12-31",
        "1900-01-01",
        "2200-12-31",
        "2201-01-01",
        "9999-12-31",
    ],
    ("string", "date-time"): [
        "0001-01-01T00:00:00Z",
        "0001-01-01T00:00:00+14:00",
        "1899-12-31T23:59:59Z",
        "2200-12-31T23:59:59.999999Z",
        "9999-12-31T23:59:59Z",
        "9999-12-31T23:59:59-14:00",
        "2026-06-01T12:00:00+23:59",
        "2026-06-01T12:00:00-23:59",
    ],
    ("integer", None): [-1, 0, 2**31, 2**63 - 1, 2**63, -(2**63) - 1, 10**30],
    ("number", None): [-1e308, 1e308, 5e-324],
    ("string", "decimal"): ["-0", "9" * 40, "1e9999", "-1e-9999", "NaN", "Infinity"],
    ("string", "uuid"): ["00000000-0000-0000-0000-000000000000"],
    ("string", None): ["\x00", "\u202e\U0001f489"],
}


@dataclass(frozen=True)
class Variant:
    location: str  # "body" or "query"
    name: str  # "onset_at", or "changes.outcome_score" in a nested body
    value: Any
    path_parameters: dict[str, Any]
    body: Any
    query: dict[str, Any]

    @property
    def description(self) -> str:
        return f"{self.location} {self.name}={self.value!r:.60}"


def variants(
    operation: Any, path_parameters: dict[str, Any], body: Any, query: dict[str, Any]
) -> Iterator[Variant]:
    """The valid request with one body or query field at a time set to each
    extreme value for its type."""
    schema = _json_body_schema(operation)
    if schema is not None:
        base = dict(body or {})
        for name, field_schema in _fields(schema):
            for value in _extremes_for(field_schema):
                yield Variant(
                    "body",
                    name,
                    value,
                    path_parameters,
                    _with(base, name.split("."), value),
                    query,
                )
    for parameter in operation.query:
        for value in _extremes_for(parameter.definition.get("schema", {})):
            yield Variant(
                "query",
                parameter.name,
                value,
                path_parameters,
                body,
                {**query, parameter.name: value},
            )


def _json_body_schema(operation: Any) -> dict[str, Any] | None:
    raw = operation.schema.raw_schema["paths"][operation.path][operation.method]
    body = raw.get("requestBody", {}).get("content", {}).get("application/json")
    return None if body is None else _resolve(body["schema"], operation)


def _fields(schema: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for name, field_schema in schema.get("properties", {}).items():
        if field_schema.get("readOnly"):
            continue
        if field_schema.get("type") == "object" and "properties" in field_schema:
            yield from _fields(field_schema, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}", field_schema


def _extremes_for(schema: dict[str, Any]) -> list[Any]:
    if schema.get("type") == "array":
        return [[value] for value in _extremes_for(schema.get("items", {}))]
    if (
        "enum" in schema
        or "oneOf" in schema
        or ("pattern" in schema and "format" not in schema)
    ):
        # Enums and patterned strings (times) are the coverage phase's job.
        return []
    return EXTREMES.get((schema.get("type"), schema.get("format")), [])


def _with(body: dict[str, Any], path: list[str], value: Any) -> dict[str, Any]:
    changed = dict(body)
    if len(path) == 1:
        changed[path[0]] = value
    else:
        changed[path[0]] = _with(dict(body.get(path[0]) or {}), path[1:], value)
    return changed


def _resolve(schema: dict[str, Any], operation: Any) -> dict[str, Any]:
    """The body schema with $refs replaced, one level into nested objects."""
    resolver = operation.schema.raw_schema["components"]["schemas"]

    def follow(node: dict[str, Any]) -> dict[str, Any]:
        while isinstance(node, dict) and "$ref" in node:
            node = resolver[node["$ref"].rsplit("/", 1)[-1]]
        return node

    def expand(node: dict[str, Any], depth: int) -> dict[str, Any]:
        node = dict(follow(node))
        if depth and "properties" in node:
            node["properties"] = {
                name: expand(field, depth - 1)
                for name, field in node["properties"].items()
            }
        return node

    return expand(schema, 2)
