"""The staff roles of docs/product.md ("Who uses it") as Django groups, and who
holds which."""

from collections.abc import Iterable
from typing import Any

from django.db import models


class Role(models.TextChoices):
    FRONT_DESK = "front_desk", "Front desk"
    CLINICIAN = "clinician", "Clinician"
    MANAGER = "manager", "Clinic manager"


# A manager does "everything above" in the role table; a clinician does not
# book (that is the front desk's work), so nothing else is implied.
IMPLIED_ROLES: dict[str, frozenset[str]] = {
    Role.MANAGER: frozenset({Role.CLINICIAN, Role.FRONT_DESK}),
}

ALL_ROLES = frozenset(Role.values)
CLINICAL_ROLES = frozenset({Role.CLINICIAN, Role.MANAGER})
MANAGERS = frozenset({Role.MANAGER})


def expand(role_names: Iterable[str]) -> frozenset[str]:
    names = set(role_names) & ALL_ROLES
    for name in list(names):
        names |= IMPLIED_ROLES.get(name, frozenset())
    return frozenset(names)


def roles_of(user: Any) -> frozenset[str]:
    """The roles a user holds, implied ones included; cached on the user object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_clinic_roles", None)
    if cached is None:
        if user.is_superuser:
            cached = ALL_ROLES
        else:
            cached = expand(user.groups.values_list("name", flat=True))
        user._clinic_roles = cached
    return cached


def remember_roles(user: Any, group_names: Iterable[str]) -> None:
    """Cache the roles of a user whose group names were read along with it
    (token authentication does), so that roles_of needs no query."""
    if user.is_active:
        user._clinic_roles = ALL_ROLES if user.is_superuser else expand(group_names)


def has_role(user: Any, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))
