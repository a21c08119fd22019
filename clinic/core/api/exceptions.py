"""The one API exception handler: every error is
{"code": ..., "detail": ..., "errors": {field: [messages]}}."""

import logging
from typing import Any

from django.core.exceptions import (
    PermissionDenied as DjangoPermissionDenied,
)
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from clinic.core.dates import DATE_OUT_OF_RANGE, OUT_OF_RANGE_MESSAGE
from clinic.core.errors import Conflict, DomainError, NotPermitted

logger = logging.getLogger("clinic.core.api")

_DOMAIN_STATUS: list[tuple[type[DomainError], int]] = [
    (Conflict, status.HTTP_409_CONFLICT),
    (NotPermitted, status.HTTP_403_FORBIDDEN),
    (DomainError, status.HTTP_400_BAD_REQUEST),
]


def domain_status(error: type[DomainError]) -> int:
    """The HTTP status a domain error answers with."""
    return next(s for cls, s in _DOMAIN_STATUS if issubclass(error, cls))


def error_body(
    code: str, detail: str, errors: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    return {"code": code, "detail": detail, "errors": errors or {}, **extra}


def _django_validation_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): list(messages)
            for field, messages in exc.message_dict.items()
        }
    return {"non_field_errors": list(exc.messages)}


def _codes(detail: Any) -> set[Any]:
    """The codes of every message in a (nested) DRF error detail."""
    if isinstance(detail, dict):
        return set().union(*map(_codes, detail.values()))
    if isinstance(detail, list):
        return set().union(*map(_codes, detail))
    return {getattr(detail, "code", None)}


def _django_codes(exc: DjangoValidationError) -> set[Any]:
    lists = exc.error_dict.values() if hasattr(exc, "error_dict") else [exc.error_list]
    return {error.code for errors in lists for error in errors}


def _invalid(codes: set[Any]) -> tuple[str, str]:
    """The body's code and detail for a validation error: a request refused
    only for dates outside the clinic's range says so (`date_out_of_range`);
    anything else is `invalid`."""
    if codes == {DATE_OUT_OF_RANGE}:
        return DATE_OUT_OF_RANGE, OUT_OF_RANGE_MESSAGE
    return "invalid", "The request has invalid fields."


def _drf_response(exc: exceptions.APIException) -> Response:
    headers: dict[str, str] = {}
    # NotAuthenticated / AuthenticationFailed carry one, Throttled the other.
    auth_header = getattr(exc, "auth_header", None)
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    wait = getattr(exc, "wait", None)
    if wait:
        headers["Retry-After"] = str(int(wait))
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        errors = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        return Response(
            error_body(*_invalid(_codes(detail)), errors),
            status=exc.status_code,
            headers=headers,
        )
    message = exc.detail
    code = message.code if isinstance(message, exceptions.ErrorDetail) else None
    return Response(
        error_body(code or exc.default_code, str(message)),
        status=exc.status_code,
        headers=headers,
    )


def _suspicious(exc: SuspiciousOperation) -> Response:
    """Django's refusals of a request's shape, raised while DRF parses it."""
    if isinstance(exc, RequestDataTooBig):
        return Response(
            error_body("request_too_large", "The request body is too large."),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        detail = "Too many fields or files in the request."
        return Response(
            error_body("too_many_fields", detail), status=status.HTTP_400_BAD_REQUEST
        )
    return Response(
        error_body("bad_request", "Bad request."), status=status.HTTP_400_BAD_REQUEST
    )


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """Map every exception a view lets escape to the JSON error format."""
    set_rollback()
    if isinstance(exc, DomainError):
        return Response(
            error_body(exc.code, exc.detail, exc.errors, **exc.extra),
            status=domain_status(type(exc)),
        )
    if isinstance(exc, DjangoValidationError):
        return Response(
            error_body(
                *_invalid(_django_codes(exc)),
                _django_validation_errors(exc),
            ),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, SuspiciousOperation):
        return _suspicious(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.APIException):
        return _drf_response(exc)
    if isinstance(exc, IntegrityError):
        # A constraint caught what a service did not check first (e.g. a race).
        logger.warning("integrity error reached the API: %s", type(exc).__name__)
        return Response(
            error_body("constraint_violated", "The change conflicts with stored data."),
            status=status.HTTP_409_CONFLICT,
        )
    logger.exception("unhandled error in %s", type(context.get("view")).__name__)
    return Response(
        error_body("server_error", "Something went wrong on our side."),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )
