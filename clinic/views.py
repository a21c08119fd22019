from typing import Any

from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from clinic.api.history import HistoryMixin
from clinic.models import Location
from clinic.roles import ALL_ROLES, MANAGERS
from clinic.serializers import LocationSerializer
from clinic.services.locations import location_create, location_update


class LocationViewSet(
    HistoryMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Location.objects.all()
    serializer_class = LocationSerializer
    filterset_fields = ["active"]
    ordering_fields = ["name"]
    ordering = ["name"]
    role_rules = {
        "list": ALL_ROLES,
        "retrieve": ALL_ROLES,
        "create": MANAGERS,
        "partial_update": MANAGERS,
        "history": MANAGERS,
    }

    def create(self, request: Request) -> Response:
        body = LocationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        location = location_create(actor=request.user, **body.validated_data)
        return Response(
            LocationSerializer(location).data, status=status.HTTP_201_CREATED
        )

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        location = self.get_object()
        body = LocationSerializer(location, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        location = location_update(
            location=location, actor=request.user, **body.validated_data
        )
        return Response(LocationSerializer(location).data)
