"""Reusable reads for treatments. Nothing here writes."""

import datetime as dt
from typing import TYPE_CHECKING

from django.db import models
from django.db.models.functions import Coalesce

from clinic.core.audit import NoDeleteQuerySet

if TYPE_CHECKING:
    # Named as a string in LotQuerySet's base, which ruff does not read.
    from treatments.models import Lot  # noqa: F401

# A serious adverse event is reported to the authority within this many days
# of the clinic becoming aware of it (docs/product.md, adverse events: 15).
REPORT_DUE_DAYS = 15


class LotQuerySet(models.QuerySet["Lot"]):
    def with_on_hand(self) -> "LotQuerySet":
        """Annotate `on_hand`: the sum of the lot's ledger (a subquery, so it
        combines with any other join without double counting)."""
        movement_model = self.model.movements.field.model
        total = (
            movement_model._default_manager.filter(lot=models.OuterRef("pk"))
            .order_by()
            .values("lot")
            .annotate(total=models.Sum("vials"))
            .values("total")
        )
        return self.annotate(
            on_hand=Coalesce(
                models.Subquery(total), 0, output_field=models.IntegerField()
            )
        )


class StockMovementQuerySet(NoDeleteQuerySet):
    def on_hand(self, lot_id: int) -> int:
        total = self.filter(lot_id=lot_id).aggregate(total=models.Sum("vials"))
        return total["total"] or 0


class AdministrationQuerySet(NoDeleteQuerySet):
    def for_display(self) -> "AdministrationQuerySet":
        """Everything the API and admin show, in a fixed number of queries."""
        # Two joins, the rest prefetched: joining all eight tables cost
        # PostgreSQL ~20 ms of planning per request; the prefetches ~1 ms.
        return self.select_related("patient", "lot__product").prefetch_related(
            "administered_by",
            "appointment",
            "signed_by",
            "consent",
            "amendments__amended_by",
        )

    def recall_recipients(self, lot_id: int) -> "AdministrationQuerySet":
        """Administrations of a lot a recall must reach. Records marked
        entered-in-error are left out: they say the administration did not
        happen as recorded, and the corrected record (if any) is listed."""
        return (
            self.filter(lot_id=lot_id)
            .exclude(status="entered_in_error")
            .select_related("patient")
            .order_by("administered_at", "id")
        )


class FollowUpNoteQuerySet(NoDeleteQuerySet):
    def for_display(self) -> "FollowUpNoteQuerySet":
        return self.select_related("patient", "administration").prefetch_related(
            "author", "signed_by", "entered_in_error_by", "amendments__amended_by"
        )


def report_pending_q() -> models.Q:
    """Serious adverse events not yet reported to the authority."""
    return models.Q(serious=True, reported_on__isnull=True)


def overdue_q(*, today: dt.date) -> models.Q:
    """Serious, unreported adverse events whose due date (awareness +
    REPORT_DUE_DAYS) is before `today`: "aware before today - REPORT_DUE_DAYS",
    an index-friendly comparison with no date arithmetic in SQL."""
    cutoff = today - dt.timedelta(days=REPORT_DUE_DAYS)
    return report_pending_q() & models.Q(aware_on__lt=cutoff)


class AdverseEventQuerySet(NoDeleteQuerySet):
    def for_display(self) -> "AdverseEventQuerySet":
        return self.select_related(
            "patient", "administration__lot__product", "created_by"
        )

    def report_pending(self) -> "AdverseEventQuerySet":
        return self.filter(report_pending_q())

    def overdue(self, *, today: dt.date) -> "AdverseEventQuerySet":
        return self.filter(overdue_q(today=today))
