"""Every write to products, lots, stock, administrations, follow-up notes and
adverse events goes through here."""

from treatments.services.administrations import (
    administration_amend,
    administration_mark_entered_in_error,
    administration_record,
    administration_sign,
    administration_update,
)
from treatments.services.adverse_events import (
    adverse_event_mark_reported,
    adverse_event_record,
    adverse_event_update,
)
from treatments.services.follow_ups import (
    follow_up_amend,
    follow_up_mark_entered_in_error,
    follow_up_record,
    follow_up_sign,
    follow_up_update,
)
from treatments.services.lots import (
    lot_create,
    lot_recall,
    lot_release,
    lot_update,
)
from treatments.services.products import product_create, product_update
from treatments.services.stock import stock_move

__all__ = [
    "administration_amend",
    "administration_mark_entered_in_error",
    "administration_record",
    "administration_sign",
    "administration_update",
    "adverse_event_mark_reported",
    "adverse_event_record",
    "adverse_event_update",
    "follow_up_amend",
    "follow_up_mark_entered_in_error",
    "follow_up_record",
    "follow_up_sign",
    "follow_up_update",
    "lot_create",
    "lot_recall",
    "lot_release",
    "lot_update",
    "product_create",
    "product_update",
    "stock_move",
]
