"""Errors the calendar services raise. Their codes are part of the API contract."""

# Shared errors, raised here too (re-exported: `X as X`).
from clinic.core.errors import (
    Conflict as Conflict,
)
from clinic.core.errors import (
    NotPermitted as NotPermitted,
)
from clinic.core.errors import (
    ReasonRequired as ReasonRequired,
)
from clinic.core.errors import (
    RuleViolation as RuleViolation,
)


class BookingCollision(Conflict):
    """Room, patient or practitioner already held; `extra["collisions"]` lists all."""

    code = "booking_collision"


class IllegalStatusTransition(Conflict):
    code = "illegal_status_transition"


class LeaveOverlapsAppointments(Conflict):
    code = "leave_overlaps_appointments"


class HoursStrandAppointments(Conflict):
    """`extra["appointments"]` lists the bookings the change would strand."""

    code = "hours_strand_appointments"


class InvalidTimeRange(RuleViolation):
    code = "invalid_time_range"


class InvalidDuration(RuleViolation):
    code = "invalid_duration"


class StartsInPast(RuleViolation):
    code = "starts_in_past"


class OutsideWorkingHours(RuleViolation):
    code = "outside_working_hours"


class PractitionerNotAtLocation(RuleViolation):
    code = "practitioner_not_at_location"


class RoomAtOtherLocation(RuleViolation):
    code = "room_at_other_location"


class WrongRoomKind(RuleViolation):
    code = "wrong_room_kind"


class PractitionerInactive(RuleViolation):
    code = "practitioner_inactive"


class RoomInactive(RuleViolation):
    code = "room_inactive"


class AppointmentTypeInactive(RuleViolation):
    code = "appointment_type_inactive"


class AppointmentNotMovable(RuleViolation):
    code = "appointment_not_movable"


class NoShowBeforeStart(RuleViolation):
    code = "no_show_before_start"


class OverrideNotPermitted(NotPermitted):
    code = "override_not_permitted"


class WorkingHoursOverlap(RuleViolation):
    code = "working_hours_overlap"


class PractitionerNotStaff(RuleViolation):
    code = "practitioner_not_staff"
