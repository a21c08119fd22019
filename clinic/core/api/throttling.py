"""The login throttle (clinic.core.throttling) as a DRF throttle, so a refusal is
the API's usual 429 JSON error with Retry-After."""

from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from clinic.core.throttling import login_attempt_wait


class LoginRateThrottle(BaseThrottle):
    """Per client address, shared with the admin login and across workers."""

    def __init__(self) -> None:
        self._wait: int | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        self._wait = login_attempt_wait(request._request)
        return self._wait is None

    def wait(self) -> int | None:
        return self._wait
