"""Lots: receipt of a product lot, its release and its recall."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from clinic.core.audit import audited_save
from clinic.core.locking import lock
from clinic.core.users import User
from treatments.errors import (
    DuplicateLotNumber,
    IllegalLotTransition,
    LotNotEditable,
    ProductInactive,
    ReasonRequired,
    RecallDateInvalid,
)
from treatments.models import Lot, Product

EDITABLE_FIELDS = frozenset(
    {
        "lot_number",
        "supplier_code",
        "manufactured_on",
        "expires_on",
        "received_on",
        "particles_per_ml",
        "modal_size_nm",
        "vial_volume_ml",
        "coa_reference",
    }
)


def lot_lock(lot_id: int) -> Lot:
    """The lot row, locked until the transaction ends: every change of a lot's
    status or stock takes this lock first, so checks and writes never race."""
    return lock(Lot.objects.select_related("product"), lot_id)


def _check_lot_number_free(lot: Lot) -> None:
    taken = Lot.objects.filter(product_id=lot.product_id, lot_number=lot.lot_number)
    if taken.exclude(pk=lot.pk).exists():
        raise DuplicateLotNumber.for_field(
            "lot_number", "This product already has a lot with this number."
        )


@transaction.atomic
def lot_create(
    *,
    product: Product,
    lot_number: str,
    supplier_code: str,
    manufactured_on: date,
    expires_on: date,
    received_on: date,
    particles_per_ml: int,
    modal_size_nm: Decimal,
    vial_volume_ml: Decimal,
    coa_reference: str,
    actor: User,
) -> Lot:
    """Register a received lot, quarantined until released. Raises
    ProductInactive, DuplicateLotNumber (409), ValidationError for bad values."""
    if not product.active:
        raise ProductInactive.for_field(
            "product", "The product is inactive; no new lots can be registered."
        )
    lot = Lot(
        product=product,
        lot_number=lot_number.strip(),
        supplier_code=supplier_code,  # verbatim: it traces back to the donor
        manufactured_on=manufactured_on,
        expires_on=expires_on,
        received_on=received_on,
        particles_per_ml=particles_per_ml,
        modal_size_nm=modal_size_nm,
        vial_volume_ml=vial_volume_ml,
        coa_reference=coa_reference,
        created_by=actor,
    )
    _check_lot_number_free(lot)
    lot.full_clean()
    audited_save(lot, actor=actor)
    return lot


@transaction.atomic
def lot_update(*, lot: Lot, actor: User, **changes: Any) -> Lot:
    """Correct a lot's data while it is quarantined. Raises LotNotEditable (409)
    once released or recalled (doses were computed from it), DuplicateLotNumber."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"lot_update() got unexpected fields {sorted(unknown)}")
    lot = lot_lock(lot.pk)
    if lot.status != Lot.Status.QUARANTINED:
        raise LotNotEditable(
            f"A {lot.get_status_display().lower()} lot cannot be edited;"
            " only a quarantined lot's data can be corrected."
        )
    for field, value in changes.items():
        setattr(lot, field, value.strip() if field == "lot_number" else value)
    _check_lot_number_free(lot)
    lot.full_clean()
    audited_save(lot, actor=actor)
    return lot


def _refuse_transition(lot: Lot, to: str) -> None:
    if not lot.can_become(to):
        raise IllegalLotTransition(
            f"A {lot.get_status_display().lower()} lot cannot become {to}.",
            errors={"status": [f"{lot.status} -> {to} is not allowed."]},
        )


@transaction.atomic
def lot_release(*, lot: Lot, actor: User, now: datetime | None = None) -> Lot:
    """Quarantined -> released, so the lot can be administered. Raises
    IllegalLotTransition (409) from any other status."""
    now = now or timezone.now()
    lot = lot_lock(lot.pk)
    _refuse_transition(lot, Lot.Status.RELEASED)
    lot.status = Lot.Status.RELEASED
    lot.released_at = now
    lot.released_by = actor
    lot.full_clean()
    audited_save(lot, actor=actor, reason="released")
    return lot


@transaction.atomic
def lot_recall(
    *,
    lot: Lot,
    reason: str,
    recalled_on: date,
    actor: User,
    now: datetime | None = None,
) -> Lot:
    """Mark the lot recalled (from quarantined or released) so it can never be
    administered again. Raises ReasonRequired, RecallDateInvalid,
    IllegalLotTransition (409) when already recalled."""
    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise ReasonRequired.for_field("reason", "Say why the lot is recalled.")
    lot = lot_lock(lot.pk)
    if recalled_on > timezone.localdate(now):
        raise RecallDateInvalid.for_field(
            "date", "The recall date cannot be in the future."
        )
    if recalled_on < lot.manufactured_on:
        raise RecallDateInvalid.for_field(
            "date", "The recall date cannot be before the lot was manufactured."
        )
    _refuse_transition(lot, Lot.Status.RECALLED)
    lot.status = Lot.Status.RECALLED
    lot.recall_reason = reason
    lot.recalled_on = recalled_on
    lot.recalled_by = actor
    lot.full_clean()
    audited_save(lot, actor=actor, reason=f"recalled: {reason}")
    return lot
