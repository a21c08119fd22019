"""The user model as a type: who acts (`actor`) in services, views and admin.

mypy reads the model that AUTH_USER_MODEL names (Django's own here); at run
time it is whatever `get_user_model()` returns. Importing this module needs the
auth app's models loaded, as importing any model does.
"""

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework.request import Request

if TYPE_CHECKING:
    from django.contrib.auth.models import User
else:
    from django.contrib.auth import get_user_model

    User = get_user_model()

__all__ = ["User", "acting_user"]


def acting_user(request: HttpRequest | Request) -> User:
    """The signed-in user a request acts as, the `actor` its services record.

    Every admin page and API view that calls a service is behind a login (the
    admin site; RolePermission denies anonymous requests), so an anonymous
    user here is refused rather than recorded.
    """
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user
