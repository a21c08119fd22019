import functools
import operator
import uuid
from collections.abc import Iterable
from typing import ClassVar

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from clinic.core.codes import ROUTE_SNOMED, ROUTES_NEEDING_BODY_SITE, Indication, Route
from clinic.core.dates import validate_stored_date_in_range
from patients.models import Patient, SignedConsent
from treatments.models.lots import Lot
from treatments.models.signatures import Amendment, SignatureMeaning, SignedRecord
from treatments.querysets import AdministrationQuerySet


def _one_of(conditions: Iterable[models.Q]) -> models.Q:
    return functools.reduce(operator.or_, conditions)


__all__ = ["Administration", "AdministrationAmendment", "SignatureMeaning"]


class Administration(SignedRecord):
    """One product lot given to one patient. Draft -> signed; a signed record's
    row never changes again: corrections are AdministrationAmendment rows laid
    over it (see `as_amended`), so the original signature stays verifiable."""

    # The clinical content a signature covers (the record's own columns only,
    # so verifying needs no joins). Status and entered-in-error fields are not
    # covered: marking a record entered-in-error must not break its signature.
    DIGEST_FIELDS_V1 = (
        "public_id",
        "patient_id",
        "lot_id",
        "route",
        "route_snomed",
        "body_site",
        "dose_volume_ml",
        "vials_used",
        "particle_count",
        "administered_at",
        "administered_by_id",
        "infusion_started_at",
        "infusion_ended_at",
        "infusion_rate_ml_per_h",
        "indication",
        "indication_detail",
        "consent_id",
        "notes",
        "signed_by_id",
        "signed_at",
        "signature_meaning",
    )
    # /2 adds the appointment and the end of observation. A record keeps the
    # scheme it was signed under (signature_scheme), so digests made before a
    # change of covered fields still verify, and say what they cover.
    DIGEST_FIELDS_V2 = (*DIGEST_FIELDS_V1, "appointment_id", "observation_ends_at")
    DIGEST_SCHEMES = {
        "treatments.administration/1": DIGEST_FIELDS_V1,
        "treatments.administration/2": DIGEST_FIELDS_V2,
    }
    DIGEST_SCHEME = "treatments.administration/2"
    DIGEST_FIELDS = DIGEST_FIELDS_V2
    # What a draft edit or an amendment may change. Patient, lot, route,
    # indication, vials, time and appointment decide the gates and the stock:
    # getting one of those wrong means entered-in-error and a new record.
    # observation_ends_at is derived (end of dose + the appointment type's
    # observation), so it follows an infusion end correction, never set alone.
    CORRECTABLE_FIELDS = (
        "body_site",
        "dose_volume_ml",
        "infusion_started_at",
        "infusion_ended_at",
        "infusion_rate_ml_per_h",
        "indication_detail",
        "notes",
    )

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="administrations"
    )
    lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, related_name="administrations"
    )
    route = models.CharField(max_length=16, choices=Route.choices)
    route_snomed = models.CharField("route (SNOMED CT)", max_length=18, editable=False)
    body_site = models.CharField(max_length=120, blank=True)
    dose_volume_ml = models.DecimalField(
        "dose volume (mL)", max_digits=7, decimal_places=2
    )
    vials_used = models.PositiveIntegerField()
    particle_count = models.PositiveBigIntegerField(
        editable=False, help_text="Lot concentration x dose volume, at recording."
    )
    administered_at = models.DateTimeField(validators=[validate_stored_date_in_range])
    administered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    appointment = models.ForeignKey(
        "clinic.Appointment",
        on_delete=models.PROTECT,
        related_name="administrations",
        null=True,
        blank=True,
        help_text="The visit it was given in: same patient, in progress or completed.",
    )
    observation_ends_at = models.DateTimeField(
        editable=False,
        help_text="End of the infusion (or the dose) plus the appointment"
        " type's observation minutes (DEFAULT_OBSERVATION_MINUTES without one).",
    )
    infusion_started_at = models.DateTimeField(
        null=True, blank=True, validators=[validate_stored_date_in_range]
    )
    infusion_ended_at = models.DateTimeField(
        null=True, blank=True, validators=[validate_stored_date_in_range]
    )
    infusion_rate_ml_per_h = models.DecimalField(
        "infusion rate (mL/h)", max_digits=7, decimal_places=2, null=True, blank=True
    )
    indication = models.CharField(max_length=16, choices=Indication.choices)
    indication_detail = models.CharField(max_length=200, blank=True)
    consent = models.ForeignKey(
        SignedConsent,
        on_delete=models.PROTECT,
        related_name="administrations",
        editable=False,
        help_text="The signed consent that covered this administration.",
    )
    notes = models.TextField(blank=True)
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
    objects: ClassVar = AdministrationQuerySet.as_manager()

    class Meta:
        ordering = ["-administered_at", "-id"]
        indexes = [
            models.Index(
                fields=["patient", "administered_at"], name="administration_patient_idx"
            ),
            models.Index(
                fields=["lot", "administered_at"], name="administration_lot_idx"
            ),
            models.Index(
                fields=["-administered_at", "-id"], name="administration_recent_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(dose_volume_ml__gt=0),
                name="administration_dose_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(vials_used__gt=0),
                name="administration_vials_used_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(particle_count__gt=0),
                name="administration_particle_count_positive",
            ),
            models.CheckConstraint(
                condition=_one_of(
                    models.Q(route=route, route_snomed=code)
                    for route, code in ROUTE_SNOMED.items()
                ),
                name="administration_route_snomed_matches",
            ),
            models.CheckConstraint(
                condition=~models.Q(route__in=sorted(ROUTES_NEEDING_BODY_SITE))
                | ~models.Q(body_site=""),
                name="administration_body_site_where_route_needs_one",
            ),
            models.CheckConstraint(
                condition=~models.Q(indication="other")
                | ~models.Q(indication_detail=""),
                name="administration_other_indication_described",
            ),
            models.CheckConstraint(
                condition=models.Q(route="intravenous")
                | models.Q(
                    infusion_started_at__isnull=True,
                    infusion_ended_at__isnull=True,
                    infusion_rate_ml_per_h__isnull=True,
                ),
                name="administration_infusion_only_intravenous",
            ),
            models.CheckConstraint(
                condition=models.Q(infusion_ended_at__isnull=True)
                | models.Q(
                    infusion_started_at__isnull=False,
                    infusion_ended_at__gt=models.F("infusion_started_at"),
                ),
                name="administration_infusion_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    observation_ends_at__gte=models.F("administered_at")
                ),
                name="administration_observation_ends_after_dose",
            ),
            models.CheckConstraint(
                condition=models.Q(infusion_rate_ml_per_h__isnull=True)
                | models.Q(infusion_rate_ml_per_h__gt=0),
                name="administration_infusion_rate_positive",
            ),
            *SignedRecord.shared_constraints(
                "administration", acted_at="administered_at"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lot} to {self.patient} at {self.administered_at:%Y-%m-%d %H:%M}"


class AdministrationAmendment(Amendment):
    """A correction to a signed administration (see signatures.Amendment)."""

    RECORD_FIELD = "administration"
    DIGEST_SCHEME = "treatments.administration_amendment/1"

    administration = models.ForeignKey(
        Administration, on_delete=models.PROTECT, related_name="amendments"
    )
    history = HistoricalRecords()

    class Meta(Amendment.Meta):
        constraints = Amendment.shared_constraints("")
