"""Deny by default: every view says which roles may perform each action."""

from collections.abc import Collection, Mapping
from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from clinic.core.roles import roles_of

# Markers usable in a view's `role_rules` besides a set of roles.
PUBLIC = "public"  # no authentication needed (e.g. obtaining a token)
AUTHENTICATED = "authenticated"  # any active signed-in user, whatever the role

RoleRules = Mapping[str, Collection[str] | str]


def _rule_key(request: Request, view: Any) -> str:
    # Viewsets name their actions (list, retrieve, cancel...); plain API views
    # are keyed by HTTP method. HEAD is a GET without the body, so GET's rule.
    action = getattr(view, "action", None)
    method = (request.method or "").lower()
    return action or ("get" if method == "head" else method)


class RolePermission(BasePermission):
    """Allows a request only if the view's `role_rules` grant it to the caller."""

    message = "Your role does not allow this."

    def has_permission(self, request: Request, view: Any) -> bool:
        method = (request.method or "").lower()
        rules: RoleRules = getattr(view, "role_rules", {})
        if (
            method != "options"
            and not hasattr(view, method)
            and PUBLIC in rules.values()
        ):
            # A route anyone may call (the token endpoint) answers a method it
            # lacks with 405 to anyone: a 401 would send the caller looking
            # for credentials that cannot help.
            return True
        if method == "options" or not hasattr(view, method):
            # Let DRF answer 405 (or metadata), but only to signed-in users.
            return bool(request.user and request.user.is_authenticated)
        rule = rules.get(_rule_key(request, view))
        if rule is None:
            return False
        if rule == PUBLIC:
            return True
        if not (request.user and request.user.is_authenticated):
            return False
        if rule == AUTHENTICATED:
            return request.user.is_active
        return bool(roles_of(request.user) & set(rule))
