"""Shapes of the clinic's API: input serializers check shape only (the services
hold the rules), output serializers say what callers see."""

from datetime import timedelta
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework import serializers

from clinic.core.api.fields import BoundedDateField, BoundedDateTimeField
from clinic.core.api.serializers import ErrorSerializer, StrictInputMixin
from clinic.core.users import User
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
from clinic.models.locations import validate_time_zone
from clinic.services.availability import MAX_DAYS
from patients.models import Patient


class AwareDateTimeField(BoundedDateTimeField):
    """An instant: a time without a UTC offset is refused, not guessed."""

    default_error_messages = {
        "naive": "Give the time with its UTC offset, e.g. 2026-03-02T09:00:00-05:00."
    }

    def enforce_timezone(self, value: Any) -> Any:
        if timezone.is_naive(value):
            self.fail("naive")
        return super().enforce_timezone(value)


class LocalDateTimeField(BoundedDateTimeField):
    """Output only: keeps the offset the value carries (the location's)."""

    def enforce_timezone(self, value: Any) -> Any:
        return value


class CollisionSerializer(serializers.Serializer):
    resource = serializers.ChoiceField(choices=["practitioner", "room", "patient"])
    appointment = serializers.CharField()
    starts_at = BoundedDateTimeField()
    ends_at = BoundedDateTimeField()


class BookingErrorSerializer(ErrorSerializer):
    """409 booking_collision lists every collision; other codes leave it out."""

    collisions = CollisionSerializer(many=True, required=False)


class LocationSerializer(StrictInputMixin, serializers.ModelSerializer):
    """Output, and the shape of a new location (active from the start, like a
    new room: it is deactivated by an update)."""

    time_zone = serializers.CharField(max_length=64, validators=[validate_time_zone])

    class Meta:
        model = Location
        fields = ["id", "name", "time_zone", "address", "active", "created_at"]
        read_only_fields = ["id", "active", "created_at"]


class LocationUpdateSerializer(LocationSerializer):
    class Meta(LocationSerializer.Meta):
        fields = ["name", "time_zone", "address", "active"]
        read_only_fields: list[str] = []


class RoomSerializer(StrictInputMixin, serializers.ModelSerializer):
    class Meta:
        model = Room
        fields = ["id", "location", "name", "kind", "active", "created_at"]
        read_only_fields = ["id", "active", "created_at"]


class RoomUpdateSerializer(StrictInputMixin, serializers.ModelSerializer):
    class Meta:
        model = Room
        fields = ["name", "kind", "active"]


class PractitionerSerializer(StrictInputMixin, serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    user = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.all())

    class Meta:
        model = Practitioner
        fields = [
            "id",
            "user",
            "name",
            "title",
            "licence_number",
            "active",
            "created_at",
        ]
        read_only_fields = ["id", "active", "created_at"]


class PractitionerUpdateSerializer(StrictInputMixin, serializers.ModelSerializer):
    class Meta:
        model = Practitioner
        fields = ["title", "licence_number", "active"]


class WorkingHoursSerializer(StrictInputMixin, serializers.ModelSerializer):
    class Meta:
        model = WorkingHours
        fields = ["id", "practitioner", "location", "weekday", "start_time", "end_time"]
        read_only_fields = ["id"]


class WorkingHoursUpdateSerializer(StrictInputMixin, serializers.ModelSerializer):
    class Meta:
        model = WorkingHours
        fields = ["location", "weekday", "start_time", "end_time"]


class ScheduleExceptionSerializer(StrictInputMixin, serializers.ModelSerializer):
    created_by: "serializers.SlugRelatedField[User]" = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = ScheduleException
        fields = [
            "id",
            "practitioner",
            "location",
            "date",
            "kind",
            "start_time",
            "end_time",
            "reason",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["id", "created_by", "created_at"]


class ScheduleExceptionUpdateSerializer(StrictInputMixin, serializers.ModelSerializer):
    class Meta:
        model = ScheduleException
        fields = ["location", "date", "kind", "start_time", "end_time", "reason"]


class AppointmentTypeSerializer(StrictInputMixin, serializers.ModelSerializer):
    class Meta:
        model = AppointmentType
        fields = [
            "id",
            "name",
            "default_duration_minutes",
            "room_kind",
            "buffer_after_minutes",
            "observation_minutes",
            "max_parallel",
            "active",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]


# Appointments ---------------------------------------------------------------


class PatientBriefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    mrn = serializers.CharField()
    name = serializers.CharField(source="full_name")


class PractitionerBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    title = serializers.CharField()


class LocationBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    time_zone = serializers.CharField()


class RoomBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Room.Kind.choices)


class RoomWithLocationSerializer(RoomBriefSerializer):
    location = LocationBriefSerializer()


class TypeBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AppointmentSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    patient = PatientBriefSerializer()
    practitioner = PractitionerBriefSerializer()
    room = RoomWithLocationSerializer()
    type = TypeBriefSerializer()
    created_by: "serializers.SlugRelatedField[User]" = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = Appointment
        fields = [
            "id",
            "patient",
            "practitioner",
            "room",
            "type",
            "starts_at",
            "ends_at",
            "blocks_until",
            "status",
            "notes",
            "cancellation_reason",
            "override_reason",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class StatusChangeSerializer(serializers.ModelSerializer):
    by: "serializers.SlugRelatedField[User]" = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    # Blank on the first entry (the booking itself).
    from_status = serializers.ChoiceField(
        choices=Appointment.Status.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = AppointmentStatusChange
        fields = ["from_status", "to_status", "at", "by", "reason"]
        read_only_fields = fields


class AppointmentDetailSerializer(AppointmentSerializer):
    status_history = StatusChangeSerializer(source="status_changes", many=True)

    class Meta(AppointmentSerializer.Meta):
        fields = [*AppointmentSerializer.Meta.fields, "status_history"]
        read_only_fields = fields


class AppointmentBookSerializer(StrictInputMixin, serializers.Serializer):
    patient = serializers.SlugRelatedField(
        slug_field="public_id", queryset=Patient.objects.all(), help_text="Patient id."
    )
    practitioner = serializers.PrimaryKeyRelatedField(
        queryset=Practitioner.objects.all()
    )
    room = serializers.PrimaryKeyRelatedField(queryset=Room.objects.all())
    type = serializers.PrimaryKeyRelatedField(queryset=AppointmentType.objects.all())
    starts_at = AwareDateTimeField()
    ends_at = AwareDateTimeField(
        required=False, help_text="Defaults to the type's duration after the start."
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Managers only: why this is booked outside working hours.",
    )


class AppointmentMoveSerializer(StrictInputMixin, serializers.Serializer):
    practitioner = serializers.PrimaryKeyRelatedField(
        queryset=Practitioner.objects.all(), required=False
    )
    room = serializers.PrimaryKeyRelatedField(
        queryset=Room.objects.all(), required=False
    )
    type = serializers.PrimaryKeyRelatedField(
        queryset=AppointmentType.objects.all(), required=False
    )
    starts_at = AwareDateTimeField(required=False)
    ends_at = AwareDateTimeField(
        required=False, help_text="Without it, a new start keeps the duration."
    )
    notes = serializers.CharField(required=False, allow_blank=True)
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Managers only; needed again for a new time outside working hours.",
    )


class StatusChangeInputSerializer(StrictInputMixin, serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Why; required to cancel.",
    )


class CancelInputSerializer(StatusChangeInputSerializer):
    """A cancellation's body as the schema documents it. The view reads it
    with StatusChangeInputSerializer and the service refuses a missing
    reason (400 `reason_required`), so the schema marks it required here."""

    reason = serializers.CharField(help_text="Why it is cancelled.")


# Availability ---------------------------------------------------------------


class AvailabilityQuerySerializer(serializers.Serializer):
    type = serializers.PrimaryKeyRelatedField(queryset=AppointmentType.objects.all())
    to = BoundedDateField(help_text="Last local date searched (inclusive).")
    practitioner = serializers.PrimaryKeyRelatedField(
        queryset=Practitioner.objects.all(), required=False
    )
    location = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.all(), required=False
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        # "from" is a Python keyword, so it cannot be declared as an attribute.
        return {
            "from": BoundedDateField(help_text="First local date searched."),
            **super().get_fields(),
        }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["to"] < attrs["from"]:
            raise serializers.ValidationError({"to": ["Must not be before from."]})
        if attrs["to"] - attrs["from"] >= timedelta(days=MAX_DAYS):
            raise serializers.ValidationError(
                {"to": [f"Search at most {MAX_DAYS} days at once."]}
            )
        return attrs


class SlotSerializer(serializers.Serializer):
    starts_at = LocalDateTimeField(help_text="In the location's time zone.")
    ends_at = LocalDateTimeField()
    practitioner = PractitionerBriefSerializer()
    location = LocationBriefSerializer()
    rooms = RoomBriefSerializer(many=True, help_text="Suitable rooms free then.")

    def to_representation(self, instance: Any) -> dict[str, Any]:
        # A week holds hundreds of slots naming the same few practitioners,
        # locations and rooms: each is represented once per response.
        briefs = self.root.__dict__.setdefault("_briefs", {})
        fields = self.fields
        # RoomBriefSerializer(many=True) above is a ListSerializer of its child.
        rooms = cast(serializers.ListSerializer[Any], fields["rooms"])

        def brief(field: Any, obj: Any) -> Any:
            key = (type(field), obj.pk)
            if key not in briefs:
                briefs[key] = field.to_representation(obj)
            return briefs[key]

        return {
            "starts_at": fields["starts_at"].to_representation(instance.starts_at),
            "ends_at": fields["ends_at"].to_representation(instance.ends_at),
            "practitioner": brief(fields["practitioner"], instance.practitioner),
            "location": brief(fields["location"], instance.location),
            "rooms": [brief(rooms.child, room) for room in instance.rooms],
        }


class AvailabilitySerializer(serializers.Serializer):
    slots = SlotSerializer(many=True)
