"""Shapes of follow-up notes, adverse events and the patient outcome view.
Rules live in treatments.services (follow_ups, adverse_events)."""

import datetime as dt
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clinic.core.api.fields import BoundedDateField, BoundedDateTimeField
from clinic.core.api.serializers import StrictInputMixin
from patients.models import Patient
from treatments.models import (
    Administration,
    AdverseEvent,
    FollowUpNote,
    FollowUpNoteAmendment,
)
from treatments.serializers import (
    AmendBodySerializer,
    AmendmentSerializer,
    SignedRecordSerializer,
)

# Follow-up notes -------------------------------------------------------------


class NoteAmendmentSerializer(AmendmentSerializer):
    class Meta(AmendmentSerializer.Meta):
        model = FollowUpNoteAmendment


class FollowUpNoteSerializer(SignedRecordSerializer, serializers.ModelSerializer):
    """A note as it now reads (amendments applied); `as_signed` keeps the
    signed value of each field an amendment changed."""

    administration = serializers.UUIDField(
        source="administration.public_id", allow_null=True
    )
    author = serializers.CharField(source="author.get_username")
    amendments = NoteAmendmentSerializer(many=True)

    class Meta:
        model = FollowUpNote
        fields = [
            "id",
            "status",
            "patient",
            "patient_mrn",
            "administration",
            "author",
            "noted_at",
            "contact_kind",
            "outcome_score",
            "text",
            "signed_by",
            "signed_at",
            "signature_meaning",
            "signature_digest",
            "entered_in_error_reason",
            "entered_in_error_at",
            "entered_in_error_by",
            "amendments",
            "as_signed",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class FollowUpNoteInputSerializer(StrictInputMixin, serializers.Serializer):
    patient = serializers.SlugRelatedField(
        slug_field="public_id", queryset=Patient.objects.all()
    )
    administration = serializers.SlugRelatedField(
        slug_field="public_id",
        queryset=Administration.objects.all(),
        required=False,
        allow_null=True,
        help_text="The administration (id) this note follows: the same patient's.",
    )
    noted_at = BoundedDateTimeField()
    contact_kind = serializers.ChoiceField(choices=FollowUpNote.ContactKind.choices)
    outcome_score = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Patient-reported outcome for the treated complaint, 0-10.",
    )
    text = serializers.CharField(required=False, allow_blank=True)


class FollowUpNoteCorrectionSerializer(StrictInputMixin, serializers.Serializer):
    """What a draft edit or an amendment may change (all optional)."""

    noted_at = BoundedDateTimeField(required=False)
    contact_kind = serializers.ChoiceField(
        choices=FollowUpNote.ContactKind.choices, required=False
    )
    outcome_score = serializers.IntegerField(required=False, allow_null=True)
    text = serializers.CharField(required=False, allow_blank=True)


class FollowUpNoteAmendSerializer(AmendBodySerializer):
    changes = FollowUpNoteCorrectionSerializer()


# Adverse events --------------------------------------------------------------


class AdverseEventSerializer(serializers.ModelSerializer):
    """An adverse event with its suspect lot (the administration's) and the
    report clock: `report_due_on` (serious events: awareness + 15 days) and
    `days_until_due` (negative when overdue; null when reported or not
    serious), counted on the clinic's date."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    patient = serializers.UUIDField(source="patient.public_id")
    patient_mrn = serializers.CharField(source="patient.mrn")
    patient_name = serializers.CharField(source="patient.full_name")
    administration = serializers.UUIDField(source="administration.public_id")
    administered_at = BoundedDateTimeField(source="administration.administered_at")
    suspect_lot = serializers.IntegerField(source="administration.lot_id")
    suspect_lot_number = serializers.CharField(source="administration.lot.lot_number")
    product_name = serializers.CharField(source="administration.lot.product.name")
    report_due_on = BoundedDateField(allow_null=True)
    days_until_due = serializers.SerializerMethodField()
    created_by = serializers.CharField(source="created_by.get_username")

    class Meta:
        model = AdverseEvent
        fields = [
            "id",
            "patient",
            "patient_mrn",
            "patient_name",
            "administration",
            "administered_at",
            "suspect_lot",
            "suspect_lot_number",
            "product_name",
            "onset_at",
            "aware_on",
            "description",
            "grade",
            "serious",
            *AdverseEvent.CRITERIA,
            "outcome",
            "relatedness",
            "reported_on",
            "report_due_on",
            "days_until_due",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "integer",
            "nullable": True,
            "description": "Days left to report (negative: overdue); null when"
            " not serious or already reported.",
        }
    )
    def get_days_until_due(self, event: AdverseEvent) -> int | None:
        today: dt.date = self.context.get("today") or timezone.localdate()
        return event.days_until_due(today=today)


class _EventFieldsMixin(serializers.Serializer):
    onset_at = BoundedDateTimeField()
    aware_on = BoundedDateField(
        help_text="The date the clinic became aware of the event."
    )
    description = serializers.CharField()
    grade = serializers.IntegerField(help_text="CTCAE grade, 1 to 5.")
    serious = serializers.BooleanField(required=False)
    results_in_death = serializers.BooleanField(required=False)
    life_threatening = serializers.BooleanField(required=False)
    hospitalisation = serializers.BooleanField(required=False)
    disability = serializers.BooleanField(required=False)
    intervention_required = serializers.BooleanField(required=False)
    outcome = serializers.ChoiceField(choices=AdverseEvent.Outcome.choices)
    relatedness = serializers.ChoiceField(choices=AdverseEvent.Relatedness.choices)


class AdverseEventInputSerializer(StrictInputMixin, _EventFieldsMixin):
    administration = serializers.SlugRelatedField(
        slug_field="public_id", queryset=Administration.objects.all()
    )
    patient = serializers.SlugRelatedField(
        slug_field="public_id",
        queryset=Patient.objects.all(),
        required=False,
        help_text="Optional: if given, it must be the administration's patient.",
    )
    reported_on = BoundedDateField(required=False, allow_null=True)


class AdverseEventUpdateSerializer(StrictInputMixin, _EventFieldsMixin):
    """Every updatable field, all optional; the report date is set by
    POST .../report/."""

    immutable_fields = ("administration", "patient", "reported_on")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class ReportedSerializer(StrictInputMixin, serializers.Serializer):
    reported_on = BoundedDateField(
        help_text="The date the event was reported to the authority."
    )


# The patient outcome view ----------------------------------------------------


class OutcomeNoteSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    noted_at = BoundedDateTimeField()
    contact_kind = serializers.CharField()
    outcome_score = serializers.IntegerField(allow_null=True)
    status = serializers.CharField()

    def to_representation(self, instance: FollowUpNote) -> dict[str, Any]:
        return super().to_representation(instance.as_amended())


class OutcomeEventSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    onset_at = BoundedDateTimeField()
    grade = serializers.IntegerField()
    serious = serializers.BooleanField()
    outcome = serializers.CharField()
    relatedness = serializers.CharField()
    reported_on = BoundedDateField(allow_null=True)
    report_due_on = BoundedDateField(allow_null=True)


class OutcomeAdministrationSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    administered_at = BoundedDateTimeField()
    status = serializers.CharField()
    product_name = serializers.CharField(source="lot.product.name")
    lot_number = serializers.CharField(source="lot.lot_number")
    route = serializers.CharField()
    dose_volume_ml = serializers.DecimalField(max_digits=7, decimal_places=2)
    indication = serializers.CharField()
    follow_ups = OutcomeNoteSerializer(many=True, source="follow_up_notes.all")
    adverse_events = OutcomeEventSerializer(many=True, source="adverse_events.all")

    def to_representation(self, instance: Administration) -> dict[str, Any]:
        return super().to_representation(instance.as_amended())


class OutcomePatientSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    mrn = serializers.CharField()
    name = serializers.CharField(source="full_name")


class PatientOutcomesSerializer(serializers.Serializer):
    """A patient's course: administrations oldest first, each with its
    follow-up scores and adverse events (oldest first); notes that follow no
    administration are listed apart."""

    patient = OutcomePatientSerializer()
    administrations = OutcomeAdministrationSerializer(many=True)
    other_follow_ups = OutcomeNoteSerializer(
        many=True, help_text="Notes that follow no particular administration."
    )
