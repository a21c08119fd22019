"""A wrong password at signing counts towards the login lockout (django-axes,
by username), and a locked-out user can neither sign nor log in."""

import pytest
from django.test import RequestFactory

from tests.factories.users import DEFAULT_PASSWORD
from treatments.errors import SignaturePasswordInvalid, SignerLockedOut
from treatments.services import administration_sign

TOKEN_URL = "/api/v1/auth/token/"


def _sign(client, administration, password):
    return client.post(
        f"/api/v1/administrations/{administration.public_id}/sign/",
        {"password": password, "meaning": "performed"},
        format="json",
    )


def test_wrong_signing_passwords_lock_the_signer_out(
    record, clinician, clinician_client, anon_client, settings
):
    draft = record()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        refused = _sign(clinician_client, draft, "wrong")
        assert refused.status_code == 400
        assert refused.json()["code"] == "signature_password_invalid"
        assert "password" in refused.json()["errors"]

    last = _sign(clinician_client, draft, "wrong")
    right = _sign(clinician_client, draft, DEFAULT_PASSWORD)
    login = anon_client.post(
        TOKEN_URL,
        {"username": clinician.username, "password": DEFAULT_PASSWORD},
        format="json",
    )

    # The lockout answers like the login's: 429 with Retry-After.
    assert last.status_code == 429
    assert right.status_code == 429
    assert right.json()["code"] == "login_locked"
    assert int(right["Retry-After"]) > 0
    assert login.status_code == 429
    draft.refresh_from_db()
    assert draft.signed_at is None


def test_signing_with_the_right_password_still_works(
    record, clinician_client, settings
):
    draft = record()
    for _ in range(settings.AXES_FAILURE_LIMIT - 2):
        _sign(clinician_client, draft, "wrong")

    signed = _sign(clinician_client, draft, DEFAULT_PASSWORD)

    assert signed.status_code == 200, signed.json()
    draft.refresh_from_db()
    assert draft.signed_at is not None


def test_the_service_refuses_a_locked_out_signer(record, clinician, settings):
    draft = record()
    request = RequestFactory().post("/")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        with pytest.raises((SignaturePasswordInvalid, SignerLockedOut)):
            administration_sign(
                administration=draft,
                actor=clinician,
                password="wrong",
                meaning="performed",
                request=request,
            )

    with pytest.raises(SignerLockedOut):
        administration_sign(
            administration=draft,
            actor=clinician,
            password=DEFAULT_PASSWORD,
            meaning="performed",
            request=RequestFactory().post("/"),
        )
    draft.refresh_from_db()
    assert draft.signed_at is None
