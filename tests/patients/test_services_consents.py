import datetime as dt

import pytest

from clinic.core.errors import RuleViolation
from patients.errors import ConsentAlreadyWithdrawn, PatientInactive
from patients.models import SignedConsent
from patients.services import consent_record, consent_withdraw
from tests.factories.patients import (
    ConsentFormFactory,
    PatientFactory,
    SignedConsentFactory,
)
from tests.factories.users import UserFactory

NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def form(db):
    return ConsentFormFactory()


def _record(actor, form, **overrides):
    fields = {
        "patient": PatientFactory(),
        "form": form,
        "signed_at": NOW - dt.timedelta(hours=1),
        "signed_by": "patient",
        "witness": actor,
        "now": NOW,
    }
    fields.update(overrides)
    return consent_record(actor=actor, **fields)


def test_record_keeps_exact_form_version_and_witness(front_desk, form):
    consent = _record(front_desk, form)

    assert (consent.form, consent.witness, consent.created_by) == (
        form,
        front_desk,
        front_desk,
    )
    assert consent.history.get().history_user == front_desk


def test_legal_representative_is_recorded_with_relationship(front_desk, form):
    consent = _record(
        front_desk,
        form,
        signed_by="legal_representative",
        representative_name="Maria Núñez",
        representative_relationship="mother",
    )

    assert consent.representative_relationship == "mother"


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"signed_at": NOW + dt.timedelta(minutes=5)}, "signed_at", "signed_in_future"),
        (
            {"expires_at": NOW - dt.timedelta(hours=2)},
            "expires_at",
            "expiry_before_signing",
        ),
        (
            {"signed_by": "legal_representative"},
            "representative_name",
            "representative_required",
        ),
        (
            {"representative_name": "Someone"},
            "representative_name",
            "representative_not_expected",
        ),
        (
            {"signed_at": dt.datetime(2019, 12, 31, tzinfo=dt.UTC)},
            "signed_at",
            "form_not_yet_effective",
        ),
    ],
)
def test_record_refuses_bad_input_and_writes_nothing(
    front_desk, form, overrides, field, code
):
    with pytest.raises(RuleViolation) as excinfo:
        _record(front_desk, form, **overrides)

    assert excinfo.value.code == code
    assert field in excinfo.value.errors
    assert not SignedConsent.objects.exists()


def test_record_refuses_unpublished_form(front_desk):
    draft = ConsentFormFactory(status="draft", published_at=None)

    with pytest.raises(RuleViolation, match="published") as excinfo:
        _record(front_desk, draft)

    assert "form" in excinfo.value.errors
    assert not SignedConsent.objects.exists()


def test_record_refuses_inactive_witness(front_desk, form):
    witness = UserFactory(is_active=False)

    with pytest.raises(RuleViolation) as excinfo:
        _record(front_desk, form, witness=witness)

    assert "witness" in excinfo.value.errors
    assert not SignedConsent.objects.exists()


def test_record_refuses_inactive_patient(front_desk, form):
    patient = PatientFactory(active=False, deactivated_at=NOW)

    with pytest.raises(PatientInactive) as excinfo:
        _record(front_desk, form, patient=patient)

    assert excinfo.value.code == "patient_inactive"
    assert "patient" in excinfo.value.errors
    assert not SignedConsent.objects.exists()


def test_withdraw_keeps_the_consent_with_who_when_why(clinician):
    consent = SignedConsentFactory(signed_at=NOW - dt.timedelta(days=3))

    consent_withdraw(
        consent=consent, actor=clinician, reason="Second thoughts", now=NOW
    )

    consent.refresh_from_db()
    assert (consent.withdrawn_at, consent.withdrawn_by, consent.withdrawal_reason) == (
        NOW,
        clinician,
        "Second thoughts",
    )
    assert SignedConsent.objects.filter(pk=consent.pk).exists()


def test_withdrawing_twice_is_a_conflict(clinician):
    consent = SignedConsentFactory(signed_at=NOW - dt.timedelta(days=3))
    consent_withdraw(consent=consent, actor=clinician, reason="First", now=NOW)

    with pytest.raises(ConsentAlreadyWithdrawn):
        consent_withdraw(consent=consent, actor=clinician, reason="Second", now=NOW)

    consent.refresh_from_db()
    assert consent.withdrawal_reason == "First"


@pytest.mark.parametrize(
    ("reason", "at", "field"),
    [
        ("", None, "reason"),
        ("Why", NOW + dt.timedelta(days=1), "at"),
        ("Why", NOW - dt.timedelta(days=30), "at"),
    ],
)
def test_withdraw_refuses_bad_input(clinician, reason, at, field):
    consent = SignedConsentFactory(signed_at=NOW - dt.timedelta(days=3))

    with pytest.raises(RuleViolation) as excinfo:
        consent_withdraw(
            consent=consent, actor=clinician, reason=reason, at=at, now=NOW
        )

    assert field in excinfo.value.errors
    consent.refresh_from_db()
    assert consent.withdrawn_at is None
