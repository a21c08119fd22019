"""Reusable read-only filters of the clinic's calendar. Never writes."""

from datetime import datetime

from clinic.audit import NoDeleteQuerySet

# Appointments in these statuses no longer hold their room, patient or practitioner.
INACTIVE_APPOINTMENT_STATUSES = ("cancelled", "no_show")


class AppointmentQuerySet(NoDeleteQuerySet):
    def active(self) -> "AppointmentQuerySet":
        return self.exclude(status__in=INACTIVE_APPOINTMENT_STATUSES)

    def blocking(self, starts_at: datetime, until: datetime) -> "AppointmentQuerySet":
        """Rows whose [starts_at, blocks_until) meets [starts_at, until)."""
        return self.filter(starts_at__lt=until, blocks_until__gt=starts_at)
