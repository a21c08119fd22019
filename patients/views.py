from collections.abc import Iterable
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from clinic.core.api.concurrency import ETagMixin, idempotent
from clinic.core.api.history import HistoryMixin
from clinic.core.errors import NotPermitted
from clinic.core.field_rules import unreadable_fields
from clinic.core.roles import ALL_ROLES, CLINICAL_ROLES, MANAGERS, Role, has_role
from clinic.core.users import acting_user
from patients import services
from patients.filters import PatientFilter, SignedConsentFilter
from patients.models import ConsentForm, Patient, SignedConsent
from patients.serializers import (
    CLINICAL_FIELDS,
    DEMOGRAPHIC_FIELDS,
    ClinicalPatientSerializer,
    ConsentFormInputSerializer,
    ConsentFormSerializer,
    PatientInputSerializer,
    PatientSerializer,
    ReasonSerializer,
    SignedConsentInputSerializer,
    SignedConsentSerializer,
    WithdrawSerializer,
)

FRONT_DESK = frozenset({Role.FRONT_DESK})  # managers hold it implicitly


def _writable_patient_fields(user: Any) -> set[str]:
    fields = set()
    if has_role(user, Role.FRONT_DESK):
        fields |= set(DEMOGRAPHIC_FIELDS) | {"confirm_distinct"}
    if has_role(user, Role.CLINICIAN):
        fields |= set(CLINICAL_FIELDS) | {"allergies"}
    # Nobody writes a field their roles may not read (patients/apps.py).
    return fields - unreadable_fields(user, Patient)


def _refuse_fields_beyond_role(data: Iterable[str], user: Any) -> None:
    # `data` is the request body: its keys (the body was checked to be an object).
    refused = sorted(set(data) - _writable_patient_fields(user))
    if refused:
        raise NotPermitted(
            "Your role may not change these fields.",
            errors={
                field: ["Your role may not change this field."] for field in refused
            },
        )


class PatientViewSet(ETagMixin, HistoryMixin, viewsets.GenericViewSet):
    """Patients are registered, found, edited and deactivated; never deleted."""

    queryset = Patient.objects.all()
    lookup_field = "public_id"
    filterset_class = PatientFilter
    ordering_fields = [
        "family_name",
        "given_name",
        "date_of_birth",
        "mrn",
        "created_at",
    ]
    ordering = ["family_name", "given_name", "mrn"]
    role_rules = {
        "list": ALL_ROLES,
        "retrieve": ALL_ROLES,
        "create": FRONT_DESK,
        "partial_update": ALL_ROLES,  # which fields depends on the role
        "deactivate": FRONT_DESK,
        "reactivate": FRONT_DESK,
        "history": MANAGERS,
    }

    def get_serializer_class(self) -> type:
        # The role-dependent fields (patients/apps.py `field_read_roles`), all
        # of them for a user who may read them, none otherwise.
        if unreadable_fields(self.request.user, Patient):
            return PatientSerializer
        return ClinicalPatientSerializer

    def _out(self, patient: Patient, **kwargs: Any) -> Response:
        return Response(self.get_serializer(patient).data, **kwargs)

    def list(self, request: Request) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, public_id: str) -> Response:
        return self._out(self.get_object())

    @extend_schema(
        request=PatientInputSerializer, responses={201: ClinicalPatientSerializer}
    )
    @idempotent
    def create(self, request: Request) -> Response:
        body = PatientInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        _refuse_fields_beyond_role(request.data, request.user)
        data = dict(body.validated_data)
        confirmed = data.pop("confirm_distinct", False)
        patient = services.patient_register(
            actor=acting_user(request), confirmed_distinct=confirmed, **data
        )
        return self._out(patient, status=status.HTTP_201_CREATED)

    @extend_schema(request=PatientInputSerializer, responses=ClinicalPatientSerializer)
    def partial_update(self, request: Request, public_id: str) -> Response:
        patient = self.get_object()
        body = PatientInputSerializer(patient, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        _refuse_fields_beyond_role(request.data, request.user)
        data = dict(body.validated_data)
        data.pop("confirm_distinct", None)
        patient = services.patient_update(
            patient=patient, actor=acting_user(request), **data
        )
        return self._out(patient)

    @extend_schema(request=ReasonSerializer, responses=ClinicalPatientSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, public_id: str) -> Response:
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        patient = services.patient_deactivate(
            patient=self.get_object(),
            actor=acting_user(request),
            reason=body.validated_data["reason"],
        )
        return self._out(patient)

    @extend_schema(request=ReasonSerializer, responses=ClinicalPatientSerializer)
    @action(detail=True, methods=["post"])
    def reactivate(self, request: Request, public_id: str) -> Response:
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        patient = services.patient_reactivate(
            patient=self.get_object(),
            actor=acting_user(request),
            reason=body.validated_data["reason"],
        )
        return self._out(patient)


class ConsentFormViewSet(
    ETagMixin,
    HistoryMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Versioned consent documents; published versions are immutable."""

    queryset = ConsentForm.objects.prefetch_related("covered_products")
    serializer_class = ConsentFormSerializer
    filterset_fields = ["title", "status"]
    ordering_fields = ["title", "version", "effective_date"]
    ordering = ["title", "-version"]
    role_rules = {
        "list": ALL_ROLES,
        "retrieve": ALL_ROLES,
        "create": MANAGERS,
        "partial_update": MANAGERS,
        "publish": MANAGERS,
        "new_version": MANAGERS,
        "history": MANAGERS,
    }

    @extend_schema(
        request=ConsentFormInputSerializer, responses={201: ConsentFormSerializer}
    )
    def create(self, request: Request) -> Response:
        body = ConsentFormInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = {"covered_products": [], **body.validated_data}  # a draft may name none
        form = services.consent_form_create(actor=acting_user(request), **data)
        return Response(
            ConsentFormSerializer(form).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=ConsentFormInputSerializer, responses=ConsentFormSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        form = self.get_object()
        body = ConsentFormInputSerializer(form, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        form = services.consent_form_update(
            form=form, actor=acting_user(request), **body.validated_data
        )
        return Response(ConsentFormSerializer(form).data)

    @extend_schema(request=None, responses=ConsentFormSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str) -> Response:
        form = services.consent_form_publish(
            form=self.get_object(), actor=acting_user(request)
        )
        return Response(ConsentFormSerializer(form).data)

    @extend_schema(request=None, responses={201: ConsentFormSerializer})
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request: Request, pk: str) -> Response:
        form = services.consent_form_new_version(
            form=self.get_object(), actor=acting_user(request)
        )
        return Response(
            ConsentFormSerializer(form).data, status=status.HTTP_201_CREATED
        )


class SignedConsentViewSet(
    ETagMixin,
    HistoryMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Signed consents: recorded, read, withdrawn; never edited or deleted."""

    queryset = SignedConsent.objects.select_related("patient", "form", "witness")
    serializer_class = SignedConsentSerializer
    lookup_field = "public_id"
    filterset_class = SignedConsentFilter
    ordering_fields = ["signed_at", "created_at"]
    ordering = ["-signed_at"]
    role_rules = {
        "list": ALL_ROLES,
        "retrieve": ALL_ROLES,
        "create": FRONT_DESK,
        # A patient may withdraw in the treatment room too, so clinicians record it.
        "withdraw": FRONT_DESK | CLINICAL_ROLES,
        "history": MANAGERS,
    }

    @extend_schema(
        request=SignedConsentInputSerializer, responses={201: SignedConsentSerializer}
    )
    @idempotent
    def create(self, request: Request) -> Response:
        body = SignedConsentInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        consent = services.consent_record(
            actor=acting_user(request), **body.validated_data
        )
        return Response(
            SignedConsentSerializer(consent).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=WithdrawSerializer, responses=SignedConsentSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, public_id: str) -> Response:
        body = WithdrawSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        consent = services.consent_withdraw(
            consent=self.get_object(), actor=acting_user(request), **body.validated_data
        )
        return Response(SignedConsentSerializer(consent).data)
