"""Shapes of treatments input and output. Rules live in treatments.services."""

from typing import Any

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clinic.core.api.fields import BoundedDateField, BoundedDateTimeField
from clinic.core.api.serializers import StrictInputMixin
from clinic.core.codes import Indication, Route
from clinic.models import Appointment
from patients.models import Patient
from treatments.models import (
    Administration,
    AdministrationAmendment,
    Lot,
    Product,
    StockMovement,
)
from treatments.models.signatures import Amendment, SignatureMeaning, SignedRecord
from treatments.services.lots import EDITABLE_FIELDS as LOT_EDITABLE_FIELDS


class ProductSerializer(serializers.ModelSerializer):
    allowed_routes = serializers.ListField(
        child=serializers.ChoiceField(choices=Route.choices), allow_empty=False
    )
    under_ind = serializers.BooleanField(read_only=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "name",
            "manufacturer",
            "source_material",
            "isolation_method",
            "allowed_routes",
            "ind_number",
            "ind_sponsor",
            "regulatory_disclosure",
            "under_ind",
            "active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "under_ind", "created_at", "updated_at"]
        validators: list = []  # uniqueness is the service's (duplicate_product)


class ProductInputSerializer(StrictInputMixin, ProductSerializer):
    class Meta(ProductSerializer.Meta):
        pass


class ProductCreateSerializer(ProductInputSerializer):
    """A new product is active; `active` is changed by an update."""

    class Meta(ProductInputSerializer.Meta):
        fields = [f for f in ProductInputSerializer.Meta.fields if f != "active"]


class LotSerializer(serializers.ModelSerializer):
    product_name = serializers.CharField(source="product.name", read_only=True)
    on_hand = serializers.IntegerField(
        read_only=True, help_text="Vials on hand: the sum of the stock ledger."
    )

    class Meta:
        model = Lot
        fields = [
            "id",
            "product",
            "product_name",
            "lot_number",
            "supplier_code",
            "manufactured_on",
            "expires_on",
            "received_on",
            "particles_per_ml",
            "modal_size_nm",
            "vial_volume_ml",
            "coa_reference",
            "status",
            "released_at",
            "recalled_on",
            "recall_reason",
            "on_hand",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class LotInputSerializer(StrictInputMixin, serializers.ModelSerializer):
    # The supplier's code is kept byte for byte: it traces back to the donor.
    supplier_code = serializers.CharField(max_length=200, trim_whitespace=False)

    class Meta:
        model = Lot
        fields = ["product", *sorted(LOT_EDITABLE_FIELDS)]
        validators: list = []  # uniqueness is the service's (duplicate_lot_number)


class LotUpdateSerializer(LotInputSerializer):
    class Meta(LotInputSerializer.Meta):
        fields = sorted(LOT_EDITABLE_FIELDS)


class RecallSerializer(StrictInputMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
    date = BoundedDateField(help_text="The date of the recall notice.")


class RecipientSerializer(serializers.Serializer):
    """Exactly what the clinic needs to reach a recipient, no more."""

    patient_name = serializers.CharField(source="patient.full_name")
    mrn = serializers.CharField(source="patient.mrn")
    phone = serializers.CharField(source="patient.phone")
    email = serializers.CharField(source="patient.email")
    administered_at = BoundedDateTimeField()


class StockMovementSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.get_username", read_only=True)
    witness = serializers.CharField(
        source="witness.get_username", read_only=True, allow_null=True
    )
    administration = serializers.UUIDField(
        source="administration.public_id", read_only=True, allow_null=True
    )

    class Meta:
        model = StockMovement
        fields = [
            "id",
            "kind",
            "vials",
            "at",
            "by",
            "witness",
            "reason",
            "administration",
            "created_at",
        ]
        read_only_fields = fields


class StockMovementInputSerializer(StrictInputMixin, serializers.Serializer):
    kind = serializers.ChoiceField(choices=StockMovement.Kind.choices)
    vials = serializers.IntegerField(
        help_text="Positive adds vials (received, adjusted up), negative takes them."
    )
    at = BoundedDateTimeField(required=False, help_text="Defaults to now.")
    witness = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.all(), required=False, allow_null=True
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class LedgerSerializer(serializers.Serializer):
    on_hand = serializers.IntegerField()
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = StockMovementSerializer(many=True)


class AmendmentSerializer(serializers.ModelSerializer):
    amended_by = serializers.CharField(source="amended_by.get_username")
    changes = serializers.DictField(
        child=serializers.ListField(), help_text="{field: [old, new]}"
    )

    class Meta:
        # Each kind's subclass names its own amendment model.
        model: type[Amendment] = AdministrationAmendment
        fields = ["id", "amended_by", "amended_at", "reason", "changes", "digest"]
        read_only_fields = fields


def signed_values(record: SignedRecord) -> dict[str, Any] | None:
    """The signed value of each field an amendment changed (None if none):
    the first amendment touching a field recorded it as its old value."""
    signed: dict[str, Any] = {}
    for amendment in record.amendments.all():
        for name, (old, _new) in amendment.changes.items():
            signed.setdefault(name, old)
    return signed or None


class SignedRecordSerializer(serializers.Serializer):
    """What every signed record shows (administrations, follow-up notes): the
    record as it now reads, amendments applied; `as_signed` keeps the signed
    value of each field an amendment changed. A subclass (also a
    ModelSerializer) declares its `amendments` and lists in its Meta which of
    these fields it shows."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    patient = serializers.UUIDField(source="patient.public_id")
    patient_mrn = serializers.CharField(source="patient.mrn")
    signed_by = serializers.CharField(source="signed_by.get_username", allow_null=True)
    entered_in_error_by = serializers.CharField(
        source="entered_in_error_by.get_username", allow_null=True
    )
    as_signed = serializers.SerializerMethodField()
    # Blank until signed.
    signature_meaning = serializers.ChoiceField(
        choices=SignatureMeaning.choices, allow_blank=True, read_only=True
    )

    def to_representation(self, instance: SignedRecord) -> dict[str, Any]:
        return super().to_representation(instance.as_amended())

    @extend_schema_field(
        {"type": "object", "additionalProperties": {}, "nullable": True}
    )
    def get_as_signed(self, instance: SignedRecord) -> dict[str, Any] | None:
        return signed_values(instance)


class AdministrationSerializer(SignedRecordSerializer, serializers.ModelSerializer):
    """An administration as it now reads: amendments applied. `as_signed` keeps
    the values the signature covers wherever an amendment changed them."""

    patient_name = serializers.CharField(source="patient.full_name")
    lot_number = serializers.CharField(source="lot.lot_number")
    product = serializers.IntegerField(source="lot.product_id")
    product_name = serializers.CharField(source="lot.product.name")
    administered_by = serializers.CharField(source="administered_by.get_username")
    consent = serializers.UUIDField(source="consent.public_id")
    appointment = serializers.UUIDField(source="appointment.public_id", allow_null=True)
    amendments = AmendmentSerializer(many=True)

    class Meta:
        model = Administration
        fields = [
            "id",
            "status",
            "patient",
            "patient_mrn",
            "patient_name",
            "lot",
            "lot_number",
            "product",
            "product_name",
            "route",
            "route_snomed",
            "body_site",
            "dose_volume_ml",
            "vials_used",
            "particle_count",
            "administered_at",
            "administered_by",
            "appointment",
            "infusion_started_at",
            "infusion_ended_at",
            "infusion_rate_ml_per_h",
            "observation_ends_at",
            "indication",
            "indication_detail",
            "consent",
            "notes",
            "signed_by",
            "signed_at",
            "signature_meaning",
            "signature_digest",
            "amendments",
            "as_signed",
            "entered_in_error_reason",
            "entered_in_error_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class AdministrationInputSerializer(StrictInputMixin, serializers.Serializer):
    patient = serializers.SlugRelatedField(
        slug_field="public_id", queryset=Patient.objects.all()
    )
    lot = serializers.PrimaryKeyRelatedField(queryset=Lot.objects.all())
    route = serializers.ChoiceField(choices=Route.choices)
    body_site = serializers.CharField(required=False, allow_blank=True, max_length=120)
    dose_volume_ml = serializers.DecimalField(max_digits=7, decimal_places=2)
    vials_used = serializers.IntegerField()
    administered_at = BoundedDateTimeField()
    administered_by = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.all(),
        required=False,
        help_text="The practitioner who gave the dose; defaults to the caller.",
    )
    appointment = serializers.SlugRelatedField(
        slug_field="public_id",
        queryset=Appointment.objects.all(),
        required=False,
        allow_null=True,
        help_text="The appointment (id) the dose was given in: the same patient's,"
        " in progress or completed.",
    )
    infusion_started_at = BoundedDateTimeField(required=False, allow_null=True)
    infusion_ended_at = BoundedDateTimeField(required=False, allow_null=True)
    infusion_rate_ml_per_h = serializers.DecimalField(
        max_digits=7, decimal_places=2, required=False, allow_null=True
    )
    indication = serializers.ChoiceField(
        choices=Indication.choices  # the model field's
    )
    indication_detail = serializers.CharField(
        required=False, allow_blank=True, max_length=200
    )
    notes = serializers.CharField(required=False, allow_blank=True)


class CorrectionSerializer(StrictInputMixin, serializers.Serializer):
    """The fields a draft edit or an amendment may change (all optional)."""

    body_site = serializers.CharField(required=False, allow_blank=True, max_length=120)
    dose_volume_ml = serializers.DecimalField(
        max_digits=7, decimal_places=2, required=False
    )
    infusion_started_at = BoundedDateTimeField(required=False, allow_null=True)
    infusion_ended_at = BoundedDateTimeField(required=False, allow_null=True)
    infusion_rate_ml_per_h = serializers.DecimalField(
        max_digits=7, decimal_places=2, required=False, allow_null=True
    )
    indication_detail = serializers.CharField(
        required=False, allow_blank=True, max_length=200
    )
    notes = serializers.CharField(required=False, allow_blank=True)


class SignSerializer(StrictInputMixin, serializers.Serializer):
    password = serializers.CharField(
        write_only=True,
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text="The signer re-enters their own password.",
    )
    meaning = serializers.ChoiceField(choices=SignatureMeaning.choices)


# An amendment's password and reason; a subclass adds its `changes`. (No
# docstring: the schema would take it as the description of the bodies.)
class AmendBodySerializer(StrictInputMixin, serializers.Serializer):
    password = serializers.CharField(
        write_only=True, trim_whitespace=False, style={"input_type": "password"}
    )
    reason = serializers.CharField(max_length=2000)


class AmendSerializer(AmendBodySerializer):
    changes = CorrectionSerializer()
