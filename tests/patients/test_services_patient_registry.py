import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from clinic.core.errors import Conflict, DeletionRefused, RuleViolation
from patients.errors import DuplicatePatient
from patients.models import MrnCounter, Patient
from patients.mrn import is_valid_mrn
from patients.services import (
    patient_deactivate,
    patient_reactivate,
    patient_register,
    patient_update,
)
from tests.factories.patients import PatientFactory

NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)


def _register(actor, **overrides):
    fields = {
        "given_name": "José",
        "family_name": "Núñez",
        "date_of_birth": dt.date(1980, 5, 17),
        "sex": "male",
        "phone": "+12125550123",
    }
    fields.update(overrides)
    return patient_register(actor=actor, now=NOW, **fields)


def test_register_assigns_valid_unique_mrns_in_sequence(front_desk):
    first = _register(front_desk)
    second = _register(front_desk, given_name="Ana")

    assert is_valid_mrn(first.mrn)
    assert is_valid_mrn(second.mrn)
    assert first.mrn != second.mrn
    assert MrnCounter.objects.get().last_value == 2


def test_register_records_creator_in_history(front_desk):
    patient = _register(front_desk)

    assert patient.created_by == front_desk
    assert patient.history.get().history_user == front_desk


def test_phone_is_stored_in_e164(front_desk):
    patient = _register(front_desk, phone="(212) 555-0199")
    patient.refresh_from_db()

    assert str(patient.phone) == "+12125550199"


@pytest.mark.parametrize(
    ("dob", "code"),
    [(dt.date(2026, 6, 16), "dob_in_future"), (dt.date(1896, 6, 14), "dob_too_old")],
)
def test_register_refuses_impossible_date_of_birth(front_desk, dob, code):
    with pytest.raises(RuleViolation) as excinfo:
        _register(front_desk, date_of_birth=dob)

    assert excinfo.value.code == code
    assert "date_of_birth" in excinfo.value.errors
    assert not Patient.objects.exists()


def test_register_accepts_exactly_130_years(front_desk):
    assert _register(front_desk, date_of_birth=dt.date(1896, 6, 15)).pk


@pytest.mark.parametrize(
    ("field", "value"),
    [("phone", "12345"), ("email", "no-at-sign.example"), ("sex", "mostly")],
)
def test_register_refuses_malformed_fields(front_desk, field, value):
    with pytest.raises(ValidationError) as excinfo:
        _register(front_desk, **{field: value})

    assert field in excinfo.value.message_dict
    assert not Patient.objects.exists()


def test_register_refuses_setting_the_mrn(front_desk):
    with pytest.raises(RuleViolation, match="cannot be set") as excinfo:
        _register(front_desk, mrn="MRN00000018")

    assert excinfo.value.errors == {"mrn": ["This field cannot be changed."]}
    assert not Patient.objects.exists()


def test_duplicate_name_and_birth_date_is_refused_naming_the_mrn(front_desk):
    existing = _register(front_desk)

    with pytest.raises(DuplicatePatient, match=existing.mrn) as excinfo:
        _register(front_desk, given_name="JOSE", family_name="nunez")

    assert excinfo.value.extra == {"existing_mrns": [existing.mrn]}
    assert Patient.objects.count() == 1


def test_duplicate_is_registered_when_confirmed_distinct(front_desk):
    _register(front_desk)

    second = patient_register(
        actor=front_desk,
        confirmed_distinct=True,
        now=NOW,
        given_name="José",
        family_name="Núñez",
        date_of_birth=dt.date(1980, 5, 17),
        sex="male",
    )

    assert Patient.objects.count() == 2
    assert second.mrn


def test_same_name_other_birth_date_is_not_a_duplicate(front_desk):
    _register(front_desk)
    _register(front_desk, date_of_birth=dt.date(1981, 5, 17))

    assert Patient.objects.count() == 2


def test_mrn_is_never_reused_after_a_refused_registration(front_desk):
    first = _register(front_desk)
    with pytest.raises(DuplicatePatient):
        _register(front_desk)
    third = _register(front_desk, given_name="Other")

    assert third.mrn != first.mrn
    assert Patient.objects.filter(mrn=third.mrn).count() == 1


def test_update_changes_demographics_and_search_name(front_desk):
    patient = PatientFactory(given_name="Ana", family_name="Lopez")

    patient_update(patient=patient, actor=front_desk, family_name="López-García")

    patient.refresh_from_db()
    assert patient.search_name == "ana lopez-garcia"
    assert patient.history.latest().history_user == front_desk


@pytest.mark.parametrize("field", ["mrn", "active", "public_id"])
def test_update_refuses_protected_fields(front_desk, field):
    patient = PatientFactory()
    before = Patient.objects.values().get(pk=patient.pk)

    with pytest.raises(RuleViolation) as excinfo:
        patient_update(patient=patient, actor=front_desk, **{field: "x"})

    assert field in excinfo.value.errors
    assert Patient.objects.values().get(pk=patient.pk) == before


def test_update_refuses_future_date_of_birth(front_desk):
    patient = PatientFactory(date_of_birth=dt.date(1970, 1, 1))

    with pytest.raises(RuleViolation, match="future"):
        patient_update(
            patient=patient,
            actor=front_desk,
            date_of_birth=dt.date(2999, 1, 1),
            now=NOW,
        )

    patient.refresh_from_db()
    assert patient.date_of_birth == dt.date(1970, 1, 1)


def test_deactivate_keeps_the_patient_and_records_reason(front_desk):
    patient = PatientFactory()

    patient_deactivate(patient=patient, actor=front_desk, reason="Moved away", now=NOW)

    patient.refresh_from_db()
    assert (patient.active, patient.deactivated_at) == (False, NOW)
    latest = patient.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (
        front_desk,
        "Moved away",
    )


def test_deactivate_twice_is_a_conflict(front_desk):
    patient = PatientFactory()
    patient_deactivate(patient=patient, actor=front_desk, reason="Moved", now=NOW)

    with pytest.raises(Conflict) as excinfo:
        patient_deactivate(patient=patient, actor=front_desk, reason="Again", now=NOW)

    assert excinfo.value.code == "patient_already_inactive"


def test_deactivate_needs_a_reason(front_desk):
    patient = PatientFactory()

    with pytest.raises(RuleViolation, match="why"):
        patient_deactivate(patient=patient, actor=front_desk, reason="  ")

    patient.refresh_from_db()
    assert patient.active


def test_reactivate_brings_patient_back(front_desk):
    patient = PatientFactory()
    patient_deactivate(patient=patient, actor=front_desk, reason="Moved", now=NOW)

    patient_reactivate(patient=patient, actor=front_desk, reason="Came back")

    patient.refresh_from_db()
    assert patient.active
    assert patient.deactivated_at is None


def test_patient_cannot_be_deleted_by_model_or_queryset(db):
    patient = PatientFactory()

    with pytest.raises(DeletionRefused):
        patient.delete()
    with pytest.raises(DeletionRefused):
        Patient.objects.filter(pk=patient.pk).delete()
    assert Patient.objects.filter(pk=patient.pk).exists()
