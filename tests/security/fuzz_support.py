"""Plumbing for the API fuzzer (test_fuzz_api.py): the app as a live server
would run it, the schema schemathesis reads, the checks, and a collector that
reports every failing request (with a curl to reproduce it) instead of
stopping at the first.

Every request runs inside the test's transaction, so it can be rolled back;
`as_live_server` makes the app fail where a live server (autocommit) would.
"""

import functools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from schemathesis.checks import not_a_server_error
from schemathesis.config._checks import MissingRequiredHeaderConfig
from schemathesis.config._phases import InferenceConfig
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode
from schemathesis.generation.coverage import GenerationSession
from schemathesis.generation.drivers import CoverageGenerator
from schemathesis.generation.feedback import NO_FEEDBACK
from schemathesis.generation.overrides import Override
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ensure_resource_availability,
    ignored_auth,
    missing_required_header,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
    use_after_free,
)

from tests.security.world import SCENARIOS, World

# What every request is held to. Not schemathesis's positive/negative data
# checks: the schema cannot say that a date of birth is not in the future, so
# schema-valid data answered 400 is the service doing its job, and DRF reads
# 1 as "1" for a string field, which is lenient, not wrong.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    missing_required_header,
    unsupported_method,
    ignored_auth,
]
# A sequence of requests can also show a created record missing, or a
# deleted one still there.
STATEFUL_CHECKS = [*CHECKS, use_after_free, ensure_resource_availability]

# A missing If-Match on an update is 428 Precondition Required.
MISSING_HEADER_STATUSES = ["400", "401", "403", "406", "415", "422", "428"]

_FOR_UPDATE = re.compile(r"\bFOR (?:NO KEY )?UPDATE\b")


def as_live_server(app: Callable[..., Any]) -> Callable[..., Any]:
    """The WSGI app, refusing `select_for_update()` outside an atomic block the
    request itself opened. A live server runs in autocommit, where Django
    raises TransactionManagementError (a 500) for it; inside the test's
    transaction it would silently pass. On SQLite Django never locks rows,
    so there is nothing to refuse, exactly as on a live SQLite server."""

    def guarded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        outside = len(connection.atomic_blocks)

        def refuse_unguarded_locks(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
            if _FOR_UPDATE.search(sql) and len(connection.atomic_blocks) <= outside:
                raise TransactionManagementError(
                    "select_for_update cannot be used outside of a transaction."
                )
            return execute(sql, params, many, context)

        with connection.execute_wrapper(refuse_unguarded_locks):
            return app(environ, start_response)

    return guarded


@functools.cache
def load_schema() -> Any:
    # The handler itself, not get_wsgi_application(): that runs django.setup()
    # again, whose logging config would drop the suite's canary log watch.
    app = as_live_server(WSGIHandler())
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app)
    schema.config.checks.missing_required_header = MissingRequiredHeaderConfig(
        expected_statuses=MISSING_HEADER_STATUSES
    )
    # The stateful phase follows the links the schema documents
    # (clinic/core/api/schema_links.py), not ones schemathesis guesses.
    schema.config.phases.stateful.inference = InferenceConfig(algorithms=[])
    return schema


def api_operation(label: str) -> Any:
    method, route = label.split(" ", 1)
    return load_schema()[route][method.lower()]


def coverage_cases(operation: Any) -> list[Any]:
    """schemathesis's coverage phase for one operation: every boundary it
    derives from the schema (lengths, limits, types, formats, missing and
    empty headers, undeclared methods and content types), positive and
    negative, in a fixed order. A fresh session each time, so the cases do
    not depend on which operations ran before."""
    config = load_schema().config.generation_for(operation=operation, phase="coverage")
    return list(
        CoverageGenerator(
            operation=operation,
            generation_modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
            generation_config=config,
            auth_storage=None,
            override=Override(),
            feedback=NO_FEEDBACK,
            session=GenerationSession(),
        )
    )


def aims_at_path(case: Any) -> bool:
    """Whether the case is about its path parameters (a malformed or unknown
    id): those keep theirs; every other case gets a real record's."""
    data = getattr(case.meta, "phase", None)
    data = getattr(data, "data", None)
    return getattr(data, "parameter_location", None) == ParameterLocation.PATH


def real_ids(world: World, label: str, role: str) -> dict[str, str]:
    ids, _body, _query = SCENARIOS[label](world, role)
    return {name: str(value) for name, value in ids.items()}


def auth_headers(world: World, role: str) -> dict[str, str]:
    if role == "anonymous":
        return {}
    return {"Authorization": f"Bearer {world.tokens[role]}"}


@contextmanager
def isolated() -> Iterator[None]:
    """One request against the world as built: whatever it writes is rolled
    back, and throttle counters start from zero, so each failure reproduces
    on its own."""
    cache.clear()
    savepoint = transaction.savepoint()
    try:
        yield
    finally:
        transaction.savepoint_rollback(savepoint)


@dataclass
class Failures:
    """Every failing request of a test, grouped, each with a curl."""

    label: str
    role: str
    sent: int = 0
    found: list[tuple[str, str]] = field(default_factory=list)

    def check(
        self,
        case: Any,
        headers: dict[str, str],
        checks: Iterable[Callable[..., Any]] = CHECKS,
        **validate: Any,
    ) -> Any:
        """Send the case, run the checks, note what fails; the response."""
        self.sent += 1
        response = case.call(headers=headers)
        self.validate(case, response, headers, checks, **validate)
        return response

    def validate(
        self,
        case: Any,
        response: Any,
        headers: dict[str, str],
        checks: Iterable[Callable[..., Any]] = CHECKS,
        **validate: Any,
    ) -> None:
        try:
            case.validate_response(
                response, checks=list(checks), headers=headers, **validate
            )
        except (Failure, FailureGroup) as raised:
            failures = (
                raised.exceptions if isinstance(raised, FailureGroup) else [raised]
            )
            curl = case.as_curl_command(headers=headers)
            for failure in failures:
                self.found.append((failure.title, f"[{response.status_code}] {curl}"))

    def assert_none(self) -> None:
        if not self.found:
            return
        kinds = Counter(title for title, _curl in self.found)
        shown: dict[str, list[str]] = {}
        for title, curl in self.found:
            examples = shown.setdefault(title, [])
            if len(examples) < 3:
                examples.append(curl)
        report = [
            f"{self.label} as {self.role}: {len(self.found)} failing checks"
            f" in {self.sent} requests"
        ]
        for title, count in kinds.most_common():
            report.append(f"- {title} x{count}, e.g.:")
            report.extend(f"    {curl}" for curl in shown[title])
        raise AssertionError("\n".join(report))
