"""Signature digests: SHA-256 over a canonical JSON form of a record's columns.

Canonical means one byte string per set of values, whatever the database or the
process: keys sorted, no insignificant whitespace, UTF-8, datetimes as ISO 8601
in UTC, dates ISO, decimals as strings with the field's decimal places, UUIDs as
strings. A change made behind the services' back (an UPDATE, a restore, a
hand edit) changes the bytes and so the digest.
"""

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import models


def canonical_value(field: "models.Field[Any, Any]", value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError(f"{field.name}: naive datetimes cannot be signed")
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        places = getattr(field, "decimal_places", None)
        if places is not None:
            value = value.quantize(Decimal(1).scaleb(-places))
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, str | int | bool | list | dict):
        return value
    raise TypeError(f"{field.name}: cannot canonicalise {type(value).__name__}")


def canonical_record(
    instance: models.Model, attnames: Iterable[str], *, scheme: str
) -> dict[str, Any]:
    """The values a signature covers, keyed by column, tagged with the scheme so
    a future change of covered fields cannot be mistaken for tampering."""
    fields = {f.attname: f for f in instance._meta.concrete_fields}
    payload = {
        name: canonical_value(fields[name], getattr(instance, name))
        for name in attnames
    }
    payload["_scheme"] = scheme
    return payload


def canonical_bytes(payload: dict[str, Any]) -> bytes:
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def sha256_hex(payload: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_bytes(payload)).hexdigest()
