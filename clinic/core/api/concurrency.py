"""Lost updates and retries, for every viewset that mixes these in.

- ETagMixin: detail responses carry an ETag (a hash of the representation).
  PATCH and PUT must send it back as If-Match (428 without it): an update
  never silently overwrites a change the sender has not seen. A state action
  (check-in, sign...) may send it; its state machine refuses a stale
  transition anyway. A stale If-Match is 412, an empty one 400.
- @idempotent on a viewset's create: a create sent with an Idempotency-Key is
  done once per user and key; a retry gets the first response back, the same
  key with another body is 422.
"""

import functools
import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response

from clinic.core.errors import InvalidIdempotencyKey, InvalidIfMatch
from clinic.core.idempotency import IdempotencyRecord
from clinic.core.locking import lock
from clinic.core.users import User, acting_user

if TYPE_CHECKING:
    # What the mixin is mixed into, so mypy checks its calls to it.
    from rest_framework.generics import GenericAPIView

    _View = GenericAPIView[Any]
else:
    _View = object

ViewMethod = TypeVar("ViewMethod", bound=Callable[..., Response])
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Updates replace what the sender read, so they must say what that was.
UPDATE_METHODS = frozenset({"PUT", "PATCH"})


def _canonical(data: Any) -> bytes:
    if hasattr(data, "lists"):  # QueryDict from a form post
        data = dict(data.lists())
    return json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder).encode()


def etag_for(data: Any) -> str:
    return '"' + hashlib.sha256(_canonical(data)).hexdigest()[:40] + '"'


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = (
        "The record changed since you read it (If-Match does not match its ETag);"
        " fetch it again and reapply your change."
    )
    default_code = "precondition_failed"


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = (
        "Send the record's ETag (from your last read of it) as If-Match, so that"
        " your update cannot overwrite a change you have not seen."
    )
    default_code = "precondition_required"


class IdempotencyKeyReused(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was already used with a different request."
    default_code = "idempotency_key_reused"


class ETagMixin(_View):
    """Add to a viewset. `etag_data(obj)` must give the same representation a
    GET returns; by default it is `get_serializer(obj).data`."""

    def etag_data(self, obj: Any) -> Any:
        return self.get_serializer(obj).data

    def _if_match(self) -> list[str] | None:
        """The entity tags of If-Match on a write; None when it was not sent."""
        header = self.request.headers.get("If-Match")
        if header is None or self.request.method not in UNSAFE_METHODS:
            return None
        tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
        tags = [tag for tag in tags if tag]
        if not tags:
            raise InvalidIfMatch.for_field(
                "If-Match", "Empty: send the ETag from your last read of this record."
            )
        return tags

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.method in UNSAFE_METHODS and "If-Match" in request.headers:
            # The row is locked from the ETag check to the end of the request,
            # so no other write can slip in between; the lock needs this
            # transaction (even an empty header reaches get_object).
            with transaction.atomic():
                return super().dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def get_object(self) -> Any:
        # Found first (an unknown id is 404), then the version it was read at.
        obj = super().get_object()
        expected = self._if_match()
        if self.request.method in UPDATE_METHODS and (
            expected is None or "*" in expected
        ):
            # "*" matches any version: exactly the blind overwrite refused here.
            raise PreconditionRequired()
        if expected is not None and "*" not in expected:
            obj = lock(type(obj), obj.pk)
            if etag_for(self.etag_data(obj)) not in expected:
                raise PreconditionFailed()
        return obj

    def finalize_response(
        self, request: Request, response: Any, *args: Any, **kwargs: Any
    ) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        is_detail = (
            self.kwargs.get(self.lookup_field) is not None
            or response.status_code == 201
        )
        if (
            is_detail
            and response.status_code in (200, 201)
            and isinstance(getattr(response, "data", None), dict)
            and "id" in response.data
            and getattr(self, "action", None) != "history"
        ):
            response["ETag"] = etag_for(response.data)
        return response


class _Unremembered(Exception):
    """Rolls back the claimed key when the create did not succeed."""

    def __init__(self, response: Response) -> None:
        self.response = response


def idempotent(view_method: ViewMethod) -> ViewMethod:
    """Decorate a viewset's `create` so it honours an Idempotency-Key header."""

    @functools.wraps(view_method)
    def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return view_method(view, request, *args, **kwargs)
        if not 1 <= len(key) <= 255:
            raise InvalidIdempotencyKey.for_field(
                "Idempotency-Key", "Use 1 to 255 characters."
            )
        # A request that reached a view has a method; the stubs allow None.
        method = request.method or ""
        fingerprint = hashlib.sha256(
            method.encode() + request.path.encode() + _canonical(request.data)
        ).hexdigest()
        user = acting_user(request)
        replay = _replay(user, key, fingerprint)
        if replay is not None:
            return replay
        try:
            with transaction.atomic():
                # Claim the key first: a concurrent request with the same key
                # blocks on this row and, once the first commits, replays it.
                record = IdempotencyRecord.objects.create(
                    user=user,
                    key=key,
                    fingerprint=fingerprint,
                    status_code=0,
                    response_body={},
                    created_at=timezone.now(),
                )
                response = view_method(view, request, *args, **kwargs)
                if not 200 <= response.status_code < 300:
                    raise _Unremembered(response)
                record.status_code = response.status_code
                record.response_body = json.loads(_canonical(response.data))
                record.save(update_fields=["status_code", "response_body"])
        except _Unremembered as refused:
            return refused.response
        except IntegrityError:
            replay = _replay(user, key, fingerprint)
            if replay is None:
                raise
            return replay
        return response

    # Read by the schema; mypy allows no attribute on a function.
    wrapper.idempotent = True  # type: ignore[attr-defined]
    # functools.wraps keeps the decorated method's signature.
    return cast(ViewMethod, wrapper)


def _replay(user: User, key: str, fingerprint: str) -> Response | None:
    ttl = timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
    record = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if record is None:
        return None
    if record.created_at < timezone.now() - ttl:
        record.delete()
        return None
    if record.fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    response = Response(record.response_body, status=record.status_code)
    response["Idempotent-Replayed"] = "true"
    return response
