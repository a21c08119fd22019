import uuid
from datetime import date

from django.conf import settings
from django.db import models
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from clinic.audit import NoDeleteModel


class MrnCounter(models.Model):
    """One row holding the last MRN sequence number handed out.

    A counter (not max(mrn)+1) so that a number is never handed out twice,
    whatever happens to the patient rows; taken under select_for_update.
    """

    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pk=1), name="mrn_counter_single_row"
            )
        ]

    def __str__(self) -> str:
        return f"last MRN sequence number {self.last_value}"


class Patient(NoDeleteModel):
    class Sex(models.TextChoices):
        # FHIR administrative-gender codes.
        MALE = "male", "Male"
        FEMALE = "female", "Female"
        OTHER = "other", "Other"
        UNKNOWN = "unknown", "Unknown"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    mrn = models.CharField("MRN", max_length=16, unique=True, editable=False)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    # Folded "given family" (see patients.naming.fold), for duplicates and search.
    search_name = models.CharField(max_length=201, editable=False, db_index=True)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=7, choices=Sex.choices)
    phone = PhoneNumberField(blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    emergency_contact_name = models.CharField(max_length=200, blank=True)
    emergency_contact_relationship = models.CharField(max_length=100, blank=True)
    emergency_contact_phone = PhoneNumberField(blank=True)
    allergies = models.TextField(blank=True)
    history_notes = models.TextField("relevant history", blank=True)
    active = models.BooleanField(default=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    deactivation_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["family_name", "given_name", "mrn"]
        indexes = [
            models.Index(fields=["date_of_birth"], name="patient_dob_idx"),
            models.Index(fields=["phone"], name="patient_phone_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sex__in=["male", "female", "other", "unknown"]),
                name="patient_sex_is_fhir_code",
            ),
            models.CheckConstraint(
                condition=models.Q(active=True, deactivated_at__isnull=True)
                | models.Q(active=False, deactivated_at__isnull=False),
                name="patient_inactive_iff_deactivated_at",
            ),
            models.CheckConstraint(
                condition=~models.Q(mrn=""), name="patient_mrn_not_blank"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.family_name}, {self.given_name} ({self.mrn})"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def age_on(self, day: date) -> int:
        before_birthday = (day.month, day.day) < (
            self.date_of_birth.month,
            self.date_of_birth.day,
        )
        return day.year - self.date_of_birth.year - before_birthday
