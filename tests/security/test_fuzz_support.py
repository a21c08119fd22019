"""The fuzzer's plumbing: its stand-in for a live server fails where a live
server fails, and loading it leaves the suite's watches in place."""

import logging

import pytest
from django.db import transaction
from django.db.transaction import TransactionManagementError

from clinic.models import Location
from tests import canary
from tests.security.fuzz_support import as_live_server, load_schema


def _app(lock_inside_atomic: bool):
    def app(environ, start_response):
        if lock_inside_atomic:
            with transaction.atomic():
                list(Location.objects.select_for_update())
        else:
            list(Location.objects.select_for_update())
        start_response("200 OK", [])
        return [b""]

    return app


@pytest.mark.postgres_only
def test_a_row_lock_outside_the_request_s_transaction_fails_as_it_would_live(db):
    # Inside the test's transaction Django lets it pass; in autocommit (a
    # live server) it raises, and the request is a 500.
    with pytest.raises(TransactionManagementError):
        as_live_server(_app(lock_inside_atomic=False))({}, lambda *args: None)


def test_a_row_lock_inside_the_request_s_transaction_passes(db):
    body = as_live_server(_app(lock_inside_atomic=True))({}, lambda *args: None)

    assert body == [b""]


def test_loading_the_schema_keeps_the_canary_log_watch(db):
    # get_wsgi_application() would run django.setup() again, and its logging
    # config would drop the handler that fails a test when a patient's name
    # is logged, for the rest of the run.
    load_schema.cache_clear()
    load_schema()

    root = logging.getLogger()
    assert root.level == logging.DEBUG
    assert any(isinstance(h, canary.CanaryLogHandler) for h in root.handlers)
