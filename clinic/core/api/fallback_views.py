"""JSON answers for requests that never reach a DRF view."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from clinic.core.api.exceptions import error_body


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(error_body("not_found", "No such resource."), status=404)


def server_error(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    return JsonResponse(
        error_body("server_error", "Something went wrong on our side."), status=500
    )


def bad_request(
    request: HttpRequest, exception: Exception | None = None
) -> JsonResponse:
    return JsonResponse(error_body("bad_request", "Bad request."), status=400)


def permission_denied(
    request: HttpRequest, exception: Exception | None = None
) -> JsonResponse:
    return JsonResponse(
        error_body("permission_denied", "You may not do this."), status=403
    )


def locked_out(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """django-axes lockout answer for the admin and the token endpoint."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    detail = (
        "Too many failed logins for this username; try again in"
        f" {seconds // 60} minutes."
    )
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            error_body("login_locked", detail), status=429
        )
    else:
        response = HttpResponse(detail, status=429, content_type="text/plain")
    response["Retry-After"] = str(seconds)
    return response
