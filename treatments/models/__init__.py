from treatments.models.administrations import Administration, AdministrationAmendment
from treatments.models.lots import Lot, StockMovement
from treatments.models.outcomes import (
    AdverseEvent,
    FollowUpNote,
    FollowUpNoteAmendment,
)
from treatments.models.products import Product, validate_routes

__all__ = [
    "Administration",
    "AdministrationAmendment",
    "AdverseEvent",
    "FollowUpNote",
    "FollowUpNoteAmendment",
    "Lot",
    "Product",
    "StockMovement",
    "validate_routes",
]
