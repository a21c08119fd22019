"""The stock ledger: vials in and out of a lot. On hand is the ledger's sum and
never goes below zero, because every take locks the lot row and sums inside
the same transaction."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from clinic.core.audit import audited_save
from clinic.core.roles import roles_of
from clinic.core.users import User
from treatments.errors import (
    AdministeredThroughAdministration,
    InsufficientStock,
    LotRecalled,
    MovementInFuture,
    ReasonRequired,
    VialsSignMismatch,
    WitnessInvalid,
    WitnessRequired,
)
from treatments.models import Lot, StockMovement
from treatments.services.lots import lot_lock

Kind = StockMovement.Kind


def stock_take(*, lot: Lot, vials: int, field: str = "vials") -> None:
    """Refuse (InsufficientStock naming `field`) unless the locked `lot` has
    `vials` on hand. Call with the lot row locked (lot_lock)."""
    on_hand = StockMovement.objects.on_hand(lot.pk)
    if vials > on_hand:
        raise InsufficientStock.for_field(
            field,
            f"Lot {lot.lot_number} has {on_hand} vial(s) on hand; {vials} needed.",
        )


def _check_sign(kind: str, vials: int) -> None:
    if kind in StockMovement.ADDING_KINDS and vials <= 0:
        raise VialsSignMismatch.for_field(
            "vials", f"A {kind} movement adds vials: give a positive number."
        )
    if kind in StockMovement.TAKING_KINDS and vials >= 0:
        raise VialsSignMismatch.for_field(
            "vials", f"A {kind} movement takes vials: give a negative number."
        )
    if vials == 0:
        raise VialsSignMismatch.for_field("vials", "An adjustment cannot be zero.")


def _check_witness(kind: str, witness: Any, actor: User) -> None:
    if witness is None:
        if kind == Kind.DESTROYED:
            raise WitnessRequired.for_field(
                "witness", "Destroying vials needs a witness."
            )
        return
    if witness.pk == actor.pk:
        raise WitnessInvalid.for_field(
            "witness", "The witness must be someone other than the person recording."
        )
    if not roles_of(witness):
        raise WitnessInvalid.for_field(
            "witness", "The witness must be an active member of staff with a role."
        )


@transaction.atomic
def stock_move(
    *,
    lot: Lot,
    kind: str,
    vials: int,
    actor: User,
    at: datetime | None = None,
    witness: Any = None,
    reason: str = "",
    now: datetime | None = None,
) -> StockMovement:
    """Add one ledger line (received, wasted, destroyed, returned, adjusted).

    Raises AdministeredThroughAdministration for `administered` (recorded only
    with an administration), VialsSignMismatch, WitnessRequired/WitnessInvalid,
    ReasonRequired, MovementInFuture, LotRecalled for a receipt into a recalled
    lot, InsufficientStock when the lot would go below zero.
    """
    now = now or timezone.now()
    at = at or now
    reason = reason.strip()
    if kind == Kind.ADMINISTERED:
        raise AdministeredThroughAdministration.for_field(
            "kind", "Vials are administered by recording an administration."
        )
    if kind in Kind.values:
        _check_sign(kind, vials)
    _check_witness(kind, witness, actor)
    if kind == Kind.ADJUSTED and not reason:
        raise ReasonRequired.for_field("reason", "Say why the stock is adjusted.")
    if at > now:
        raise MovementInFuture.for_field("at", "A movement cannot be in the future.")
    lot = lot_lock(lot.pk)
    if kind == Kind.RECEIVED and lot.status == Lot.Status.RECALLED:
        raise LotRecalled.for_field("lot", "A recalled lot cannot receive stock.")
    if vials < 0:
        stock_take(lot=lot, vials=-vials)
    movement = StockMovement(
        lot=lot,
        kind=kind,
        vials=vials,
        at=at,
        by=actor,
        witness=witness,
        reason=reason,
    )
    movement.full_clean()
    audited_save(movement, actor=actor)
    return movement
