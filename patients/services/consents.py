"""Signed consents: recording, withdrawing, and the one validity question."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from clinic.core.audit import audited_save
from clinic.core.errors import ReasonRequired, WitnessInvalid
from clinic.core.locking import lock
from clinic.core.users import User
from patients.errors import (
    ConsentAlreadyWithdrawn,
    ExpiryBeforeSigning,
    FormNotPublished,
    FormNotYetEffective,
    PatientInactive,
    RepresentativeNotExpected,
    RepresentativeRequired,
    SignedInFuture,
    WithdrawnBeforeSigning,
    WithdrawnInFuture,
)
from patients.models import ConsentForm, Patient, SignedConsent


def consent_find_valid(
    *, patient: Patient, route: str, indication: str, product: Any, at: datetime
) -> SignedConsent | None:
    """The most recent consent of `patient` valid at `at` for this route,
    indication and product (signed by then, not withdrawn or expired by then,
    on a published form covering all three), or None."""
    candidates = (
        SignedConsent.objects.in_force_at(at)
        .filter(
            patient=patient,
            form__status=ConsentForm.Status.PUBLISHED,
            form__covered_products=product,
        )
        .select_related("form")
        .order_by("-signed_at", "-pk")
    )
    # Route and indication lists are JSON; SQLite cannot query inside them, and
    # a patient has a handful of consents, so the last filter runs here.
    consent: SignedConsent
    for consent in candidates:
        form = consent.form
        if route in form.covered_routes and indication in form.covered_indications:
            return consent
    return None


def _check_witness(witness: Any) -> None:
    if not (witness and witness.is_active and witness.is_staff):
        raise WitnessInvalid.for_field(
            "witness", "The witness must be an active staff user."
        )


@transaction.atomic
def consent_record(
    *,
    actor: User,
    patient: Patient,
    form: ConsentForm,
    signed_at: datetime,
    signed_by: str,
    witness: Any,
    representative_name: str = "",
    representative_relationship: str = "",
    expires_at: datetime | None = None,
    now: datetime | None = None,
) -> SignedConsent:
    """Record a signature on a published form for an active patient.

    Raises PatientInactive, or RuleViolation naming the field: unpublished or
    not yet effective form, signature in the future, expiry not after signing,
    representative missing (or given for a patient's own signature), bad witness.
    """
    now = now or timezone.now()
    # Lock the patient so a deactivation cannot slip in between check and insert.
    patient = lock(Patient, patient.pk)
    if not patient.active:
        raise PatientInactive.for_field(
            "patient", "The patient is deactivated; no consent can be recorded."
        )
    if not form.is_published:
        raise FormNotPublished.for_field(
            "form", "Only a published consent form can be signed."
        )
    if signed_at > now:
        raise SignedInFuture.for_field(
            "signed_at", "A consent cannot be signed in the future."
        )
    if signed_at.date() < form.effective_date:
        raise FormNotYetEffective.for_field(
            "signed_at",
            f"This form version is effective from {form.effective_date:%Y-%m-%d}.",
        )
    if expires_at is not None and expires_at <= signed_at:
        raise ExpiryBeforeSigning.for_field(
            "expires_at", "Expiry must be after signing."
        )
    is_representative = signed_by == SignedConsent.Signer.LEGAL_REPRESENTATIVE
    if is_representative and not (representative_name and representative_relationship):
        raise RepresentativeRequired(
            "A legal representative must be named with their relationship.",
            errors={
                field: ["Required when a legal representative signs."]
                for field, value in [
                    ("representative_name", representative_name),
                    ("representative_relationship", representative_relationship),
                ]
                if not value
            },
        )
    if not is_representative and (representative_name or representative_relationship):
        raise RepresentativeNotExpected.for_field(
            "representative_name", "Only give a representative when one signed."
        )
    _check_witness(witness)
    consent = SignedConsent(
        patient=patient,
        form=form,
        signed_at=signed_at,
        signed_by=signed_by,
        representative_name=representative_name,
        representative_relationship=representative_relationship,
        witness=witness,
        expires_at=expires_at,
        created_by=actor,
    )
    consent.full_clean()
    audited_save(consent, actor=actor)
    return consent


@transaction.atomic
def consent_withdraw(
    *,
    consent: SignedConsent,
    actor: User,
    reason: str,
    at: datetime | None = None,
    now: datetime | None = None,
) -> SignedConsent:
    """Mark the consent withdrawn from `at` (default now); the row stays.

    Raises ConsentAlreadyWithdrawn, or RuleViolation for a missing reason or a
    time in the future or before the signature.
    """
    now = now or timezone.now()
    at = at or now
    consent = lock(SignedConsent, consent.pk)
    if consent.withdrawn_at is not None:
        raise ConsentAlreadyWithdrawn(
            f"This consent was already withdrawn on {consent.withdrawn_at:%Y-%m-%d}.",
            errors={"withdrawn_at": ["Already withdrawn."]},
        )
    if not reason.strip():
        raise ReasonRequired.for_field("reason", "Say why the consent is withdrawn.")
    if at > now:
        raise WithdrawnInFuture.for_field(
            "at", "A withdrawal cannot be dated in the future."
        )
    if at < consent.signed_at:
        raise WithdrawnBeforeSigning.for_field(
            "at", "A withdrawal cannot precede the signature."
        )
    consent.withdrawn_at = at
    consent.withdrawal_reason = reason.strip()
    consent.withdrawn_by = actor
    consent.full_clean()
    audited_save(consent, actor=actor, reason=consent.withdrawal_reason)
    return consent
