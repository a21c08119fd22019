"""The clinic's API views. Each: role check, input serializer, service call,
output serializer."""

from collections.abc import Callable
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic import serializers as s
from clinic.core.api.concurrency import ETagMixin, idempotent
from clinic.core.api.history import HistoryMixin
from clinic.core.api.pagination import CursorPagination
from clinic.core.roles import ALL_ROLES, CLINICAL_ROLES, MANAGERS, Role
from clinic.core.users import acting_user
from clinic.filters import AppointmentFilter, ScheduleExceptionFilter
from clinic.models import (
    Appointment,
    AppointmentStatusChange,
    AppointmentType,
    Location,
    Practitioner,
    Room,
    ScheduleException,
    WorkingHours,
)
from clinic.services import appointment_status as status_services
from clinic.services.appointment_types import (
    appointment_type_create,
    appointment_type_update,
)
from clinic.services.appointments import appointment_book, appointment_move
from clinic.services.availability import availability_search
from clinic.services.locations import location_create, location_update
from clinic.services.practitioners import (
    practitioner_create,
    practitioner_update,
    schedule_exception_create,
    schedule_exception_delete,
    schedule_exception_update,
    working_hours_create,
    working_hours_delete,
    working_hours_update,
)
from clinic.services.rooms import room_create, room_update

FRONT_DESK = frozenset({Role.FRONT_DESK})  # managers hold it too (clinic.core.roles)
_ERRORS = {
    400: OpenApiResponse(s.ErrorSerializer, description="Invalid input or a rule."),
    409: OpenApiResponse(s.ErrorSerializer, description="Conflicts with stored data."),
}


def _managed_schema(output: type, create: type, update: type) -> Callable[[type], type]:
    return extend_schema_view(
        create=extend_schema(request=create, responses={201: output, **_ERRORS}),
        partial_update=extend_schema(
            request=update, responses={200: output, **_ERRORS}
        ),
    )


class ManagedViewSet(
    ETagMixin,
    HistoryMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Part of the clinic's set-up: every role reads it, managers change it."""

    # Subclasses name the services that write (the API holds no rules itself).

    update_serializer_class: type[serializers.Serializer]
    create_service: Callable[..., Any]
    update_service: Callable[..., Any]
    instance_argument: str
    role_rules: dict[str, frozenset[str]] = {
        "list": ALL_ROLES,
        "retrieve": ALL_ROLES,
        "create": MANAGERS,
        "partial_update": MANAGERS,
        "history": MANAGERS,
    }

    def create(self, request: Request) -> Response:
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        created = self.create_service(actor=acting_user(request), **body.validated_data)
        return Response(
            self.get_serializer(created).data, status=status.HTTP_201_CREATED
        )

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        body = self.update_serializer_class(instance, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        changed = self.update_service(
            **{self.instance_argument: instance},
            actor=acting_user(request),
            **body.validated_data,
        )
        return Response(self.get_serializer(changed).data)


@_managed_schema(s.LocationSerializer, s.LocationSerializer, s.LocationUpdateSerializer)
class LocationViewSet(ManagedViewSet):
    """Sites of the clinic, each with its IANA time zone."""

    queryset = Location.objects.all()
    serializer_class = s.LocationSerializer
    update_serializer_class = s.LocationUpdateSerializer
    create_service = staticmethod(location_create)
    update_service = staticmethod(location_update)
    instance_argument = "location"
    filterset_fields = ["active"]
    ordering_fields = ["name"]
    ordering = ["name"]


@_managed_schema(s.RoomSerializer, s.RoomSerializer, s.RoomUpdateSerializer)
class RoomViewSet(ManagedViewSet):
    """Consult rooms, procedure rooms and infusion chairs; deactivated, not deleted."""

    queryset = Room.objects.all()
    serializer_class = s.RoomSerializer
    update_serializer_class = s.RoomUpdateSerializer
    create_service = staticmethod(room_create)
    update_service = staticmethod(room_update)
    instance_argument = "room"
    filterset_fields = ["location", "kind", "active"]
    ordering_fields = ["name", "location"]
    ordering = ["location", "name"]


@_managed_schema(
    s.PractitionerSerializer, s.PractitionerSerializer, s.PractitionerUpdateSerializer
)
class PractitionerViewSet(ManagedViewSet):
    """Staff users who can be booked: title, licence number, active."""

    queryset = Practitioner.objects.select_related("user")
    serializer_class = s.PractitionerSerializer
    update_serializer_class = s.PractitionerUpdateSerializer
    create_service = staticmethod(practitioner_create)
    update_service = staticmethod(practitioner_update)
    instance_argument = "practitioner"
    filterset_fields = ["active"]
    ordering = ["id"]


@_managed_schema(
    s.AppointmentTypeSerializer,
    s.AppointmentTypeSerializer,
    s.AppointmentTypeSerializer,
)
class AppointmentTypeViewSet(ManagedViewSet):
    """What can be booked: duration, room kind, buffer, observation, parallel limit."""

    queryset = AppointmentType.objects.all()
    serializer_class = s.AppointmentTypeSerializer
    update_serializer_class = s.AppointmentTypeSerializer
    create_service = staticmethod(appointment_type_create)
    update_service = staticmethod(appointment_type_update)
    instance_argument = "appointment_type"
    filterset_fields = ["active", "room_kind"]
    ordering = ["name"]


class ManagedDeletableViewSet(mixins.DestroyModelMixin, ManagedViewSet):
    """Schedule configuration, not clinical records: managers may remove it
    (its history stays)."""

    delete_service: Callable[..., Any]
    role_rules = {**ManagedViewSet.role_rules, "destroy": MANAGERS}

    def perform_destroy(self, instance: Any) -> None:
        self.delete_service(
            **{self.instance_argument: instance}, actor=acting_user(self.request)
        )


@_managed_schema(
    s.WorkingHoursSerializer, s.WorkingHoursSerializer, s.WorkingHoursUpdateSerializer
)
class WorkingHoursViewSet(ManagedDeletableViewSet):
    """Weekly working hours per practitioner and location, in local time."""

    queryset = WorkingHours.objects.all()
    serializer_class = s.WorkingHoursSerializer
    update_serializer_class = s.WorkingHoursUpdateSerializer
    create_service = staticmethod(working_hours_create)
    update_service = staticmethod(working_hours_update)
    delete_service = staticmethod(working_hours_delete)
    instance_argument = "hours"
    filterset_fields = ["practitioner", "location", "weekday"]
    ordering = ["practitioner", "weekday", "start_time"]


@_managed_schema(
    s.ScheduleExceptionSerializer,
    s.ScheduleExceptionSerializer,
    s.ScheduleExceptionUpdateSerializer,
)
class ScheduleExceptionViewSet(ManagedDeletableViewSet):
    """Dated leave (whole or part of a day) and extra hours."""

    queryset = ScheduleException.objects.select_related("created_by")
    serializer_class = s.ScheduleExceptionSerializer
    update_serializer_class = s.ScheduleExceptionUpdateSerializer
    create_service = staticmethod(schedule_exception_create)
    update_service = staticmethod(schedule_exception_update)
    delete_service = staticmethod(schedule_exception_delete)
    instance_argument = "exception"
    filterset_class = ScheduleExceptionFilter
    ordering = ["date", "start_time", "id"]


_STATUS_ACTION = extend_schema(
    request=s.StatusChangeInputSerializer,
    responses={200: s.AppointmentDetailSerializer, **_ERRORS},
)
# The same body, but the schema says a cancellation's reason is required.
_CANCEL_ACTION = extend_schema(
    request=s.CancelInputSerializer,
    responses={200: s.AppointmentDetailSerializer, **_ERRORS},
)
_BOOKING_ERRORS = {
    400: OpenApiResponse(s.ErrorSerializer, description="A rule, naming the field."),
    403: OpenApiResponse(s.ErrorSerializer, description="Override needs a manager."),
    409: OpenApiResponse(s.BookingErrorSerializer, description="Every collision."),
}


class AppointmentViewSet(
    ETagMixin,
    HistoryMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The schedule. Appointments are never deleted: cancel or mark no-show."""

    # One join, the rest prefetched: joining all six tables cost PostgreSQL
    # ~13 ms of planning per request (2M rows), four small prefetches ~1 ms.
    queryset = Appointment.objects.select_related("patient").prefetch_related(
        Prefetch("practitioner", Practitioner.objects.select_related("user")),
        Prefetch("room", Room.objects.select_related("location")),
        "type",
        "created_by",
    )
    lookup_field = "public_id"
    serializer_class = s.AppointmentSerializer
    pagination_class = CursorPagination
    filterset_class = AppointmentFilter
    ordering_fields = ["starts_at"]
    ordering = ["starts_at", "id"]
    role_rules = {
        "list": ALL_ROLES,
        "retrieve": ALL_ROLES,
        "create": FRONT_DESK,
        "partial_update": FRONT_DESK,
        "check_in": FRONT_DESK,
        "cancel": FRONT_DESK,
        "no_show": FRONT_DESK,
        "start": CLINICAL_ROLES,
        "complete": CLINICAL_ROLES,
        "history": MANAGERS,
    }

    def get_queryset(self) -> QuerySet[Appointment]:
        queryset = super().get_queryset()
        if self.action != "list":
            history = AppointmentStatusChange.objects.select_related("by")
            queryset = queryset.prefetch_related(Prefetch("status_changes", history))
        return queryset

    def get_serializer_class(self) -> type[serializers.Serializer]:
        if self.action == "list":
            return s.AppointmentSerializer
        return s.AppointmentDetailSerializer

    def _detail(self, appointment: Appointment, code: int = 200) -> Response:
        fresh = self.get_queryset().get(pk=appointment.pk)
        return Response(s.AppointmentDetailSerializer(fresh).data, status=code)

    @extend_schema(
        request=s.AppointmentBookSerializer,
        responses={201: s.AppointmentDetailSerializer, **_BOOKING_ERRORS},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        body = s.AppointmentBookSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        appointment = appointment_book(
            actor=acting_user(request), **body.validated_data
        )
        return self._detail(appointment, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.AppointmentMoveSerializer,
        responses={200: s.AppointmentDetailSerializer, **_BOOKING_ERRORS},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        appointment = self.get_object()
        body = s.AppointmentMoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        moved = appointment_move(
            appointment=appointment, actor=acting_user(request), **body.validated_data
        )
        return self._detail(moved)

    def _change_status(self, request: Request, service: Callable[..., Any]) -> Response:
        appointment = self.get_object()
        body = s.StatusChangeInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        changed = service(
            appointment=appointment, actor=acting_user(request), **body.validated_data
        )
        return self._detail(changed)

    @_STATUS_ACTION
    @action(detail=True, methods=["post"], url_path="check-in", filter_backends=[])
    def check_in(self, request: Request, public_id: str) -> Response:
        return self._change_status(request, status_services.appointment_check_in)

    @_STATUS_ACTION
    @action(detail=True, methods=["post"], filter_backends=[])
    def start(self, request: Request, public_id: str) -> Response:
        return self._change_status(request, status_services.appointment_start)

    @_STATUS_ACTION
    @action(detail=True, methods=["post"], filter_backends=[])
    def complete(self, request: Request, public_id: str) -> Response:
        return self._change_status(request, status_services.appointment_complete)

    @_CANCEL_ACTION
    @action(detail=True, methods=["post"], filter_backends=[])
    def cancel(self, request: Request, public_id: str) -> Response:
        return self._change_status(request, status_services.appointment_cancel)

    @_STATUS_ACTION
    @action(detail=True, methods=["post"], url_path="no-show", filter_backends=[])
    def no_show(self, request: Request, public_id: str) -> Response:
        return self._change_status(request, status_services.appointment_mark_no_show)


class AvailabilityView(APIView):
    """Free start times for a type over local dates, optionally for one
    practitioner or location."""

    role_rules = {"get": ALL_ROLES}

    @extend_schema(
        parameters=[s.AvailabilityQuerySerializer],
        responses={200: s.AvailabilitySerializer, 400: _ERRORS[400]},
    )
    def get(self, request: Request) -> Response:
        query = s.AvailabilityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = availability_search(
            type=query.validated_data["type"],
            date_from=query.validated_data["from"],
            date_to=query.validated_data["to"],
            practitioner=query.validated_data.get("practitioner"),
            location=query.validated_data.get("location"),
            now=timezone.now(),
        )
        return Response(s.AvailabilitySerializer({"slots": found}).data)
