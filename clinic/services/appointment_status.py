"""Status changes of appointments, along the only legal transitions
(docs/product.md, "Scheduling"): booked -> checked in -> in progress ->
completed; booked or checked in -> cancelled (with a reason) or no-show. Each
change is kept with who, when, why."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from clinic.core.audit import audited_save
from clinic.core.locking import lock
from clinic.core.users import User
from clinic.errors import (
    IllegalStatusTransition,
    NoShowBeforeStart,
    ReasonRequired,
)
from clinic.models import Appointment
from clinic.services.appointments import record_status_change
from clinic.services.editing import clean_own_fields

Status = Appointment.Status


def appointment_change_status(
    *,
    appointment: Appointment,
    to_status: str,
    actor: User,
    reason: str = "",
    now: datetime | None = None,
) -> Appointment:
    """Move the appointment to `to_status` and record the change. Raises
    IllegalStatusTransition (409), ReasonRequired (400, cancelling without a
    reason), NoShowBeforeStart (400, no-show before the start time)."""
    now = now or timezone.now()
    reason = reason.strip()
    with transaction.atomic():
        # Two desks pressing buttons at once must not both pass the check.
        current = lock(Appointment, appointment.pk)
        if not current.can_become(to_status):
            message = (
                f"A {current.get_status_display().lower()} appointment cannot become"
                f" {Status(to_status).label.lower()}."
            )
            raise IllegalStatusTransition(message, errors={"status": [message]})
        if to_status == Status.CANCELLED and not reason:
            raise ReasonRequired.for_field("reason", "Say why it is cancelled.")
        if to_status == Status.NO_SHOW and now < current.starts_at:
            raise NoShowBeforeStart.for_field(
                "status", "A patient can only miss an appointment once it has begun."
            )
        from_status = current.status
        current.status = to_status
        if to_status == Status.CANCELLED:
            current.cancellation_reason = reason
        clean_own_fields(current)
        audited_save(current, actor=actor, reason=reason)
        record_status_change(
            current, from_status=from_status, actor=actor, at=now, reason=reason
        )
    return current


def appointment_check_in(
    *,
    appointment: Appointment,
    actor: User,
    reason: str = "",
    now: datetime | None = None,
) -> Appointment:
    """The patient has arrived (booked -> checked in)."""
    return appointment_change_status(
        appointment=appointment,
        to_status=Status.CHECKED_IN,
        actor=actor,
        reason=reason,
        now=now,
    )


def appointment_start(
    *,
    appointment: Appointment,
    actor: User,
    reason: str = "",
    now: datetime | None = None,
) -> Appointment:
    """The practitioner has begun (checked in -> in progress)."""
    return appointment_change_status(
        appointment=appointment,
        to_status=Status.IN_PROGRESS,
        actor=actor,
        reason=reason,
        now=now,
    )


def appointment_complete(
    *,
    appointment: Appointment,
    actor: User,
    reason: str = "",
    now: datetime | None = None,
) -> Appointment:
    """The visit is over (in progress -> completed)."""
    return appointment_change_status(
        appointment=appointment,
        to_status=Status.COMPLETED,
        actor=actor,
        reason=reason,
        now=now,
    )


def appointment_cancel(
    *,
    appointment: Appointment,
    actor: User,
    reason: str = "",
    now: datetime | None = None,
) -> Appointment:
    """Cancel with a reason (booked or checked in); frees the time."""
    return appointment_change_status(
        appointment=appointment,
        to_status=Status.CANCELLED,
        actor=actor,
        reason=reason,
        now=now,
    )


def appointment_mark_no_show(
    *,
    appointment: Appointment,
    actor: User,
    reason: str = "",
    now: datetime | None = None,
) -> Appointment:
    """The patient did not come (booked or checked in, once begun); frees the time."""
    return appointment_change_status(
        appointment=appointment,
        to_status=Status.NO_SHOW,
        actor=actor,
        reason=reason,
        now=now,
    )
