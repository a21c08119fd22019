from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from clinic.core.dates import validate_stored_date_in_range
from clinic.models.locations import Location


class Weekday(models.IntegerChoices):
    # Python's date.weekday() numbering, so no translation is ever needed.
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class Practitioner(models.Model):
    """The clinical profile of a staff user who can be booked."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="practitioner"
    )
    title = models.CharField(max_length=80, help_text="e.g. MD, RN, NP")
    licence_number = models.CharField(max_length=40)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["licence_number"], name="unique_practitioner_licence_number"
            ),
            models.CheckConstraint(
                condition=~models.Q(licence_number=""),
                name="practitioner_licence_number_not_blank",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.title}"

    @property
    def name(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class WorkingHours(models.Model):
    """One weekly block of a practitioner's time at a location, in local time."""

    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="working_hours"
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="working_hours"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField(help_text="Local time at the location.")
    end_time = models.TimeField(help_text="Local time at the location.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "working hours"
        ordering = ["practitioner_id", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="working_hours_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(weekday__gte=0, weekday__lte=6),
                name="working_hours_weekday_valid",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_weekday_display()} {self.start_time:%H:%M}-"
            f"{self.end_time:%H:%M}"
        )

    def clean(self) -> None:
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValidationError(
                {"end_time": "Must be after the start (overnight blocks: split them)."}
            )


class ScheduleException(models.Model):
    """A dated change to a practitioner's week: leave (whole or part of a day,
    at one location or everywhere) or extra hours at a location."""

    class Kind(models.TextChoices):
        LEAVE = "leave", "Leave"
        EXTRA_HOURS = "extra_hours", "Extra hours"

    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="schedule_exceptions"
    )
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        related_name="schedule_exceptions",
        null=True,
        blank=True,
        help_text="Empty for leave everywhere; required for extra hours.",
    )
    date = models.DateField(
        help_text="Local date at the location.",
        validators=[validate_stored_date_in_range],
    )
    kind = models.CharField(max_length=11, choices=Kind.choices)
    start_time = models.TimeField(
        null=True, blank=True, help_text="Empty (with end) for the whole day."
    )
    end_time = models.TimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "start_time", "id"]
        indexes = [models.Index(fields=["practitioner", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_time__isnull=True, end_time__isnull=True)
                | models.Q(start_time__isnull=False, end_time__isnull=False),
                name="schedule_exception_times_both_or_neither",
            ),
            models.CheckConstraint(
                condition=models.Q(start_time__isnull=True)
                | models.Q(end_time__gt=models.F("start_time")),
                name="schedule_exception_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="leave")
                | models.Q(
                    kind="extra_hours",
                    start_time__isnull=False,
                    location__isnull=False,
                ),
                name="schedule_exception_extra_hours_complete",
            ),
        ]

    def __str__(self) -> str:
        hours = (
            f" {self.start_time:%H:%M}-{self.end_time:%H:%M}"
            if self.start_time
            else " (all day)"
        )
        return f"{self.get_kind_display()} {self.date}{hours}"

    @property
    def is_whole_day(self) -> bool:
        return self.start_time is None

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if (self.start_time is None) != (self.end_time is None):
            missing = "end_time" if self.end_time is None else "start_time"
            errors[missing] = "Give both start and end, or neither for the whole day."
        elif self.start_time and self.end_time and self.end_time <= self.start_time:
            errors["end_time"] = "Must be after the start."
        if self.kind == self.Kind.EXTRA_HOURS:
            if self.location_id is None:
                errors["location"] = "Extra hours happen at a location."
            if self.start_time is None and "start_time" not in errors:
                errors["start_time"] = "Extra hours need a start and an end."
        if errors:
            raise ValidationError(errors)
