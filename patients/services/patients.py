"""Registering, editing and deactivating patients."""

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from clinic.core.audit import audited_save
from clinic.core.errors import FieldNotEditable, ReasonRequired
from clinic.core.locking import lock
from clinic.core.users import User
from patients.ages import years_before
from patients.errors import (
    DateOfBirthInFuture,
    DateOfBirthTooOld,
    DuplicatePatient,
    PatientAlreadyActive,
    PatientAlreadyInactive,
)
from patients.models import MrnCounter, Patient
from patients.mrn import format_mrn
from patients.naming import fold

MAX_AGE_YEARS = 130
EDITABLE_FIELDS = frozenset(Patient.EDITABLE_FIELDS)


def _check_date_of_birth(value: date, *, today: date) -> None:
    if value > today:
        raise DateOfBirthInFuture.for_field(
            "date_of_birth", "Date of birth cannot be in the future."
        )
    if value < years_before(today, MAX_AGE_YEARS):
        raise DateOfBirthTooOld.for_field(
            "date_of_birth",
            f"Date of birth cannot be more than {MAX_AGE_YEARS} years ago.",
        )


def _check_fields(changes: dict[str, Any]) -> None:
    refused = sorted(set(changes) - EDITABLE_FIELDS)
    if refused:
        raise FieldNotEditable(
            "These fields cannot be set here.",
            errors={field: ["This field cannot be changed."] for field in refused},
        )


def _next_mrn() -> str:
    # The counter row is the lock that serialises registrations, so the
    # duplicate check below cannot race with another registration either.
    MrnCounter.objects.get_or_create(pk=1)
    counter = lock(MrnCounter, 1)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return format_mrn(counter.last_value)


def find_possible_duplicates(
    *, given_name: str, family_name: str, date_of_birth: date, exclude_pk: Any = None
) -> list[Patient]:
    return list(
        Patient.objects.filter(
            search_name=fold(f"{given_name} {family_name}"), date_of_birth=date_of_birth
        )
        .exclude(pk=exclude_pk)
        .order_by("mrn")
    )


@transaction.atomic
def patient_register(
    *,
    actor: User,
    confirmed_distinct: bool = False,
    now: datetime | None = None,
    **fields: Any,
) -> Patient:
    """Register a patient with a new, never reused MRN.

    Raises DuplicatePatient (naming the existing MRNs) when someone with the same
    folded name and date of birth exists, unless `confirmed_distinct`; raises
    RuleViolation for a bad date of birth or a field that cannot be set.
    """
    _check_fields(fields)
    today = timezone.localdate(now or timezone.now())
    _check_date_of_birth(fields["date_of_birth"], today=today)
    mrn = _next_mrn()
    duplicates = find_possible_duplicates(
        given_name=fields["given_name"],
        family_name=fields["family_name"],
        date_of_birth=fields["date_of_birth"],
    )
    if duplicates and not confirmed_distinct:
        mrns = [p.mrn for p in duplicates]
        raise DuplicatePatient(
            f"A patient with this name and date of birth exists: {', '.join(mrns)}."
            " Register anyway only if this is a different person"
            " (confirm_distinct: true).",
            extra={"existing_mrns": mrns},
        )
    patient = Patient(**fields, mrn=mrn, created_by=actor)
    patient.search_name = fold(f"{patient.given_name} {patient.family_name}")
    patient.full_clean()
    audited_save(patient, actor=actor)
    return patient


@transaction.atomic
def patient_update(
    *, patient: Patient, actor: User, now: datetime | None = None, **changes: Any
) -> Patient:
    """Change demographic fields; the MRN and active flag are refused here."""
    _check_fields(changes)
    if "date_of_birth" in changes:
        _check_date_of_birth(
            changes["date_of_birth"], today=timezone.localdate(now or timezone.now())
        )
    patient = lock(Patient, patient.pk)
    for field, value in changes.items():
        setattr(patient, field, value)
    patient.search_name = fold(f"{patient.given_name} {patient.family_name}")
    patient.full_clean()
    audited_save(patient, actor=actor)
    return patient


@transaction.atomic
def patient_deactivate(
    *, patient: Patient, actor: User, reason: str, now: datetime | None = None
) -> Patient:
    """Deactivate (never delete); a deactivated patient cannot be booked or treated."""
    if not reason.strip():
        raise ReasonRequired.for_field("reason", "Say why the patient is deactivated.")
    patient = lock(Patient, patient.pk)
    if not patient.active:
        raise PatientAlreadyInactive("The patient is already deactivated.")
    patient.active = False
    patient.deactivated_at = now or timezone.now()
    patient.deactivation_reason = reason.strip()
    audited_save(patient, actor=actor, reason=patient.deactivation_reason)
    return patient


@transaction.atomic
def patient_reactivate(*, patient: Patient, actor: User, reason: str) -> Patient:
    """Bring a deactivated patient back; the earlier deactivation stays in history."""
    if not reason.strip():
        raise ReasonRequired.for_field("reason", "Say why the patient is reactivated.")
    patient = lock(Patient, patient.pk)
    if patient.active:
        raise PatientAlreadyActive("The patient is already active.")
    patient.active = True
    patient.deactivated_at = None
    patient.deactivation_reason = ""
    audited_save(patient, actor=actor, reason=reason.strip())
    return patient
