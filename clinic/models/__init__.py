from clinic.core.idempotency import IdempotencyRecord
from clinic.core.tokens import ApiToken
from clinic.models.appointments import (
    Appointment,
    AppointmentStatusChange,
    AppointmentType,
)
from clinic.models.locations import Location
from clinic.models.practitioners import (
    Practitioner,
    ScheduleException,
    Weekday,
    WorkingHours,
)
from clinic.models.rooms import Room

__all__ = [
    "ApiToken",
    "Appointment",
    "AppointmentStatusChange",
    "AppointmentType",
    "IdempotencyRecord",
    "Location",
    "Practitioner",
    "Room",
    "ScheduleException",
    "Weekday",
    "WorkingHours",
]
