import uuid
from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from clinic.core.audit import NoDeleteModel
from clinic.core.dates import validate_stored_date_in_range
from clinic.models.practitioners import Practitioner
from clinic.models.rooms import Room
from clinic.querysets import (
    INACTIVE_APPOINTMENT_STATUSES,
    MAX_HOLD,
    AppointmentQuerySet,
)

MAX_APPOINTMENT_LENGTH = timedelta(hours=12)


class AppointmentType(models.Model):
    """What is booked: how long it takes, where, and what it blocks afterwards."""

    name = models.CharField(max_length=100, unique=True)
    default_duration_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(720)]
    )
    room_kind = models.CharField(max_length=20, choices=Room.Kind.choices)
    buffer_after_minutes = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(240)],
        help_text="Room and practitioner stay blocked this long after.",
    )
    observation_minutes = models.PositiveSmallIntegerField(
        default=0,
        help_text="Observation after an administration; part of the visit, so"
        " at most the default duration.",
    )
    max_parallel = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1)],
        help_text="How many appointments of this type one practitioner may"
        " supervise at once (e.g. 4 infusion chairs).",
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    default_duration_minutes__gte=1, default_duration_minutes__lte=720
                ),
                name="appointment_type_duration_1_to_720_minutes",
            ),
            models.CheckConstraint(
                condition=models.Q(max_parallel__gte=1),
                name="appointment_type_max_parallel_at_least_1",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    observation_minutes__lte=models.F("default_duration_minutes")
                ),
                name="appointment_type_observation_within_visit",
            ),
            models.CheckConstraint(
                condition=models.Q(buffer_after_minutes__lte=240),
                name="appointment_type_buffer_at_most_4_hours",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        duration, observation = self.default_duration_minutes, self.observation_minutes
        if duration is not None and observation is not None and observation > duration:
            raise ValidationError(
                {
                    "observation_minutes": "Observation is part of the visit: at most"
                    " the default duration."
                }
            )

    @property
    def default_duration(self) -> timedelta:
        return timedelta(minutes=self.default_duration_minutes)

    @property
    def buffer_after(self) -> timedelta:
        return timedelta(minutes=self.buffer_after_minutes)


class Appointment(NoDeleteModel):
    """A patient booked with a practitioner in a room. A clinical record: it is
    cancelled or marked no-show, never deleted. Writes go through
    clinic.services.appointments, which keeps rooms, patients and practitioners
    from being double-booked."""

    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        CHECKED_IN = "checked_in", "Checked in"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        NO_SHOW = "no_show", "No-show"

    # The only legal status changes (docs/product.md, "Scheduling").
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.BOOKED: frozenset({Status.CHECKED_IN, Status.CANCELLED, Status.NO_SHOW}),
        Status.CHECKED_IN: frozenset(
            {Status.IN_PROGRESS, Status.CANCELLED, Status.NO_SHOW}
        ),
        Status.IN_PROGRESS: frozenset({Status.COMPLETED}),
        Status.COMPLETED: frozenset(),
        Status.CANCELLED: frozenset(),
        Status.NO_SHOW: frozenset(),
    }
    INACTIVE_STATUSES = INACTIVE_APPOINTMENT_STATUSES
    MOVABLE_STATUSES = (Status.BOOKED, Status.CHECKED_IN)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="appointments"
    )
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.PROTECT, related_name="appointments"
    )
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, related_name="appointments"
    )
    type = models.ForeignKey(
        AppointmentType, on_delete=models.PROTECT, related_name="appointments"
    )
    starts_at = models.DateTimeField(validators=[validate_stored_date_in_range])
    ends_at = models.DateTimeField(validators=[validate_stored_date_in_range])
    # ends_at plus the type's buffer when booked: what room, patient and
    # practitioner are held for. Stored so the database can enforce exclusivity.
    blocks_until = models.DateTimeField(editable=False)
    status = models.CharField(
        max_length=11, choices=Status.choices, default=Status.BOOKED, editable=False
    )
    notes = models.TextField(blank=True)
    cancellation_reason = models.TextField(blank=True, editable=False)
    override_reason = models.TextField(
        blank=True,
        help_text="A manager's reason for booking outside working hours.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    # Managers are ClassVars to django-stubs; this one replaces the base's.
    objects: ClassVar = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["starts_at"], name="appointment_starts_idx"),
            models.Index(fields=["room", "starts_at"], name="appointment_room_idx"),
            models.Index(
                fields=["practitioner", "starts_at"], name="appointment_pract_idx"
            ),
            models.Index(
                fields=["patient", "starts_at"], name="appointment_patient_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="appointment_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    ends_at__lte=models.F("starts_at") + MAX_APPOINTMENT_LENGTH
                ),
                name="appointment_at_most_12_hours",
            ),
            models.CheckConstraint(
                condition=models.Q(blocks_until__gte=models.F("ends_at")),
                name="appointment_blocks_until_not_before_end",
            ),
            # 12 h at most plus a buffer of 4 h at most; `blocking` relies on it.
            models.CheckConstraint(
                condition=models.Q(blocks_until__lte=models.F("starts_at") + MAX_HOLD),
                name="appointment_blocks_at_most_16_hours",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    status__in=[
                        "booked",
                        "checked_in",
                        "in_progress",
                        "completed",
                        "cancelled",
                        "no_show",
                    ]
                ),
                name="appointment_status_is_known",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="cancelled")
                | ~models.Q(cancellation_reason=""),
                name="appointment_cancelled_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.type} {self.starts_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"
        )

    @property
    def is_active(self) -> bool:
        return self.status not in self.INACTIVE_STATUSES

    @property
    def is_movable(self) -> bool:
        return self.status in self.MOVABLE_STATUSES

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.status]


class AppointmentStatusChange(NoDeleteModel):
    """One entry of an appointment's status history: who, when, from, to, why.
    The booking itself is the first entry (from empty to booked)."""

    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, related_name="status_changes"
    )
    from_status = models.CharField(
        max_length=11, choices=Appointment.Status.choices, blank=True
    )
    to_status = models.CharField(max_length=11, choices=Appointment.Status.choices)
    at = models.DateTimeField(validators=[validate_stored_date_in_range])
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(from_status=models.F("to_status")),
                name="appointment_status_change_changes_status",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.from_status or '-'} -> {self.to_status} at {self.at:%Y-%m-%d %H:%M}"
        )
