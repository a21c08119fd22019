import uuid
from datetime import date, datetime
from typing import ClassVar

from django.conf import settings
from django.db import models
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from clinic.core.audit import NoDeleteModel
from clinic.core.dates import validate_stored_date_in_range
from patients.querysets import PatientQuerySet, SignedConsentQuerySet


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
    date_of_birth = models.DateField(validators=[validate_stored_date_in_range])
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
    deactivated_at = models.DateTimeField(
        null=True, blank=True, validators=[validate_stored_date_in_range]
    )
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

    # Managers are ClassVars to django-stubs; this one replaces the base's.
    objects: ClassVar = PatientQuerySet.as_manager()

    # What a registration or an edit may set, in the order a person fills it
    # in: the one list the service, the API and the admin use. MRN, public id
    # and the active flag have rules of their own and are never set this way;
    # who may read or write which of these is declared in patients/apps.py.
    EDITABLE_FIELDS = (
        "given_name",
        "family_name",
        "date_of_birth",
        "sex",
        "phone",
        "email",
        "address",
        "emergency_contact_name",
        "emergency_contact_relationship",
        "emergency_contact_phone",
        "allergies",
        "history_notes",
    )

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


class ConsentForm(models.Model):
    """One version of a consent document. Published versions are immutable:
    a change is a new version (patients.services.consent_form_new_version)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    version = models.PositiveIntegerField(default=1)
    body = models.TextField("full text")
    covered_routes = models.JSONField(default=list, blank=True)
    covered_indications = models.JSONField(default=list, blank=True)
    # A lazy reference, not an import: the patient consents to named products
    # (and so to their regulatory status); treatments imports patients, not back.
    covered_products = models.ManyToManyField(
        "treatments.Product", related_name="consent_forms", blank=True
    )
    effective_date = models.DateField(validators=[validate_stored_date_in_range])
    status = models.CharField(max_length=9, choices=Status.choices, default="draft")
    published_at = models.DateTimeField(
        null=True, blank=True, validators=[validate_stored_date_in_range]
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(m2m_fields=[covered_products])

    class Meta:
        ordering = ["title", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["title", "version"], name="unique_consent_form_version"
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft", published_at__isnull=True)
                | models.Q(status="published", published_at__isnull=False),
                name="consent_form_published_iff_published_at",
            ),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="consent_form_version_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def covers(self, *, route: str, indication: str, product_id: int) -> bool:
        """Uses prefetched covered_products when present."""
        return (
            route in self.covered_routes
            and indication in self.covered_indications
            and any(p.pk == product_id for p in self.covered_products.all())
        )


class SignedConsent(NoDeleteModel):
    """A patient's (or representative's) signature on one exact form version.

    Withdrawal is recorded on the row; it never erases the consent.
    """

    class Signer(models.TextChoices):
        PATIENT = "patient", "Patient"
        LEGAL_REPRESENTATIVE = "legal_representative", "Legal representative"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="consents"
    )
    form = models.ForeignKey(
        ConsentForm, on_delete=models.PROTECT, related_name="signed_consents"
    )
    signed_at = models.DateTimeField(validators=[validate_stored_date_in_range])
    signed_by = models.CharField(max_length=20, choices=Signer.choices)
    representative_name = models.CharField(max_length=200, blank=True)
    representative_relationship = models.CharField(max_length=100, blank=True)
    witness = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    expires_at = models.DateTimeField(
        null=True, blank=True, validators=[validate_stored_date_in_range]
    )
    withdrawn_at = models.DateTimeField(
        null=True, blank=True, validators=[validate_stored_date_in_range]
    )
    withdrawal_reason = models.TextField(blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    # Managers are ClassVars to django-stubs; this one replaces the base's.
    objects: ClassVar = SignedConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__isnull=True)
                | models.Q(expires_at__gt=models.F("signed_at")),
                name="consent_expires_after_signing",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    signed_by="patient",
                    representative_name="",
                    representative_relationship="",
                )
                | (
                    models.Q(signed_by="legal_representative")
                    & ~models.Q(representative_name="")
                    & ~models.Q(representative_relationship="")
                ),
                name="consent_representative_named_iff_signed_by_one",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    withdrawn_at__isnull=True,
                    withdrawn_by__isnull=True,
                    withdrawal_reason="",
                )
                | (
                    models.Q(
                        withdrawn_at__isnull=False,
                        withdrawn_by__isnull=False,
                        withdrawn_at__gte=models.F("signed_at"),
                    )
                    & ~models.Q(withdrawal_reason="")
                ),
                name="consent_withdrawal_complete",
            ),
        ]
        indexes = [models.Index(fields=["patient", "signed_at"])]

    def __str__(self) -> str:
        return f"{self.form} signed by {self.patient} on {self.signed_at:%Y-%m-%d}"

    def is_in_force_at(self, at: datetime) -> bool:
        """Signed by then, not withdrawn by then, not expired by then."""
        return (
            self.signed_at <= at
            and (self.withdrawn_at is None or at < self.withdrawn_at)
            and (self.expires_at is None or at < self.expires_at)
        )
