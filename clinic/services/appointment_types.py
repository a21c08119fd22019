from typing import Any

from django.db import transaction

from clinic.core.audit import audited_save
from clinic.core.users import User
from clinic.models import AppointmentType
from clinic.services.editing import apply_changes

_FIELDS = {
    "name",
    "default_duration_minutes",
    "room_kind",
    "buffer_after_minutes",
    "observation_minutes",
    "max_parallel",
    "active",
}


@transaction.atomic
def appointment_type_create(*, actor: User, **fields: Any) -> AppointmentType:
    """Create an appointment type; raises ValidationError (duration 1-720 minutes,
    observation within the visit, parallel limit at least 1, unique name)."""
    appointment_type = AppointmentType()
    return _save(appointment_type, fields, actor=actor)


@transaction.atomic
def appointment_type_update(
    *, appointment_type: AppointmentType, actor: User, **changes: Any
) -> AppointmentType:
    """Change a type. Booked appointments keep the times (and blocked buffer)
    they were booked with; the change applies to new bookings and moves."""
    return _save(appointment_type, changes, actor=actor)


def _save(
    appointment_type: AppointmentType, changes: dict[str, Any], *, actor: User
) -> AppointmentType:
    apply_changes(appointment_type, changes, allowed=_FIELDS)
    appointment_type.full_clean()
    audited_save(appointment_type, actor=actor)
    return appointment_type
