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
