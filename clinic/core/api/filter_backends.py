"""Filter backends that leave detail routes alone.

DRF runs a viewset's filter backends in `get_object` too, so every detail
read built and validated a django-filter form it never used (about a tenth of
a patient detail's time). Filters and ordering are list parameters; on a
detail route (`view.detail`) these backends pass the queryset through. They
restrict nothing by role, so skipping them there hides nothing.
"""

from typing import Any

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.filters import OrderingFilter


def _is_detail(view: Any) -> bool:
    return bool(getattr(view, "detail", False))


class ListFilterBackend(DjangoFilterBackend):
    def filter_queryset(
        self, request: Any, queryset: QuerySet[Any], view: Any
    ) -> QuerySet[Any]:
        if _is_detail(view):
            return queryset
        return super().filter_queryset(request, queryset, view)


class ListOrderingFilter(OrderingFilter):
    def filter_queryset(
        self, request: Any, queryset: QuerySet[Any], view: Any
    ) -> QuerySet[Any]:
        if _is_detail(view):
            return queryset
        return super().filter_queryset(request, queryset, view)
