from datetime import date
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from clinic.core.audit import NoDeleteModel
from clinic.core.dates import validate_stored_date_in_range
from treatments.models.products import Product
from treatments.querysets import LotQuerySet, StockMovementQuerySet


class Lot(models.Model):
    """One manufactured lot of a product, as received by the clinic.

    Vials on hand are not stored here: they are the sum of the lot's stock ledger.
    """

    class Status(models.TextChoices):
        QUARANTINED = "quarantined", "Quarantined"
        RELEASED = "released", "Released"
        RECALLED = "recalled", "Recalled"

    # The only legal status changes; nothing leaves "recalled".
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.QUARANTINED: frozenset({Status.RELEASED, Status.RECALLED}),
        Status.RELEASED: frozenset({Status.RECALLED}),
        Status.RECALLED: frozenset(),
    }

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="lots")
    lot_number = models.CharField(max_length=64)
    supplier_code = models.CharField(
        "supplier's distinct identification code",
        max_length=200,
        help_text="Kept exactly as printed by the supplier, for tracing to the donor.",
    )
    manufactured_on = models.DateField(validators=[validate_stored_date_in_range])
    expires_on = models.DateField(validators=[validate_stored_date_in_range])
    received_on = models.DateField(validators=[validate_stored_date_in_range])
    particles_per_ml = models.PositiveBigIntegerField(
        "particle concentration (particles/mL)", validators=[MinValueValidator(1)]
    )
    modal_size_nm = models.DecimalField(
        "modal particle size (nm)",
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1"))],
    )
    vial_volume_ml = models.DecimalField(
        "vial volume (mL)",
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    status = models.CharField(
        max_length=11, choices=Status.choices, default=Status.QUARANTINED
    )
    coa_reference = models.CharField("certificate of analysis", max_length=200)
    released_at = models.DateTimeField(
        null=True, blank=True, validators=[validate_stored_date_in_range]
    )
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    recalled_on = models.DateField(
        null=True, blank=True, validators=[validate_stored_date_in_range]
    )
    recall_reason = models.TextField(blank=True)
    recalled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
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

    objects = LotQuerySet.as_manager()

    class Meta:
        ordering = ["product__name", "expires_on", "lot_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "lot_number"], name="unique_lot_number_per_product"
            ),
            models.CheckConstraint(
                condition=models.Q(expires_on__gt=models.F("manufactured_on")),
                name="lot_expires_after_manufacture",
            ),
            models.CheckConstraint(
                condition=models.Q(received_on__gte=models.F("manufactured_on")),
                name="lot_received_after_manufacture",
            ),
            models.CheckConstraint(
                condition=models.Q(particles_per_ml__gt=0),
                name="lot_particles_per_ml_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(modal_size_nm__gt=0),
                name="lot_modal_size_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(vial_volume_ml__gt=0),
                name="lot_vial_volume_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["quarantined", "released", "recalled"]),
                name="lot_status_known",
            ),
            # A recall always says when, why and who; nothing else carries one.
            models.CheckConstraint(
                condition=(
                    models.Q(status="recalled", recalled_on__isnull=False)
                    & models.Q(recalled_by__isnull=False)
                    & ~models.Q(recall_reason="")
                )
                | models.Q(
                    ~models.Q(status="recalled"),
                    recalled_on__isnull=True,
                    recalled_by__isnull=True,
                    recall_reason="",
                ),
                name="lot_recall_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product.name} lot {self.lot_number}"

    def clean(self) -> None:
        # Field-keyed messages for what the date constraints guarantee.
        errors = {}
        made, expires, received = (
            self.manufactured_on,
            self.expires_on,
            self.received_on,
        )
        if made and expires and expires <= made:
            errors["expires_on"] = ["The expiry date must be after manufacture."]
        if made and received and received < made:
            errors["received_on"] = ["A lot cannot be received before manufacture."]
        if errors:
            raise ValidationError(errors)

    def is_expired(self, *, on: date) -> bool:
        """A lot may be used through its expiry date, not after it."""
        return on > self.expires_on

    def is_usable(self, *, on: date) -> bool:
        return self.status == self.Status.RELEASED and not self.is_expired(on=on)

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.status]


class StockMovement(NoDeleteModel):
    """One line of a lot's stock ledger. Rows are only ever added: a mistake is
    corrected by an `adjusted` line with a reason, never by editing."""

    class Kind(models.TextChoices):
        RECEIVED = "received", "Received"
        ADMINISTERED = "administered", "Administered"
        WASTED = "wasted", "Wasted"
        DESTROYED = "destroyed", "Destroyed (witnessed)"
        RETURNED = "returned", "Returned to supplier"
        ADJUSTED = "adjusted", "Adjusted"

    ADDING_KINDS = frozenset({Kind.RECEIVED})
    TAKING_KINDS = frozenset(
        {Kind.ADMINISTERED, Kind.WASTED, Kind.DESTROYED, Kind.RETURNED}
    )

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    vials = models.IntegerField(help_text="Positive adds vials, negative takes them.")
    at = models.DateTimeField(validators=[validate_stored_date_in_range])
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    witness = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    reason = models.TextField(blank=True)
    administration = models.ForeignKey(
        "treatments.Administration",
        on_delete=models.PROTECT,
        related_name="stock_movements",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    # Managers are ClassVars to django-stubs; this one replaces the base's.
    objects: ClassVar = StockMovementQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["lot", "at"], name="stock_movement_lot_at_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="received", vials__gt=0)
                | models.Q(
                    kind__in=["administered", "wasted", "destroyed", "returned"],
                    vials__lt=0,
                )
                | (models.Q(kind="adjusted") & ~models.Q(vials=0)),
                name="stock_movement_sign_matches_kind",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="destroyed") | models.Q(witness__isnull=False),
                name="stock_movement_destroyed_has_witness",
            ),
            models.CheckConstraint(
                condition=models.Q(witness__isnull=True)
                | ~models.Q(witness=models.F("by")),
                name="stock_movement_witness_is_not_actor",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="adjusted") | ~models.Q(reason=""),
                name="stock_movement_adjusted_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="administered", administration__isnull=False)
                | models.Q(~models.Q(kind="administered"), administration__isnull=True),
                name="stock_movement_administered_iff_administration",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.vials:+d} ({self.lot})"
