from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from clinic.core.api.exceptions import error_body


class NoStoreApiMiddleware:
    """API answers carry patient data: no browser or proxy may keep a copy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/api/v1/"):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response


class BodySizeLimitMiddleware:
    """Refuse a body larger than DATA_UPLOAD_MAX_MEMORY_SIZE before anything
    reads it: 413, JSON on the API.

    Django checks that limit only where it reads the body itself (`.body`,
    form posts); DRF's JSON parser reads the stream and would have parsed a
    body of any size. A body sent without Content-Length (chunked) is never
    read: Django's request stream stops at the declared length.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body it cannot measure
        if limit is not None and length > limit:
            return _too_large(request, limit)
        return self.get_response(request)


def _too_large(request: HttpRequest, limit: int) -> HttpResponse:
    detail = f"The request body is larger than {limit} bytes."
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("request_too_large", detail), status=413)
    return HttpResponse(detail, status=413, content_type="text/plain")
