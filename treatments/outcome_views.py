"""Follow-up notes, adverse events and a patient's outcomes over a course.
Thin views: role rules, input shape, one service call, output shape."""

from typing import Any

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.core.api.concurrency import ETagMixin, idempotent
from clinic.core.api.filter_backends import ListFilterBackend, ListOrderingFilter
from clinic.core.api.history import HistoryMixin
from clinic.core.api.pagination import CursorPagination, PageNumberPagination
from clinic.core.roles import CLINICAL_ROLES, MANAGERS
from clinic.core.users import acting_user
from patients.models import Patient
from treatments import services
from treatments.filters import AdverseEventFilter, FollowUpNoteFilter
from treatments.models import (
    Administration,
    AdministrationAmendment,
    AdverseEvent,
    FollowUpNote,
)
from treatments.outcome_serializers import (
    AdverseEventInputSerializer,
    AdverseEventSerializer,
    AdverseEventUpdateSerializer,
    FollowUpNoteAmendSerializer,
    FollowUpNoteCorrectionSerializer,
    FollowUpNoteInputSerializer,
    FollowUpNoteSerializer,
    PatientOutcomesSerializer,
    ReportedSerializer,
)
from treatments.services.follow_ups import FOLLOW_UP_LIFECYCLE
from treatments.views import (
    UUID_PATTERN,
    SignedRecordViewSetMixin,
    signed_record_bodies,
)


class FollowUpCursorPagination(CursorPagination):
    ordering = ("-noted_at", "-id")


@signed_record_bodies(
    FollowUpNoteSerializer,
    FollowUpNoteCorrectionSerializer,
    FollowUpNoteAmendSerializer,
)
class FollowUpNoteViewSet(
    SignedRecordViewSetMixin,
    ETagMixin,
    HistoryMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Follow-up notes: drafts, signed (password re-entered), then amended."""

    queryset = FollowUpNote.objects.for_display()
    filterset_class = FollowUpNoteFilter
    pagination_class = FollowUpCursorPagination
    lifecycle = FOLLOW_UP_LIFECYCLE

    @extend_schema(
        request=FollowUpNoteInputSerializer, responses={201: FollowUpNoteSerializer}
    )
    @idempotent
    def create(self, request: Request) -> Response:
        body = FollowUpNoteInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        note = services.follow_up_record(
            actor=acting_user(request), **body.validated_data
        )
        return self._out(note, status=status.HTTP_201_CREATED)


class AdverseEventViewSet(
    ETagMixin,
    HistoryMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Adverse events and the report clock (`?overdue=true`). Not signed:
    updated as the outcome evolves, every rule re-checked, every version in
    the history."""

    queryset = AdverseEvent.objects.for_display()
    serializer_class = AdverseEventSerializer
    lookup_field = "public_id"
    lookup_value_regex = UUID_PATTERN
    filterset_class = AdverseEventFilter
    filter_backends = [ListFilterBackend, ListOrderingFilter]
    ordering_fields = ["onset_at", "aware_on", "grade"]
    ordering = ["-onset_at", "-id"]
    pagination_class = PageNumberPagination
    role_rules = {
        "list": CLINICAL_ROLES,
        "retrieve": CLINICAL_ROLES,
        "create": CLINICAL_ROLES,
        "partial_update": CLINICAL_ROLES,
        "report": CLINICAL_ROLES,
        "history": MANAGERS,
    }

    def get_serializer_context(self) -> dict[str, Any]:
        # One clinic date per request for the report clock.
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def _out(self, event: AdverseEvent, **kwargs: Any) -> Response:
        fresh = self.get_queryset().get(pk=event.pk)
        return Response(self.get_serializer(fresh).data, **kwargs)

    @extend_schema(
        request=AdverseEventInputSerializer, responses={201: AdverseEventSerializer}
    )
    @idempotent
    def create(self, request: Request) -> Response:
        body = AdverseEventInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        event = services.adverse_event_record(
            actor=acting_user(request), **body.validated_data
        )
        return self._out(event, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=AdverseEventUpdateSerializer, responses=AdverseEventSerializer
    )
    def partial_update(self, request: Request, public_id: str) -> Response:
        body = AdverseEventUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        event = services.adverse_event_update(
            event=self.get_object(),
            actor=acting_user(request),
            changes=dict(body.validated_data),
        )
        return self._out(event)

    @extend_schema(request=ReportedSerializer, responses=AdverseEventSerializer)
    @action(detail=True, methods=["post"])
    def report(self, request: Request, public_id: str) -> Response:
        body = ReportedSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        event = services.adverse_event_mark_reported(
            event=self.get_object(),
            actor=acting_user(request),
            reported_on=body.validated_data["reported_on"],
        )
        return self._out(event)


class PatientOutcomesView(APIView):
    """GET /api/v1/patients/{id}/outcomes/: the patient's administrations in
    time order with their follow-up scores and adverse events, in a fixed
    number of queries whatever the length of the course."""

    role_rules = {"get": CLINICAL_ROLES}

    @extend_schema(
        summary="A patient's response over a course of treatment",
        responses=PatientOutcomesSerializer,
    )
    def get(self, request: Request, public_id: str) -> Response:
        patient = get_object_or_404(Patient, public_id=public_id)
        notes = FollowUpNote.objects.order_by("noted_at", "id").prefetch_related(
            "amendments"
        )
        administrations = (
            Administration.objects.filter(patient=patient)
            .select_related("lot__product")
            .prefetch_related(
                Prefetch(
                    "amendments",
                    queryset=AdministrationAmendment.objects.order_by(
                        "amended_at", "id"
                    ),
                ),
                Prefetch("follow_up_notes", queryset=notes),
                Prefetch(
                    "adverse_events",
                    queryset=AdverseEvent.objects.order_by("onset_at", "id"),
                ),
            )
            .order_by("administered_at", "id")
        )
        other_notes = notes.filter(patient=patient, administration__isnull=True)
        data = PatientOutcomesSerializer(
            {
                "patient": patient,
                "administrations": administrations,
                "other_follow_ups": other_notes,
            }
        ).data
        return Response(data)
