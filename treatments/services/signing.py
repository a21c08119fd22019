"""Signing, amending and entered-in-error for administrations, and the
signing steps every signed record shares (follow-up notes use them too).

A signature freezes the record's row: its digest covers the clinical
columns, and nothing changes them again. Amendments are separate rows laid over
the original (`as_amended`), each with a digest chained to the one before, so
both the original and every correction stay verifiable.
"""

import copy
from datetime import datetime
from typing import Any

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from clinic.audit import audited_save
from clinic.codes import Route
from clinic.locking import lock
from clinic.roles import Role, has_role
from treatments import dosing
from treatments.digests import canonical_value
from treatments.errors import (
    AmendmentChangesNothing,
    InfusionTimesRequired,
    ReasonRequired,
    RecordEnteredInError,
    RecordNotSigned,
    SignaturePasswordInvalid,
    SignerLockedOut,
    SignerNotClinician,
    SignerNotPerformer,
)
from treatments.models import Administration, AdministrationAmendment
from treatments.models.signatures import Amendment, SignatureMeaning
from treatments.services.administrations import (
    DERIVED_FIELDS,
    check_clinical_values,
    observation_end_after_correction,
    refuse_uncorrectable,
    refuse_unless_draft,
)


def confirm_signer(
    *, actor: Any, password: str, request: HttpRequest | None = None
) -> None:
    """The signer re-entered their own password and is an active clinician.
    Raises SignaturePasswordInvalid (400), SignerLockedOut or SignerNotClinician
    (403).

    With the HTTP `request` (API and admin pass it), the password goes through
    Django's authenticate(), so a wrong one counts towards the login lockout
    (django-axes, by username) and a locked-out user cannot sign either.
    Called before any transaction opens: password hashing is deliberately slow.
    """
    if request is not None:
        confirmed = authenticate(
            request, username=actor.get_username(), password=password
        )
        if getattr(request, "axes_locked_out", False):
            raise SignerLockedOut(
                "Too many wrong passwords for this user; signing is locked for"
                " now. Try again later or ask a manager."
            )
        correct = confirmed is not None and confirmed.pk == actor.pk
    else:
        correct = bool(password) and actor.check_password(password)
    if not correct:
        raise SignaturePasswordInvalid.for_field(
            "password", "The password does not match the signer's."
        )
    if not has_role(actor, Role.CLINICIAN):
        raise SignerNotClinician("Only an active clinician can sign clinical records.")


def apply_signature(record: Any, *, actor: Any, meaning: str, now: datetime) -> None:
    """Sign a locked draft record (any SignedRecordMixin model): signer, time,
    meaning, the current digest scheme and the digest; checked and saved."""
    record.status = type(record).Status.SIGNED
    record.signed_by = actor
    record.signed_at = now
    record.signature_meaning = meaning
    record.signature_scheme = type(record).DIGEST_SCHEME
    record.signature_digest = record.compute_digest()
    record.full_clean()
    audited_save(record, actor=actor, reason=f"signed ({meaning})")


def converted_changes(record: Any, changes: dict[str, Any]) -> dict[str, Any]:
    """Raw correction values as the model fields clean them (ValidationError
    naming each bad field)."""
    values, errors = {}, {}
    for name, raw in changes.items():
        field = record._meta.get_field(name)
        try:
            values[name] = field.clean(raw, record)
        except ValidationError as exc:
            errors[name] = exc.messages
    if errors:
        raise ValidationError(errors)
    return values


def amendment_diff(
    before: Any, after: Any, names: tuple[str, ...]
) -> dict[str, list[Any]]:
    """{field: [old, new]} in canonical form for the fields that changed;
    refuses an amendment that changes nothing."""
    diff = {}
    for name in names:
        field = type(before)._meta.get_field(name)
        old = canonical_value(field, getattr(before, name))
        new = canonical_value(field, getattr(after, name))
        if old != new:
            diff[name] = [old, new]
    if not diff:
        raise AmendmentChangesNothing(
            "The amendment changes nothing.",
            errors={"changes": ["Give at least one new value."]},
        )
    return diff


def chain_amendment(
    *,
    record: Any,
    amendment_model: type[Amendment],
    actor: Any,
    reason: str,
    diff: dict[str, list[Any]],
    now: datetime,
) -> Amendment:
    """Save an amendment of a locked signed record, its digest chained to the
    previous amendment's (or to the signature)."""
    previous = record.amendments.order_by("amended_at", "id").last()
    amendment = amendment_model(
        **{amendment_model.RECORD_FIELD: record},
        amended_by=actor,
        amended_at=now,
        reason=reason,
        changes=diff,
        previous_digest=previous.digest if previous else record.signature_digest,
    )
    amendment.digest = amendment.compute_digest()
    amendment.full_clean()
    audited_save(amendment, actor=actor, reason=reason)
    return amendment


def _lock(administration: Administration) -> Administration:
    return lock(Administration.objects.select_related("lot"), administration.pk)


def administration_sign(
    *,
    administration: Administration,
    actor: Any,
    password: str,
    request: HttpRequest | None = None,
    meaning: str,
    now: datetime | None = None,
) -> Administration:
    """Sign a draft: records signer, time, meaning and the SHA-256 digest of the
    record as signed, and locks it. Raises SignaturePasswordInvalid,
    SignerNotClinician, SignerNotPerformer (only the administrator attests
    'performed'), InfusionTimesRequired, RecordSigned/RecordEnteredInError (409).
    """
    now = now or timezone.now()
    confirm_signer(actor=actor, password=password, request=request)
    with transaction.atomic():
        administration = _lock(administration)
        refuse_unless_draft(administration)
        if (
            meaning == SignatureMeaning.PERFORMED
            and administration.administered_by_id != actor.pk
        ):
            raise SignerNotPerformer.for_field(
                "meaning",
                "Only the person who gave the dose can sign it as performed;"
                " sign as reviewed instead.",
            )
        if administration.route == Route.INTRAVENOUS and (
            administration.infusion_started_at is None
            or administration.infusion_ended_at is None
        ):
            raise InfusionTimesRequired(
                "An intravenous administration needs its infusion start and end"
                " before it is signed.",
                errors={
                    name: ["Required before signing."]
                    for name in ("infusion_started_at", "infusion_ended_at")
                    if getattr(administration, name) is None
                },
            )
        apply_signature(administration, actor=actor, meaning=meaning, now=now)
    return administration


def administration_amend(
    *,
    administration: Administration,
    actor: Any,
    password: str,
    request: HttpRequest | None = None,
    reason: str,
    changes: dict[str, Any],
    now: datetime | None = None,
) -> AdministrationAmendment:
    """Correct a signed administration without touching the signed row: an
    amendment keeps who, when, why and {field: [old, new]}, with a digest
    chained to the previous one. Raises SignaturePasswordInvalid,
    SignerNotClinician, ReasonRequired, FieldNotCorrectable,
    AmendmentChangesNothing, the clinical-value gates, RecordNotSigned /
    RecordEnteredInError (409)."""
    now = now or timezone.now()
    reason = reason.strip()
    confirm_signer(actor=actor, password=password, request=request)
    if not reason:
        raise ReasonRequired.for_field("reason", "Say why the record is amended.")
    refuse_uncorrectable(changes)
    with transaction.atomic():
        administration = _lock(administration)
        if administration.status == Administration.Status.DRAFT:
            raise RecordNotSigned(
                "A draft is edited directly; only signed records are amended."
            )
        if administration.status == Administration.Status.ENTERED_IN_ERROR:
            raise RecordEnteredInError(
                "This administration was marked entered-in-error and cannot change."
            )
        before = administration.as_amended()
        after = copy.copy(before)
        for name, value in converted_changes(before, changes).items():
            setattr(after, name, value)
        check_clinical_values(after, lot=administration.lot)
        after.particle_count = dosing.particle_count(
            particles_per_ml=administration.lot.particles_per_ml,
            dose_volume_ml=after.dose_volume_ml,
        )
        after.observation_ends_at = observation_end_after_correction(before, after)
        diff = amendment_diff(
            before, after, (*Administration.CORRECTABLE_FIELDS, *DERIVED_FIELDS)
        )
        amendment = chain_amendment(
            record=administration,
            amendment_model=AdministrationAmendment,
            actor=actor,
            reason=reason,
            diff=diff,
            now=now,
        )
    return amendment


@transaction.atomic
def administration_mark_entered_in_error(
    *,
    administration: Administration,
    actor: Any,
    reason: str,
    now: datetime | None = None,
) -> Administration:
    """Mark a draft or signed record entered-in-error with a reason; it stays
    readable and its signature stays verifiable. Raises ReasonRequired,
    RecordEnteredInError (409). Vials are not put back: a manager reconciles
    physical stock with a ledger movement."""
    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise ReasonRequired.for_field(
            "reason", "Say why the record was entered in error."
        )
    administration = _lock(administration)
    if administration.status == Administration.Status.ENTERED_IN_ERROR:
        raise RecordEnteredInError("This record is already marked entered-in-error.")
    administration.status = Administration.Status.ENTERED_IN_ERROR
    administration.entered_in_error_reason = reason
    administration.entered_in_error_at = now
    administration.entered_in_error_by = actor
    administration.full_clean()
    audited_save(administration, actor=actor, reason=f"entered in error: {reason}")
    return administration
