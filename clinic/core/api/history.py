"""GET /api/v1/{resource}/{id}/history/: the audit trail of one record, for managers.

Read-only by construction: there is no write route to history anywhere.
"""

import datetime
import decimal
import uuid
from typing import TYPE_CHECKING, Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from clinic.core.api.fields import BoundedDateTimeField
from clinic.core.api.pagination import PageNumberPagination

if TYPE_CHECKING:
    # What the mixin is mixed into, so mypy checks its calls to it.
    from rest_framework.generics import GenericAPIView

    _View = GenericAPIView[Any]
else:
    _View = object

_CHANGE_KINDS = {"+": "created", "~": "changed", "-": "deleted"}
_HISTORY_ONLY_FIELDS = {
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user",
    "history_user_id",
    "history_relation",
}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool | list | dict):
        return value
    return str(value)


def _tracked_fields(record: Any) -> list[str]:
    return [
        field.attname
        for field in record._meta.fields
        if field.attname not in _HISTORY_ONLY_FIELDS
    ]


def history_entries(records: list[Any], older: Any | None) -> list[dict[str, Any]]:
    """Entries newest first; each lists its fields' values before and after.

    `records` are newest first; `older` is the record just before the last one
    (None when the last is the creation), so no query per entry is needed.
    """
    entries = []
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else older
        changes = []
        for name in _tracked_fields(record):
            after = _plain(getattr(record, name))
            before = _plain(getattr(previous, name)) if previous is not None else None
            if previous is None or before != after:
                changes.append({"field": name, "before": before, "after": after})
        entries.append(
            {
                "id": record.history_id,
                "at": record.history_date.isoformat(),
                "kind": _CHANGE_KINDS.get(record.history_type, record.history_type),
                "actor": record.history_user.get_username()
                if record.history_user
                else None,
                "reason": record.history_change_reason or "",
                "changes": changes,
            }
        )
    return entries


class HistoryChangeSerializer(serializers.Serializer[Any]):
    field = serializers.CharField()
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)


class HistoryEntrySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    at = BoundedDateTimeField()
    kind = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    actor = serializers.CharField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)
    changes = HistoryChangeSerializer(many=True)


class HistoryMixin(_View):
    """Adds the `history` action to a viewset whose model has `history`.

    The viewset's `role_rules` must grant "history" (managers, per
    docs/product.md "Audit").
    """

    @extend_schema(
        summary="Audit history of this record (newest first)",
        responses=HistoryEntrySerializer(many=True),
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def history(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        records = instance.history.select_related("history_user").order_by(
            "-history_date", "-history_id"
        )
        # Page numbers whatever the viewset's own paginator: history rows have
        # none of the fields a cursor would order by.
        paginator = PageNumberPagination()
        page: list[Any] | None = paginator.paginate_queryset(
            records, request, view=self
        )
        rows: list[Any] = list(page or [])
        older = None
        if rows and rows[-1].history_type != "+":
            older = (
                instance.history.filter(history_date__lte=rows[-1].history_date)
                .exclude(history_id=rows[-1].history_id)
                .order_by("-history_date", "-history_id")
                .first()
            )
        return paginator.get_paginated_response(history_entries(rows, older))
