"""No patient name in a log line or an error body; generic 500s; caching and
security headers."""

import logging

import pytest
from django.http import HttpResponse
from django.test import override_settings

from tests import canary
from tests.canary_names import CANARY
from tests.factories.patients import PatientFactory


def test_factory_patients_carry_the_canary(db):
    assert CANARY in PatientFactory().family_name


def test_the_watches_are_installed_for_the_whole_suite(settings):
    assert settings.MIDDLEWARE[0] == "tests.canary.CanaryMiddleware"
    root = logging.getLogger()
    assert root.level == logging.DEBUG
    assert any(isinstance(h, canary.CanaryLogHandler) for h in root.handlers)


def test_the_log_watch_catches_a_name():
    handler = canary.CanaryLogHandler()
    handler.emit(
        logging.LogRecord("clinic", logging.DEBUG, "", 0, f"{CANARY}1", (), None)
    )
    caught, canary._leaks[:] = list(canary._leaks), []

    assert len(caught) == 1


def test_the_error_body_watch_catches_a_name(rf):
    middleware = canary.CanaryMiddleware(
        lambda request: HttpResponse(f"no {CANARY}2", status=400)
    )
    middleware(rf.get("/api/v1/patients/"))
    caught, canary._leaks[:] = list(canary._leaks), []

    assert len(caught) == 1


def test_logged_tracebacks_keep_the_frames_but_not_the_message():
    formatter = canary.RedactingFormatter()
    try:
        raise ValueError(f"patient {CANARY}3 broke it")
    except ValueError:
        record = logging.LogRecord(
            "clinic.core.api",
            logging.ERROR,
            "",
            0,
            "boom",
            (),
            __import__("sys").exc_info(),
        )

    text = formatter.format(record)

    assert "test_no_leaks.py" in text
    assert "builtins.ValueError" in text
    assert CANARY not in text


def test_a_traceback_logged_outside_an_except_block_formats():
    # logger.exception() with no exception being handled passes
    # (None, None, None); the formatter wrote nothing for it and raised.
    record = logging.LogRecord(
        "clinic.core.api", logging.ERROR, "", 0, "boom", (), (None, None, None)
    )

    assert canary.RedactingFormatter().format(record) == "boom\nNoneType: None"


@override_settings(ROOT_URLCONF="tests.security.urls_leaky")
@pytest.mark.parametrize("path", ["/boom/", "/plain-boom/"])
def test_a_forced_exception_naming_a_patient_is_a_generic_500(client, path):
    client.raise_request_exception = False

    response = client.get(path)

    assert response.status_code == 500
    assert response.json() == {
        "code": "server_error",
        "detail": "Something went wrong on our side.",
        "errors": {},
    }
    # The autouse canary check fails this test if the name reached a log line.


def test_api_answers_are_no_store(front_desk_client):
    response = front_desk_client.get("/api/v1/patients/")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_security_headers_are_set(client):
    response = client.get("/admin/login/")

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_duplicate_patient_conflict_names_mrns_never_names(front_desk_client):
    body = {
        "given_name": "Ada",
        "family_name": f"{CANARY}7",
        "date_of_birth": "1980-01-02",
        "sex": "female",
    }
    first = front_desk_client.post("/api/v1/patients/", body, format="json")

    again = front_desk_client.post("/api/v1/patients/", body, format="json")

    assert again.status_code == 409
    assert again.json()["existing_mrns"] == [first.json()["mrn"]]
    assert CANARY not in again.content.decode()
