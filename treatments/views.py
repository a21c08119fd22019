from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from clinic.core.api.concurrency import ETagMixin, idempotent
from clinic.core.api.filter_backends import ListFilterBackend
from clinic.core.api.history import HistoryMixin
from clinic.core.api.pagination import CursorPagination, PageNumberPagination
from clinic.core.roles import CLINICAL_ROLES, MANAGERS
from clinic.core.users import acting_user
from patients.serializers import ReasonSerializer
from treatments import services
from treatments.filters import AdministrationFilter, LotFilter
from treatments.models import Administration, Lot, Product, StockMovement
from treatments.serializers import (
    AdministrationInputSerializer,
    AdministrationSerializer,
    AmendSerializer,
    CorrectionSerializer,
    LedgerSerializer,
    LotInputSerializer,
    LotSerializer,
    LotUpdateSerializer,
    ProductCreateSerializer,
    ProductInputSerializer,
    ProductSerializer,
    RecallSerializer,
    RecipientSerializer,
    SignSerializer,
    StockMovementInputSerializer,
    StockMovementSerializer,
)
from treatments.services.administrations import ADMINISTRATION_LIFECYCLE
from treatments.services.signing import Lifecycle

UUID_PATTERN = "[0-9a-fA-F-]{36}"


if TYPE_CHECKING:
    # What the mixin is mixed into, so mypy checks its calls to it.
    from rest_framework.generics import GenericAPIView

    _View = GenericAPIView[Any]
else:
    _View = object


class SignedRecordViewSetMixin(_View):
    """What the viewsets of signed records (administrations, follow-up notes)
    share: addressed by public id, listed by a cursor, the same roles, and
    PATCH (a draft's correctable fields), POST .../sign/, .../amend/ and
    .../entered-in-error/, through the kind's `lifecycle` (its services, see
    treatments.services.signing.Lifecycle). Its bodies are declared with
    `signed_record_bodies`."""

    lookup_field = "public_id"
    lookup_value_regex = UUID_PATTERN
    filter_backends = [ListFilterBackend]  # the cursor fixes the ordering
    # Clinicians (and managers) write, sign, amend and mark them; managers
    # read their history; the front desk nothing.
    role_rules = {
        "list": CLINICAL_ROLES,
        "retrieve": CLINICAL_ROLES,
        "create": CLINICAL_ROLES,
        "partial_update": CLINICAL_ROLES,
        "sign": CLINICAL_ROLES,
        "amend": CLINICAL_ROLES,
        "entered_in_error": CLINICAL_ROLES,
        "history": MANAGERS,
    }
    lifecycle: Lifecycle
    serializer_class: type[serializers.Serializer]
    correction_serializer: type[serializers.Serializer]
    amend_serializer: type[serializers.Serializer]

    def _out(self, record: Any, **kwargs: Any) -> Response:
        fresh = self.get_queryset().get(pk=record.pk)
        return Response(self.serializer_class(fresh).data, **kwargs)

    # No docstrings on the operations: the schema would take them as their
    # descriptions, which are the viewset's.

    def partial_update(self, request: Request, **kwargs: Any) -> Response:
        body = self.correction_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        record = self.lifecycle.update(
            self.get_object(),
            actor=acting_user(request),
            changes=dict(body.validated_data),
        )
        return self._out(record)

    def _signer(self, request: Request, body: serializers.Serializer) -> dict[str, Any]:
        # With the HTTP request, a wrong password counts towards the lockout.
        return {
            "actor": acting_user(request),
            "password": body.validated_data["password"],
            "request": request._request,
        }

    @action(detail=True, methods=["post"])
    def sign(self, request: Request, **kwargs: Any) -> Response:
        body = SignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        record = self.lifecycle.sign(
            self.get_object(),
            meaning=body.validated_data["meaning"],
            **self._signer(request, body),
        )
        return self._out(record)

    @action(detail=True, methods=["post"])
    def amend(self, request: Request, **kwargs: Any) -> Response:
        body = self.amend_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        record = self.get_object()
        self.lifecycle.amend(
            record,
            reason=body.validated_data["reason"],
            changes=dict(body.validated_data["changes"]),
            **self._signer(request, body),
        )
        return self._out(record, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], url_path="entered-in-error")
    def entered_in_error(self, request: Request, **kwargs: Any) -> Response:
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        record = self.lifecycle.mark_entered_in_error(
            self.get_object(),
            actor=acting_user(request),
            reason=body.validated_data["reason"],
        )
        return self._out(record)


Viewset = TypeVar("Viewset", bound=type[SignedRecordViewSetMixin])


def signed_record_bodies(
    output: type[serializers.Serializer],
    correction: type[serializers.Serializer],
    amendment: type[serializers.Serializer],
) -> Callable[[Viewset], Viewset]:
    """Declares a signed-record viewset's bodies once, for its operations and
    their schema alike: `output` shows the record (an amendment answers 201
    with it), `correction` is the draft edit, `amendment` the amend body."""

    def declare(viewset: Viewset) -> Viewset:
        viewset.serializer_class = output
        viewset.correction_serializer = correction
        viewset.amend_serializer = amendment
        return extend_schema_view(
            partial_update=extend_schema(request=correction, responses=output),
            sign=extend_schema(request=SignSerializer, responses=output),
            amend=extend_schema(request=amendment, responses={201: output}),
            entered_in_error=extend_schema(request=ReasonSerializer, responses=output),
        )(viewset)

    return declare


class ProductViewSet(
    ETagMixin,
    HistoryMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Biologic products. Clinicians read them; managers manage them."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    filterset_fields = ["active", "source_material", "isolation_method"]
    ordering_fields = ["name", "manufacturer"]
    ordering = ["name"]
    role_rules = {
        "list": CLINICAL_ROLES,
        "retrieve": CLINICAL_ROLES,
        "create": MANAGERS,
        "partial_update": MANAGERS,
        "history": MANAGERS,
    }

    @extend_schema(request=ProductCreateSerializer, responses={201: ProductSerializer})
    @idempotent
    def create(self, request: Request) -> Response:
        body = ProductCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        product = services.product_create(
            actor=acting_user(request), **body.validated_data
        )
        return Response(ProductSerializer(product).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ProductInputSerializer, responses=ProductSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        body = ProductInputSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        product = services.product_update(
            product=self.get_object(), actor=acting_user(request), **body.validated_data
        )
        return Response(ProductSerializer(product).data)


class LotViewSet(
    ETagMixin,
    HistoryMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Product lots, their stock ledger, release and recall."""

    queryset = Lot.objects.select_related("product").with_on_hand()
    serializer_class = LotSerializer
    filterset_class = LotFilter
    ordering_fields = ["expires_on", "received_on", "lot_number"]
    ordering = ["expires_on", "lot_number"]
    role_rules = {
        "list": CLINICAL_ROLES,
        "retrieve": CLINICAL_ROLES,
        "stock": CLINICAL_ROLES,
        "create": MANAGERS,
        "partial_update": MANAGERS,
        "release": MANAGERS,
        "recall": MANAGERS,
        "recipients": MANAGERS,
        "stock_record": MANAGERS,
        "history": MANAGERS,
    }

    def _out(self, lot: Lot, **kwargs: Any) -> Response:
        return Response(self.etag_data(lot), **kwargs)

    def etag_data(self, obj: Lot) -> Any:
        fresh = self.get_queryset().get(pk=obj.pk)  # with its on-hand count
        return LotSerializer(fresh).data

    @extend_schema(request=LotInputSerializer, responses={201: LotSerializer})
    @idempotent
    def create(self, request: Request) -> Response:
        body = LotInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        lot = services.lot_create(actor=acting_user(request), **body.validated_data)
        return self._out(lot, status=status.HTTP_201_CREATED)

    @extend_schema(request=LotUpdateSerializer, responses=LotSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        body = LotUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        lot = services.lot_update(
            lot=self.get_object(), actor=acting_user(request), **body.validated_data
        )
        return self._out(lot)

    @extend_schema(request=None, responses=LotSerializer)
    @action(detail=True, methods=["post"])
    def release(self, request: Request, pk: str) -> Response:
        lot = services.lot_release(lot=self.get_object(), actor=acting_user(request))
        return self._out(lot)

    @extend_schema(request=RecallSerializer, responses=LotSerializer)
    @action(detail=True, methods=["post"])
    def recall(self, request: Request, pk: str) -> Response:
        body = RecallSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        lot = services.lot_recall(
            lot=self.get_object(),
            actor=acting_user(request),
            reason=body.validated_data["reason"],
            recalled_on=body.validated_data["date"],
        )
        return self._out(lot)

    @extend_schema(
        summary="Everyone who received this lot, with contact details",
        responses=RecipientSerializer(many=True),
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def recipients(self, request: Request, pk: str) -> Response:
        lot = self.get_object()
        paginator = PageNumberPagination()
        rows = paginator.paginate_queryset(
            Administration.objects.recall_recipients(lot.pk), request, view=self
        )
        return paginator.get_paginated_response(
            RecipientSerializer(rows, many=True).data
        )

    @extend_schema(
        summary="The lot's stock ledger (oldest first) and vials on hand",
        responses=LedgerSerializer,
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def stock(self, request: Request, pk: str) -> Response:
        lot = self.get_object()
        paginator = PageNumberPagination()
        rows = paginator.paginate_queryset(
            StockMovement.objects.filter(lot=lot).select_related(
                "by", "witness", "administration"
            ),
            request,
            view=self,
        )
        response = paginator.get_paginated_response(
            StockMovementSerializer(rows, many=True).data
        )
        response.data = {"on_hand": lot.on_hand, **response.data}
        return response

    @extend_schema(
        summary="Record a stock movement (received, wasted, destroyed, returned,"
        " adjusted)",
        request=StockMovementInputSerializer,
        responses={201: StockMovementSerializer},
    )
    @stock.mapping.post
    @idempotent  # a retried "received 10" must not receive 20
    def stock_record(self, request: Request, pk: str) -> Response:
        body = StockMovementInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        movement = services.stock_move(
            lot=self.get_object(), actor=acting_user(request), **body.validated_data
        )
        return Response(
            StockMovementSerializer(movement).data, status=status.HTTP_201_CREATED
        )


class AdministrationCursorPagination(CursorPagination):
    ordering = ("-administered_at", "-id")


@signed_record_bodies(AdministrationSerializer, CorrectionSerializer, AmendSerializer)
class AdministrationViewSet(
    SignedRecordViewSetMixin,
    ETagMixin,
    HistoryMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Treatment sessions: recorded as drafts, signed, then only amended or
    marked entered-in-error."""

    queryset = Administration.objects.for_display()
    filterset_class = AdministrationFilter
    pagination_class = AdministrationCursorPagination
    lifecycle = ADMINISTRATION_LIFECYCLE

    @extend_schema(
        request=AdministrationInputSerializer,
        responses={201: AdministrationSerializer},
    )
    @idempotent  # a retried recording must not take the vials twice
    def create(self, request: Request) -> Response:
        body = AdministrationInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        administered_by = data.pop("administered_by", request.user)
        administration = services.administration_record(
            actor=acting_user(request), administered_by=administered_by, **data
        )
        return self._out(administration, status=status.HTTP_201_CREATED)
