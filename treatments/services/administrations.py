"""An administration's lifecycle: recorded as a draft (every gate in one
place, and the vials taken from stock in the same transaction), edited while
a draft, signed, amended, or marked entered-in-error. The steps it shares with
every signed record are in treatments/services/signing.py."""

import copy
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Unpack, cast

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clinic.core.audit import audited_save
from clinic.core.codes import ROUTE_SNOMED, ROUTES_NEEDING_BODY_SITE, Indication, Route
from clinic.core.dates import refuse_dates_out_of_range
from clinic.core.locking import lock
from clinic.core.users import User
from clinic.models import Appointment, Practitioner
from patients.models import Patient
from patients.services import consent_find_valid
from treatments import dosing
from treatments.errors import (
    AdministeredInFuture,
    AdministratorNotActivePractitioner,
    AppointmentNotInProgress,
    AppointmentOtherPatient,
    BodySiteRequired,
    DoseExceedsVials,
    DoseNotPositive,
    IndicationDetailRequired,
    InfusionEndsBeforeStart,
    InfusionOnlyIntravenous,
    InfusionRateNotPositive,
    InfusionTimesRequired,
    LotExpired,
    LotNotReleased,
    LotRecalled,
    NoValidConsent,
    PatientInactive,
    RouteNotAllowed,
    SignerNotPerformer,
    VialsNotPositive,
)
from treatments.models import (
    Administration,
    AdministrationAmendment,
    Lot,
    StockMovement,
)
from treatments.models.signatures import SignatureMeaning
from treatments.services import signing
from treatments.services.lots import lot_lock
from treatments.services.stock import stock_take

# Recomputed whenever what they derive from is corrected; never set directly.
DERIVED_FIELDS = ("particle_count", "observation_ends_at")

# Patient, lot, route, indication, vials, time and appointment decide consent
# and stock (see Administration.CORRECTABLE_FIELDS).
NOT_CORRECTABLE = (
    "This field decides consent and stock; mark the record entered-in-error and"
    " record it again."
)


def observation_end(values: Any) -> datetime:
    """When observation after the dose ends: the end of the infusion if there
    is one, else the administration time, plus the appointment type's
    observation minutes (DEFAULT_OBSERVATION_MINUTES without an appointment)."""
    if values.appointment_id is None:
        minutes = settings.DEFAULT_OBSERVATION_MINUTES
    else:
        minutes = values.appointment.type.observation_minutes
    return observation_end_from(
        administered_at=values.administered_at,
        infusion_ended_at=values.infusion_ended_at,
        observation_minutes=minutes,
    )


def observation_end_from(
    *,
    administered_at: datetime,
    infusion_ended_at: datetime | None,
    observation_minutes: int,
) -> datetime:
    """The arithmetic of observation_end, for callers that already know the
    minutes (the scale seeder): no query, no setting."""
    return (infusion_ended_at or administered_at) + timedelta(
        minutes=observation_minutes
    )


def observation_end_after_correction(before: Any, after: Any) -> datetime:
    """The observation end moved by as much as a correction moved the end of
    the dose: the observation period fixed at recording stays (a later change
    of DEFAULT_OBSERVATION_MINUTES or of the type must not rewrite it)."""
    moved = (after.infusion_ended_at or after.administered_at) - (
        before.infusion_ended_at or before.administered_at
    )
    ends_at: datetime = before.observation_ends_at + moved
    return ends_at


def is_active_practitioner(user: Any) -> bool:
    """An active user with an active Practitioner profile (roles alone do not
    make someone a practitioner)."""
    return (
        user is not None
        and user.is_active
        and Practitioner.objects.filter(user_id=user.pk, active=True).exists()
    )


def check_clinical_values(values: Any, *, lot: Lot) -> None:
    """The single-record rules shared by recording, draft edits and amendments:
    dose, vials, body site, indication detail and infusion fields.

    `values` is an Administration (saved, draft or an amended copy).
    """
    if values.dose_volume_ml is None or values.dose_volume_ml <= 0:
        raise DoseNotPositive.for_field(
            "dose_volume_ml", "The dose volume must be more than 0 mL."
        )
    if values.vials_used is None or values.vials_used <= 0:
        raise VialsNotPositive.for_field(
            "vials_used", "At least one vial must be used."
        )
    available = dosing.volume_in_vials_ml(
        vials=values.vials_used, vial_volume_ml=lot.vial_volume_ml
    )
    if values.dose_volume_ml > available:
        raise DoseExceedsVials.for_field(
            "dose_volume_ml",
            f"{values.vials_used} vial(s) of {lot.vial_volume_ml} mL hold"
            f" {available} mL, less than the dose.",
        )
    if values.route in ROUTES_NEEDING_BODY_SITE and not values.body_site.strip():
        raise BodySiteRequired.for_field(
            "body_site", f"Say where on the body the {values.route} dose went."
        )
    if values.indication == Indication.OTHER and not values.indication_detail.strip():
        raise IndicationDetailRequired.for_field(
            "indication_detail", "Describe the indication when it is 'other'."
        )
    infusion = {
        "infusion_started_at": values.infusion_started_at,
        "infusion_ended_at": values.infusion_ended_at,
        "infusion_rate_ml_per_h": values.infusion_rate_ml_per_h,
    }
    given = [name for name, value in infusion.items() if value is not None]
    if given and values.route != Route.INTRAVENOUS:
        raise InfusionOnlyIntravenous.for_field(
            given[0], "Infusion times and rate apply to intravenous doses only."
        )
    started, ended = values.infusion_started_at, values.infusion_ended_at
    if ended is not None and (started is None or ended <= started):
        raise InfusionEndsBeforeStart.for_field(
            "infusion_ended_at", "An infusion ends after it starts."
        )
    rate = values.infusion_rate_ml_per_h
    if rate is not None and rate <= 0:
        raise InfusionRateNotPositive.for_field(
            "infusion_rate_ml_per_h", "The infusion rate must be more than 0 mL/h."
        )


@transaction.atomic
def administration_record(
    *,
    patient: Patient,
    lot: Lot,
    route: str,
    indication: str,
    dose_volume_ml: Decimal,
    vials_used: int,
    administered_at: datetime,
    administered_by: Any,
    actor: User,
    body_site: str = "",
    indication_detail: str = "",
    infusion_started_at: datetime | None = None,
    infusion_ended_at: datetime | None = None,
    infusion_rate_ml_per_h: Decimal | None = None,
    notes: str = "",
    appointment: Appointment | None = None,
    now: datetime | None = None,
) -> Administration:
    """Record a draft administration and take its vials from the lot, or refuse
    with the RuleViolation naming the first gate it fails, writing nothing.

    Gates: time not in the future; patient active; administrator an active
    practitioner; appointment (if given) the patient's and in progress or
    completed; dose, vials, body site, indication, infusion values (see
    check_clinical_values); lot released, not recalled, not expired on the day;
    route allowed for the product; vials on hand; a valid consent for patient,
    route, indication and product at that time.
    """
    now = now or timezone.now()
    # Before the local date and the observation end are worked out from them.
    refuse_dates_out_of_range(
        administered_at=administered_at,
        infusion_started_at=infusion_started_at,
        infusion_ended_at=infusion_ended_at,
    )
    if administered_at > now:
        raise AdministeredInFuture.for_field(
            "administered_at", "An administration cannot be recorded in the future."
        )
    # Appointment, patient, lot: the project's lock order (clinic.core.locking).
    # The appointment lock keeps its status from moving under the check; the
    # patient lock keeps a deactivation out; the lot lock serialises status
    # changes and every take of its vials.
    if appointment is not None:
        appointment = lock(Appointment.objects.select_related("type"), appointment.pk)
    patient = lock(Patient, patient.pk)
    lot = lot_lock(lot.pk)
    if not patient.active:
        raise PatientInactive.for_field(
            "patient", "The patient is deactivated and cannot be treated."
        )
    if not is_active_practitioner(administered_by):
        raise AdministratorNotActivePractitioner.for_field(
            "administered_by",
            "Only an active practitioner can be recorded as giving a dose.",
        )
    if appointment is not None:
        if appointment.patient_id != patient.pk:
            raise AppointmentOtherPatient.for_field(
                "appointment", "The appointment is another patient's."
            )
        if appointment.status not in (
            Appointment.Status.IN_PROGRESS,
            Appointment.Status.COMPLETED,
        ):
            raise AppointmentNotInProgress.for_field(
                "appointment",
                f"The appointment is {appointment.get_status_display().lower()};"
                " a dose is given in an appointment in progress or completed.",
            )
    administration = Administration(
        patient=patient,
        lot=lot,
        route=route,
        route_snomed=ROUTE_SNOMED.get(route, ""),
        body_site=body_site.strip(),
        dose_volume_ml=dose_volume_ml,
        vials_used=vials_used,
        administered_at=administered_at,
        administered_by=administered_by,
        infusion_started_at=infusion_started_at,
        infusion_ended_at=infusion_ended_at,
        infusion_rate_ml_per_h=infusion_rate_ml_per_h,
        indication=indication,
        indication_detail=indication_detail.strip(),
        notes=notes,
        appointment=appointment,
        created_by=actor,
    )
    check_clinical_values(administration, lot=lot)
    if lot.status == Lot.Status.RECALLED:
        raise LotRecalled.for_field("lot", f"Lot {lot.lot_number} has been recalled.")
    if lot.status != Lot.Status.RELEASED:
        raise LotNotReleased.for_field(
            "lot", f"Lot {lot.lot_number} is {lot.status}, not released."
        )
    day = timezone.localdate(administered_at)
    if lot.is_expired(on=day):
        raise LotExpired.for_field(
            "lot", f"Lot {lot.lot_number} expired on {lot.expires_on:%Y-%m-%d}."
        )
    if not lot.product.allows_route(route):
        raise RouteNotAllowed.for_field(
            "route", f"{lot.product.name} may not be given by the {route} route."
        )
    stock_take(lot=lot, vials=vials_used, field="vials_used")
    consent = consent_find_valid(
        patient=patient,
        route=route,
        indication=indication,
        product=lot.product,
        at=administered_at,
    )
    if consent is None:
        raise NoValidConsent.for_field(
            "patient",
            "The patient has no valid consent for this product, route and"
            " indication at that time.",
        )
    administration.consent = consent
    administration.particle_count = dosing.particle_count(
        particles_per_ml=lot.particles_per_ml, dose_volume_ml=dose_volume_ml
    )
    administration.observation_ends_at = observation_end(administration)
    administration.full_clean()
    audited_save(administration, actor=actor)
    movement = StockMovement(
        lot=lot,
        kind=StockMovement.Kind.ADMINISTERED,
        vials=-vials_used,
        at=administered_at,
        by=actor,
        administration=administration,
    )
    movement.full_clean()
    audited_save(movement, actor=actor)
    return administration


def _locked(administration: Administration) -> Administration:
    # With its lot: the particle count follows the lot's concentration.
    locked: Administration = lock(
        Administration.objects.select_related("lot"), administration.pk
    )
    return locked


def _check_and_derive(
    before: Administration, after: Administration, _now: datetime | None = None
) -> None:
    """The clinical values of an edited draft or an amended copy, then what
    derives from them: particle count, and the observation end moved with
    the end of the dose."""
    check_clinical_values(after, lot=before.lot)
    after.particle_count = dosing.particle_count(
        particles_per_ml=before.lot.particles_per_ml,
        dose_volume_ml=after.dose_volume_ml,
    )
    after.observation_ends_at = observation_end_after_correction(before, after)


@transaction.atomic
def administration_update(
    *, administration: Administration, actor: User, changes: dict[str, Any]
) -> Administration:
    """Edit a draft's correctable fields (particle count follows the dose).
    Raises RecordSigned / RecordEnteredInError (409), FieldNotCorrectable and
    the clinical-value gates of administration_record."""
    signing.refuse_uncorrectable(Administration, changes, detail=NOT_CORRECTABLE)
    # Before the observation end is moved by as much as the infusion end.
    refuse_dates_out_of_range(**changes)
    administration = _locked(administration)
    signing.refuse_unless_draft(administration)
    before = copy.copy(administration)
    for name, value in changes.items():
        setattr(administration, name, value)
    _check_and_derive(before, administration)
    administration.full_clean()
    audited_save(administration, actor=actor)
    return administration


def _check_signable(administration: Administration, actor: User, meaning: str) -> None:
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


def administration_sign(
    *, administration: Administration, **signature: Unpack[signing.SignArgs]
) -> Administration:
    """Sign a draft: records signer, time, meaning and the SHA-256 digest of the
    record as signed, and locks it. Raises SignaturePasswordInvalid,
    SignerNotClinician, SignerNotPerformer (only the administrator attests
    'performed'), InfusionTimesRequired, RecordSigned/RecordEnteredInError (409).
    """
    return signing.sign_record(
        administration, locked=_locked, check=_check_signable, **signature
    )


def administration_amend(
    *, administration: Administration, **amendment: Unpack[signing.AmendArgs]
) -> AdministrationAmendment:
    """Correct a signed administration without touching the signed row: an
    amendment keeps who, when, why and {field: [old, new]}, with a digest
    chained to the previous one. Raises SignaturePasswordInvalid,
    SignerNotClinician, ReasonRequired, FieldNotCorrectable,
    AmendmentChangesNothing, the clinical-value gates, RecordNotSigned /
    RecordEnteredInError (409)."""
    # A row of the record's `amendments` model, which is this one.
    return cast(
        AdministrationAmendment,
        signing.amend_record(
            administration,
            locked=_locked,
            correct=_check_and_derive,
            fields=(*Administration.CORRECTABLE_FIELDS, *DERIVED_FIELDS),
            not_correctable=NOT_CORRECTABLE,
            **amendment,
        ),
    )


def administration_mark_entered_in_error(
    *, administration: Administration, **marking: Unpack[signing.MarkArgs]
) -> Administration:
    """Mark a draft or signed record entered-in-error with a reason; it stays
    readable and its signature stays verifiable. Raises ReasonRequired,
    RecordEnteredInError (409). Vials are not put back: a manager reconciles
    physical stock with a ledger movement."""
    return signing.mark_entered_in_error(administration, locked=_locked, **marking)


# How the admin and the API reach the services above.
ADMINISTRATION_LIFECYCLE = signing.Lifecycle(
    "administration",
    update=administration_update,
    sign=administration_sign,
    amend=administration_amend,
    mark_entered_in_error=administration_mark_entered_in_error,
)
