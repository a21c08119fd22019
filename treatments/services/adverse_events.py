"""Adverse events: recorded, updated as the patient's outcome evolves, and
marked reported to the authority. Every write re-checks every rule of the
event; history keeps each version with who changed it."""

import datetime as dt
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from clinic.core.audit import audited_save
from clinic.core.dates import refuse_dates_out_of_range
from clinic.core.locking import lock
from clinic.core.users import User
from patients.models import Patient
from treatments.errors import (
    AdministrationEnteredInError,
    AdministrationOtherPatient,
    AlreadyReported,
    AwareBeforeOnset,
    AwareInFuture,
    FatalityInconsistent,
    FieldNotCorrectable,
    GradeOutOfRange,
    OnsetBeforeAdministration,
    OnsetInFuture,
    ReportedBeforeAware,
    ReportedInFuture,
    SeriousnessInconsistent,
)
from treatments.models import Administration, AdverseEvent

# What an update may change. The administration (and so the patient and the
# suspect lot) says which event this is; the report date is set once, by
# adverse_event_mark_reported.
UPDATABLE_FIELDS = (
    "onset_at",
    "aware_on",
    "description",
    "grade",
    "serious",
    *AdverseEvent.CRITERIA,
    "outcome",
    "relatedness",
)
FATAL = AdverseEvent.Outcome.FATAL


def _check_fatality(event: AdverseEvent) -> None:
    """CTCAE grade 5 is death related to the event: grade 5, a fatal outcome
    and the death criterion come together, all or none."""
    fatal_signs = {
        "grade": event.grade == 5,
        "outcome": event.outcome == FATAL,
        "results_in_death": event.results_in_death,
    }
    if all(fatal_signs.values()) or not any(fatal_signs.values()):
        return
    wanted = {
        "grade": "Grade 5 (death related to the event).",
        "outcome": "Fatal.",
        "results_in_death": "True: the event resulted in death.",
    }
    given = ", ".join(name for name, sign in fatal_signs.items() if sign)
    raise FatalityInconsistent(
        f"A fatal event has grade 5, outcome fatal and the death criterion"
        f" together; only {given} say so.",
        errors={
            name: [f"Must be {wanted[name]}"]
            for name, sign in fatal_signs.items()
            if not sign
        },
    )


def _check_seriousness(event: AdverseEvent) -> None:
    criteria = event.criteria
    if event.serious and not criteria:
        raise SeriousnessInconsistent.for_field(
            "serious",
            "A serious event names at least one criterion (death,"
            " life-threatening, hospitalisation, disability, intervention).",
        )
    if not event.serious and criteria:
        message = "Meets a seriousness criterion, so the event is serious."
        raise SeriousnessInconsistent(
            message,
            errors={"serious": [message]}
            | {name: ["Only a serious event meets this."] for name in criteria},
        )


def check_event_values(event: AdverseEvent, *, now: datetime) -> None:
    """Every rule of one event, in the order a clinician would fix them:
    grade 1-5; onset not in the future and not before the administration;
    awareness not in the future and not before the onset's day; grade 5 /
    fatal / death together; serious iff a criterion; report date between
    awareness and today."""
    today = timezone.localdate(now)
    if event.grade is None or not 1 <= event.grade <= 5:
        raise GradeOutOfRange.for_field("grade", "The CTCAE grade is 1 to 5.")
    if event.onset_at > now:
        raise OnsetInFuture.for_field("onset_at", "The onset cannot be in the future.")
    if event.onset_at < event.administration.administered_at:
        raise OnsetBeforeAdministration.for_field(
            "onset_at", "The onset is after the administration it follows."
        )
    if event.aware_on > today:
        raise AwareInFuture.for_field(
            "aware_on", "The awareness date cannot be in the future."
        )
    if event.aware_on < timezone.localdate(event.onset_at):
        raise AwareBeforeOnset.for_field(
            "aware_on", "The clinic cannot become aware of an event before its onset."
        )
    _check_fatality(event)
    _check_seriousness(event)
    if event.reported_on is not None:
        if event.reported_on < event.aware_on:
            raise ReportedBeforeAware.for_field(
                "reported_on", "An event is reported on or after the awareness date."
            )
        if event.reported_on > today:
            raise ReportedInFuture.for_field(
                "reported_on", "The report date cannot be in the future."
            )


@transaction.atomic
def adverse_event_record(
    *,
    administration: Administration,
    onset_at: datetime,
    aware_on: dt.date,
    description: str,
    grade: int,
    outcome: str,
    relatedness: str,
    actor: User,
    serious: bool = False,
    results_in_death: bool = False,
    life_threatening: bool = False,
    hospitalisation: bool = False,
    disability: bool = False,
    intervention_required: bool = False,
    reported_on: dt.date | None = None,
    patient: Patient | None = None,
    now: datetime | None = None,
) -> AdverseEvent:
    """Record an adverse event after an administration; the patient is the
    administration's (a different `patient` is refused). Raises
    AdministrationOtherPatient, AdministrationEnteredInError and the rules of
    check_event_values (400), writing nothing."""
    now = now or timezone.now()
    # Before the onset's local date is worked out.
    refuse_dates_out_of_range(
        onset_at=onset_at, aware_on=aware_on, reported_on=reported_on
    )
    administration = lock(Administration, administration.pk)
    if patient is not None and patient.pk != administration.patient_id:
        raise AdministrationOtherPatient.for_field(
            "patient", "The administration is another patient's."
        )
    if administration.status == Administration.Status.ENTERED_IN_ERROR:
        raise AdministrationEnteredInError.for_field(
            "administration",
            "That administration was marked entered-in-error; report the event"
            " against the corrected record.",
        )
    event = AdverseEvent(
        patient_id=administration.patient_id,
        administration=administration,
        onset_at=onset_at,
        aware_on=aware_on,
        description=description,
        grade=grade,
        serious=serious,
        results_in_death=results_in_death,
        life_threatening=life_threatening,
        hospitalisation=hospitalisation,
        disability=disability,
        intervention_required=intervention_required,
        outcome=outcome,
        relatedness=relatedness,
        reported_on=reported_on,
        created_by=actor,
    )
    check_event_values(event, now=now)
    event.full_clean()
    audited_save(event, actor=actor)
    return event


def _lock(event: AdverseEvent) -> AdverseEvent:
    locked: AdverseEvent = lock(
        AdverseEvent.objects.select_related("administration"), event.pk
    )
    return locked


@transaction.atomic
def adverse_event_update(
    *,
    event: AdverseEvent,
    actor: User,
    changes: dict[str, Any],
    now: datetime | None = None,
) -> AdverseEvent:
    """Change an event as it evolves (outcome, grade, seriousness...); the
    whole event is re-checked as it would be after the change. Raises
    FieldNotCorrectable and the rules of check_event_values."""
    now = now or timezone.now()
    for name in changes:
        if name not in UPDATABLE_FIELDS:
            raise FieldNotCorrectable.for_field(
                name,
                "The administration is what the event is about; the report"
                " date is set by marking it reported."
                if name in ("administration", "patient", "reported_on")
                else "This field cannot be changed.",
            )
    refuse_dates_out_of_range(**changes)
    event = _lock(event)
    for name, value in changes.items():
        setattr(event, name, value)
    check_event_values(event, now=now)
    event.full_clean()
    audited_save(event, actor=actor)
    return event


@transaction.atomic
def adverse_event_mark_reported(
    *,
    event: AdverseEvent,
    actor: User,
    reported_on: dt.date,
    now: datetime | None = None,
) -> AdverseEvent:
    """Record the date the event was reported to the authority; it stops the
    report clock. Raises AlreadyReported (409), ReportedBeforeAware,
    ReportedInFuture (400)."""
    now = now or timezone.now()
    event = _lock(event)
    if event.reported_on is not None:
        raise AlreadyReported(
            f"This event was already reported on {event.reported_on:%Y-%m-%d}.",
            errors={"reported_on": ["Already set."]},
        )
    event.reported_on = reported_on
    check_event_values(event, now=now)
    event.full_clean()
    audited_save(event, actor=actor, reason=f"reported on {reported_on:%Y-%m-%d}")
    return event
