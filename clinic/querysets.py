"""Reusable read-only filters of the clinic's calendar. Never writes."""

from datetime import datetime, timedelta

from clinic.core.audit import NoDeleteQuerySet

# Appointments in these statuses no longer hold their room, patient or practitioner.
INACTIVE_APPOINTMENT_STATUSES = ("cancelled", "no_show")
# The longest an appointment holds its room: 12 hours plus a 4-hour buffer
# (constraint appointment_blocks_at_most_16_hours). It gives `blocking` a
# lower bound on starts_at, so an index range scan replaces a scan of all
# history before the span.
MAX_HOLD = timedelta(hours=16)


class AppointmentQuerySet(NoDeleteQuerySet):
    def active(self) -> "AppointmentQuerySet":
        return self.exclude(status__in=INACTIVE_APPOINTMENT_STATUSES)

    def blocking(self, starts_at: datetime, until: datetime) -> "AppointmentQuerySet":
        """Rows whose [starts_at, blocks_until) meets [starts_at, until)."""
        return self.filter(
            starts_at__lt=until,
            starts_at__gt=starts_at - MAX_HOLD,
            blocks_until__gt=starts_at,
        )
