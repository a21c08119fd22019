from collections.abc import Collection, Mapping
from typing import Any

from django.db import models


def apply_changes(
    instance: models.Model, changes: Mapping[str, Any], *, allowed: Collection[str]
) -> None:
    """Set `changes` on `instance`; a field outside `allowed` is a programming
    error (the API and admin only pass the fields they let people edit)."""
    unknown = set(changes) - set(allowed)
    if unknown:
        raise TypeError(f"cannot change {sorted(unknown)} of {type(instance).__name__}")
    for field, value in changes.items():
        setattr(instance, field, value)


def clean_own_fields(instance: models.Model) -> None:
    """full_clean() minus what costs a query per item and is already held on
    the hot booking path: related rows (the service has just locked or read
    them), uniqueness (a fresh UUID; the unique constraint holds it) and check
    constraints (each one's rule is checked by the service with a friendly
    error first, and the database still enforces it). About 30 queries per
    booking. Field validators and choices still run."""
    relations = [f.name for f in instance._meta.concrete_fields if f.is_relation]
    instance.full_clean(
        exclude=relations, validate_unique=False, validate_constraints=False
    )
