"""Serializer plumbing shared by every app."""

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rest_framework import serializers

if TYPE_CHECKING:
    # What the mixin is mixed into, so mypy checks its calls to it.
    _Serializer = serializers.Serializer[Any]
else:
    _Serializer = object


class StrictInputMixin(_Serializer):
    """Refuse keys the serializer does not accept instead of silently dropping
    them: a client that sends `mrn` or a misspelt field learns it was not applied.

    `immutable_fields` names output fields that exist but are never written,
    so the error says so rather than calling them unknown.
    """

    immutable_fields: tuple[str, ...] = ()

    def to_internal_value(self, data: Any) -> Any:
        unknown: dict[str, list[str]] = {}
        if isinstance(data, Mapping):
            fields = self.fields
            for key in data:
                if key in self.immutable_fields or (
                    key in fields and fields[key].read_only
                ):
                    unknown[key] = ["This field cannot be changed."]
                elif key not in fields:
                    unknown[key] = ["This field is not accepted here."]
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if unknown and isinstance(exc.detail, dict):
                raise serializers.ValidationError({**exc.detail, **unknown}) from exc
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


class ErrorSerializer(serializers.Serializer[Any]):
    """The body of every error answer (clinic.core.api.exceptions.error_body)."""

    code = serializers.CharField(help_text="Stable, machine-readable.")
    detail = serializers.CharField(help_text="For people.")
    # DRF's metaclass takes declared fields off the class, so this field does
    # not replace Serializer.errors; django-stubs sees a class attribute.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.JSONField(),
        help_text="field -> [messages]; nested fields nest the same way.",
    )
