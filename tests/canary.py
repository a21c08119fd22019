"""Canary patient names: every factory-made patient's family name carries
CANARY, and no log record (any logger, DEBUG and up) and no error response
(status >= 400) may ever contain it. A test during which one does fails.

Not watched: test tooling's own loggers (factory_boy logs the values it
builds) and `django.db.backends`, which logs SQL with its parameters at DEBUG
only when queries are being captured or DEBUG is on; production runs at INFO.
"""

import logging
from collections.abc import Callable, Iterator

import pytest
from django.http import HttpRequest, HttpResponse

from clinic.core.log import RedactingFormatter
from tests.canary_names import CANARY

IGNORED_LOGGERS = ("factory", "faker", "django.db.backends", "hypothesis")

_leaks: list[str] = []


class CanaryLogHandler(logging.Handler):
    """Sees each record as the project's log handler would write it."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(RedactingFormatter("%(levelname)s %(name)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(IGNORED_LOGGERS):
            return
        text = self.format(record)
        if CANARY.lower() in text.lower():
            _leaks.append(f"log {record.name} {record.levelname}: {text[:300]}")


class CanaryMiddleware:
    """Test-only: error bodies must not name a patient."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code >= 400 and not response.streaming:
            body = response.content.decode("utf-8", "replace")
            if CANARY.lower() in body.lower():
                _leaks.append(
                    f"{response.status_code} body of {request.method}"
                    f" {request.path}: {body[:300]}"
                )
        return response


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    settings.MIDDLEWARE = ["tests.canary.CanaryMiddleware", *settings.MIDDLEWARE]


@pytest.fixture(scope="session", autouse=True)
def _canary_log_handler() -> Iterator[None]:
    root = logging.getLogger()
    # Capture DEBUG without printing it: the existing handlers keep their level.
    for handler in root.handlers:
        if handler.level == logging.NOTSET:
            handler.setLevel(root.level)
    handler = CanaryLogHandler()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield
    root.removeHandler(handler)
    root.setLevel(previous)


@pytest.fixture(autouse=True)
def _no_canary_leaks() -> Iterator[None]:
    _leaks.clear()
    yield
    leaks, _leaks[:] = list(_leaks), []
    if leaks:
        pytest.fail("a patient name leaked:\n" + "\n".join(leaks), pytrace=False)
