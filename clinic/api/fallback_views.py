"""JSON answers for requests that never reach a DRF view."""

from typing import Any

from django.http import HttpRequest, JsonResponse

from clinic.api.exceptions import error_body


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
