from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers

from clinic.core.api.fields import BoundedDateTimeField
from clinic.core.api.serializers import StrictInputMixin
from clinic.core.codes import Indication, Route
from clinic.core.field_rules import role_dependent_fields, unreadable_fields
from patients.models import ConsentForm, Patient, SignedConsent

# Fields only some roles read (the relevant history: clinical roles), as
# declared once in patients/apps.py `field_read_roles`; the admin applies the
# same declaration. Every role reads the rest of what is editable.
CLINICAL_FIELDS = role_dependent_fields(Patient)
DEMOGRAPHIC_FIELDS = [f for f in Patient.EDITABLE_FIELDS if f not in CLINICAL_FIELDS]


class PatientSerializer(serializers.ModelSerializer):
    """What every staff role sees of a patient."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    phone = serializers.CharField(read_only=True)
    emergency_contact_phone = serializers.CharField(read_only=True)

    class Meta:
        model = Patient
        fields = [
            "id",
            "mrn",
            *DEMOGRAPHIC_FIELDS,
            "active",
            "deactivated_at",
            "deactivation_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ClinicalPatientSerializer(PatientSerializer):
    """Clinicians and managers also see the relevant history."""

    class Meta(PatientSerializer.Meta):
        fields = [*PatientSerializer.Meta.fields, *CLINICAL_FIELDS]
        read_only_fields = fields
        # Only clinical roles receive them (the schema says so).
        role_dependent_fields = CLINICAL_FIELDS

    def to_representation(self, instance: Patient) -> dict:
        # The view picks this serializer by role; this holds even if one did
        # not: a field the requesting user may not read is never sent (no
        # request, no user: none of them).
        data = super().to_representation(instance)
        request = self.context.get("request")
        for name in unreadable_fields(getattr(request, "user", None), Patient):
            data.pop(name, None)
        return data


class PatientInputSerializer(StrictInputMixin, serializers.ModelSerializer):
    """Shape of a registration or an edit; the rules live in patients.services."""

    immutable_fields = (
        "id",
        "mrn",
        "active",
        "deactivated_at",
        "deactivation_reason",
        "created_at",
        "updated_at",
    )

    phone = PhoneNumberField(required=False, allow_blank=True)
    emergency_contact_phone = PhoneNumberField(required=False, allow_blank=True)
    confirm_distinct = serializers.BooleanField(
        required=False,
        default=False,
        write_only=True,
        help_text="Register even though a patient with the same name and date of"
        " birth exists, because this is a different person.",
    )

    class Meta:
        model = Patient
        fields = [*DEMOGRAPHIC_FIELDS, *CLINICAL_FIELDS, "confirm_distinct"]
        extra_kwargs = {"sex": {"choices": Patient.Sex.choices}}


class ReasonSerializer(StrictInputMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ConsentFormSerializer(serializers.ModelSerializer):
    covered_routes = serializers.ListField(
        child=serializers.ChoiceField(choices=Route.choices)
    )
    covered_indications = serializers.ListField(
        child=serializers.ChoiceField(choices=Indication.choices)
    )

    class Meta:
        model = ConsentForm
        fields = [
            "id",
            "title",
            "version",
            "body",
            "covered_routes",
            "covered_indications",
            "covered_products",
            "effective_date",
            "status",
            "published_at",
            "created_at",
        ]
        read_only_fields = ["id", "version", "status", "published_at", "created_at"]


class ConsentFormInputSerializer(StrictInputMixin, ConsentFormSerializer):
    class Meta(ConsentFormSerializer.Meta):
        pass


class SignedConsentSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    patient = serializers.UUIDField(source="patient.public_id", read_only=True)
    patient_mrn = serializers.CharField(source="patient.mrn", read_only=True)
    form_title = serializers.CharField(source="form.title", read_only=True)
    form_version = serializers.IntegerField(source="form.version", read_only=True)
    witness_name = serializers.CharField(source="witness.get_full_name", read_only=True)

    class Meta:
        model = SignedConsent
        fields = [
            "id",
            "patient",
            "patient_mrn",
            "form",
            "form_title",
            "form_version",
            "signed_at",
            "signed_by",
            "representative_name",
            "representative_relationship",
            "witness",
            "witness_name",
            "expires_at",
            "withdrawn_at",
            "withdrawal_reason",
            "withdrawn_by",
            "created_at",
        ]
        read_only_fields = fields


class SignedConsentInputSerializer(StrictInputMixin, serializers.ModelSerializer):
    patient = serializers.SlugRelatedField(
        slug_field="public_id", queryset=Patient.objects.all()
    )
    # Declared, not generated: a generated DateTimeField converts the zone
    # before the model's range validator runs.
    signed_at = BoundedDateTimeField()
    expires_at = BoundedDateTimeField(required=False, allow_null=True)

    class Meta:
        model = SignedConsent
        fields = [
            "patient",
            "form",
            "signed_at",
            "signed_by",
            "representative_name",
            "representative_relationship",
            "witness",
            "expires_at",
        ]


class WithdrawSerializer(ReasonSerializer):
    at = BoundedDateTimeField(
        required=False, help_text="When the patient withdrew; defaults to now."
    )
