"""How patients did after treatment: follow-up notes (signed like
administrations) and adverse events (edited through a service, every
version kept in history)."""

import datetime as dt
import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from clinic.core.audit import NoDeleteModel
from clinic.core.dates import validate_stored_date_in_range
from patients.models import Patient
from treatments.models.administrations import Administration
from treatments.models.signatures import Amendment, SignedRecord
from treatments.querysets import (
    REPORT_DUE_DAYS,
    AdverseEventQuerySet,
    FollowUpNoteQuerySet,
)


class FollowUpNote(SignedRecord):
    """A contact after treatment with the patient-reported outcome (0-10).
    Draft -> signed; a signed note is corrected by FollowUpNoteAmendment rows."""

    class ContactKind(models.TextChoices):
        VISIT = "visit", "Visit"
        PHONE = "phone", "Phone"
        MESSAGE = "message", "Message"

    DIGEST_FIELDS_V1 = (
        "public_id",
        "patient_id",
        "administration_id",
        "author_id",
        "noted_at",
        "contact_kind",
        "outcome_score",
        "text",
        "signed_by_id",
        "signed_at",
        "signature_meaning",
    )
    DIGEST_SCHEMES = {"treatments.follow_up_note/1": DIGEST_FIELDS_V1}
    DIGEST_SCHEME = "treatments.follow_up_note/1"
    # What a draft edit or an amendment may change; patient, administration
    # and author say whose note it is: a wrong one is a new note.
    CORRECTABLE_FIELDS = ("noted_at", "contact_kind", "outcome_score", "text")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="follow_up_notes"
    )
    administration = models.ForeignKey(
        Administration,
        on_delete=models.PROTECT,
        related_name="follow_up_notes",
        null=True,
        blank=True,
        help_text="The administration this note follows (the same patient's).",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    noted_at = models.DateTimeField(
        help_text="When the contact happened.",
        validators=[validate_stored_date_in_range],
    )
    contact_kind = models.CharField(max_length=8, choices=ContactKind.choices)
    outcome_score = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Patient-reported outcome for the treated complaint,"
        " 0 (worst) to 10 (best); empty when not asked.",
    )
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    history = HistoricalRecords()

    # Managers are ClassVars to django-stubs; this one replaces the base's.
    objects: ClassVar = FollowUpNoteQuerySet.as_manager()

    class Meta:
        verbose_name = "follow-up note"
        ordering = ["-noted_at", "-id"]
        indexes = [
            models.Index(fields=["patient", "noted_at"], name="follow_up_patient_idx"),
            # The list's order (newest first); without it 500k notes were
            # sorted for every page.
            models.Index(fields=["noted_at", "id"], name="follow_up_noted_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome_score__isnull=True)
                | models.Q(outcome_score__gte=0, outcome_score__lte=10),
                name="follow_up_outcome_0_to_10",
            ),
            models.CheckConstraint(
                condition=models.Q(contact_kind__in=["visit", "phone", "message"]),
                name="follow_up_contact_kind_known",
            ),
            *SignedRecord.shared_constraints("follow_up", acted_at="noted_at"),
        ]

    def __str__(self) -> str:
        return f"Follow-up of {self.patient} at {self.noted_at:%Y-%m-%d %H:%M}"


class FollowUpNoteAmendment(Amendment):
    """A correction to a signed follow-up note (see signatures.Amendment)."""

    RECORD_FIELD = "note"
    DIGEST_SCHEME = "treatments.follow_up_note_amendment/1"

    note = models.ForeignKey(
        FollowUpNote, on_delete=models.PROTECT, related_name="amendments"
    )
    history = HistoricalRecords()

    class Meta(Amendment.Meta):
        verbose_name = "follow-up note amendment"
        constraints = Amendment.shared_constraints("follow_up_")


class AdverseEvent(NoDeleteModel):
    """An untoward event after an administration. Not signed: its outcome
    evolves and the report date is filled in later, so it is updated through
    `adverse_event_update` (rules re-checked each time) and history keeps
    every version. The suspect lot is the administration's lot."""

    class Outcome(models.TextChoices):
        RECOVERED = "recovered", "Recovered / resolved"
        RECOVERING = "recovering", "Recovering / resolving"
        NOT_RECOVERED = "not_recovered", "Not recovered / not resolved"
        RECOVERED_WITH_SEQUELAE = "sequelae", "Recovered with sequelae"
        FATAL = "fatal", "Fatal"
        UNKNOWN = "unknown", "Unknown"

    class Relatedness(models.TextChoices):
        RELATED = "related", "Related"
        POSSIBLY_RELATED = "possibly_related", "Possibly related"
        UNLIKELY_RELATED = "unlikely_related", "Unlikely related"
        UNRELATED = "unrelated", "Unrelated"

    # The seriousness criteria, one boolean column each so that the database
    # can check them against `serious` and lists can filter on them.
    CRITERIA = (
        "results_in_death",
        "life_threatening",
        "hospitalisation",
        "disability",
        "intervention_required",
    )

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        Patient,
        on_delete=models.PROTECT,
        related_name="adverse_events",
        editable=False,
        help_text="The administration's patient.",
    )
    administration = models.ForeignKey(
        Administration, on_delete=models.PROTECT, related_name="adverse_events"
    )
    onset_at = models.DateTimeField(
        help_text="When the event began.", validators=[validate_stored_date_in_range]
    )
    aware_on = models.DateField(
        help_text="The date the clinic became aware of the event.",
        validators=[validate_stored_date_in_range],
    )
    description = models.TextField()
    grade = models.PositiveSmallIntegerField(help_text="CTCAE grade, 1 to 5.")
    serious = models.BooleanField(default=False)
    results_in_death = models.BooleanField(default=False)
    life_threatening = models.BooleanField(default=False)
    hospitalisation = models.BooleanField(
        default=False, help_text="Required or prolonged hospitalisation."
    )
    disability = models.BooleanField(
        default=False, help_text="Persistent disability or lasting damage."
    )
    intervention_required = models.BooleanField(
        default=False, help_text="Intervention needed to prevent lasting damage."
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    relatedness = models.CharField(max_length=16, choices=Relatedness.choices)
    reported_on = models.DateField(
        null=True,
        blank=True,
        help_text="The date it was reported to the authority.",
        validators=[validate_stored_date_in_range],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    history = HistoricalRecords()

    # Managers are ClassVars to django-stubs; this one replaces the base's.
    objects: ClassVar = AdverseEventQuerySet.as_manager()

    class Meta:
        ordering = ["-onset_at", "-id"]
        indexes = [
            models.Index(
                fields=["patient", "onset_at"], name="adverse_event_patient_idx"
            ),
            models.Index(
                fields=["serious", "reported_on", "aware_on"],
                name="adverse_event_report_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(grade__gte=1, grade__lte=5),
                name="adverse_event_grade_1_to_5",
            ),
            models.CheckConstraint(
                condition=~models.Q(grade=5) | models.Q(outcome="fatal"),
                name="adverse_event_grade_5_is_fatal",
            ),
            models.CheckConstraint(
                condition=~models.Q(outcome="fatal")
                | models.Q(grade=5, results_in_death=True),
                name="adverse_event_fatal_is_grade_5_death",
            ),
            models.CheckConstraint(
                condition=~models.Q(results_in_death=True) | models.Q(outcome="fatal"),
                name="adverse_event_death_is_fatal",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    serious=False,
                    results_in_death=False,
                    life_threatening=False,
                    hospitalisation=False,
                    disability=False,
                    intervention_required=False,
                )
                | models.Q(serious=True, results_in_death=True)
                | models.Q(serious=True, life_threatening=True)
                | models.Q(serious=True, hospitalisation=True)
                | models.Q(serious=True, disability=True)
                | models.Q(serious=True, intervention_required=True),
                name="adverse_event_serious_iff_criterion",
            ),
            models.CheckConstraint(
                condition=models.Q(reported_on__isnull=True)
                | models.Q(reported_on__gte=models.F("aware_on")),
                name="adverse_event_reported_after_aware",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    outcome__in=[
                        "recovered",
                        "recovering",
                        "not_recovered",
                        "sequelae",
                        "fatal",
                        "unknown",
                    ]
                ),
                name="adverse_event_outcome_known",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    relatedness__in=[
                        "related",
                        "possibly_related",
                        "unlikely_related",
                        "unrelated",
                    ]
                ),
                name="adverse_event_relatedness_known",
            ),
        ]

    def __str__(self) -> str:
        return f"Grade {self.grade} event of {self.patient} on {self.onset_at:%Y-%m-%d}"

    @property
    def criteria(self) -> list[str]:
        return [name for name in self.CRITERIA if getattr(self, name)]

    @property
    def report_due_on(self) -> dt.date | None:
        """A serious event is due for reporting 15 days after awareness."""
        if not self.serious:
            return None
        return self.aware_on + dt.timedelta(days=REPORT_DUE_DAYS)

    def days_until_due(self, *, today: dt.date) -> int | None:
        """Days left to report (negative when overdue); None when nothing is
        due (not serious, or already reported)."""
        due = self.report_due_on
        if due is None or self.reported_on is not None:
            return None
        return (due - today).days
