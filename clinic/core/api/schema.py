"""The OpenAPI schema documents, for every operation, each error status the
API can answer, with the one error body (clinic.core.api.exceptions), and the
If-Match and Idempotency-Key headers where they apply.

Done here once rather than per view, so a new endpoint is documented the
same way and the fuzzing test (tests/security/test_fuzz_api.py) holds it to it.
"""

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from clinic.core.api.concurrency import UPDATE_METHODS, ETagMixin
from clinic.core.api.permissions import PUBLIC
from clinic.core.api.serializers import ErrorSerializer, StrictInputMixin

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ERROR_DESCRIPTIONS = {
    400: "Invalid input or a broken rule; `errors` names each field.",
    401: "No valid credentials (token or session).",
    403: "Your role may not do this.",
    404: "No such record, or no such page of results.",
    409: "Conflicts with stored data; `code` says how.",
    412: "If-Match does not match the record's current ETag.",
    413: "The request body is larger than the server accepts.",
    415: "Unsupported request content type.",
    428: "If-Match is missing: send the ETag of your last read of the record.",
    422: "This Idempotency-Key was already used with a different request.",
    429: "Too many requests or failed logins; see Retry-After.",
}

# What ETagMixin reads as entity tags: at least one that is not blank (an
# empty header or one of commas is 400), and on updates never `*` (428).
ENTITY_TAGS = {"type": "string", "pattern": r"[^\s,]"}
ENTITY_TAGS_NOT_ANY = {"type": "string", "pattern": r"^[^*]*[^\s,*][^*]*$"}

IF_MATCH = OpenApiParameter(
    "If-Match",
    ENTITY_TAGS,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "The ETag you read. If the record changed since, the answer is 412 and"
        " nothing changes. Optional on actions, whose state machine refuses a"
        " stale transition anyway."
    ),
)
IF_MATCH_REQUIRED = OpenApiParameter(
    "If-Match",
    ENTITY_TAGS_NOT_ANY,
    OpenApiParameter.HEADER,
    required=True,
    description=(
        "The ETag you read (`*` is not accepted). Without it the answer is 428;"
        " if the record changed since, 412; either way nothing changes."
    ),
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    # The length clinic.core.api.concurrency.idempotent accepts (else 400).
    {"type": "string", "minLength": 1, "maxLength": 255},
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "1-255 characters, unique per intended create. A retry with the same key"
        " and body returns the first response (Idempotent-Replayed: true) and"
        " creates nothing; the same key with another body is 422."
    ),
)


TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"


def decimal_pattern(field: serializers.DecimalField) -> str:
    """A decimal string as the field reads it: at least one digit, at most the
    whole and decimal places it allows, no minus sign when its minimum is not
    negative, and not zero when its minimum is positive (exact when the
    minimum is the smallest step, as for volumes and sizes). drf-spectacular's
    own pattern makes every digit optional, so it admits "" and "-", which the
    field refuses. [0-9], not \\d: generators read \\d as any Unicode digit."""
    whole, places, least = field.max_whole_digits, field.decimal_places, field.min_value
    sign = "-?" if least is None or least < 0 else ""
    not_zero = "(?![0.]*$)" if least is not None and least > 0 else ""
    digits = rf"[0-9]{{1,{places or ''}}}"
    if whole == 0:
        # No whole digits: DRF counts the 0 in "0" as one, but not in "0.5".
        return rf"^{not_zero}{sign}0?\.{digits}$"
    fraction = "" if places == 0 else rf"(?:\.{digits})?"
    return rf"^{not_zero}{sign}[0-9]{{1,{whole or ''}}}{fraction}$"


class ClinicAutoSchema(AutoSchema):
    def _map_serializer_field(
        self, field: Any, direction: Any, bypass_extensions: bool = False
    ) -> Any:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.TimeField):
            # JSON Schema's "time" format demands an offset; ours are local
            # wall-clock times ("09:00" or "09:00:00").
            schema.pop("format", None)
            schema["pattern"] = TIME_PATTERN
        if (
            isinstance(field, serializers.DecimalField)
            and schema.get("type") == "string"
        ):
            schema["pattern"] = decimal_pattern(field)
        if (
            direction == "request"
            and getattr(field, "allow_empty", True) is False
            and schema.get("type") == "array"
        ):
            # "This list may not be empty." (allow_empty=False) is a minimum.
            schema["minItems"] = max(schema.get("minItems", 0), 1)
        return schema

    def _insert_field_validators(self, field: Any, schema: Any) -> None:
        super()._insert_field_validators(field, schema)
        if schema.get("readOnly") and schema.get("format") in ("email", "uri"):
            # A stored value may be blank, which no such format accepts.
            schema.pop("format")

    def _map_basic_serializer(self, serializer: Any, direction: Any) -> Any:
        schema = super()._map_basic_serializer(serializer, direction)
        # Fields only some roles receive (Meta.role_dependent_fields) are
        # documented but not required.
        meta = getattr(serializer, "Meta", None)
        optional = set(getattr(meta, "role_dependent_fields", ()))
        if optional and "required" in schema:
            schema["required"] = [n for n in schema["required"] if n not in optional]
        strict = isinstance(serializer, StrictInputMixin) or (
            isinstance(serializer, type) and issubclass(serializer, StrictInputMixin)
        )
        if direction == "request" and strict:
            # The mixin answers 400 for any key it does not list.
            schema["additionalProperties"] = False
        return schema

    def _handler(self) -> Any:
        action = getattr(self.view, "action", None)
        return getattr(self.view, action or self.method.lower(), None)

    def _is_detail(self) -> bool:
        return "{" in self.path

    def _is_public(self) -> bool:
        rules = getattr(self.view, "role_rules", {})
        action = getattr(self.view, "action", None) or self.method.lower()
        return rules.get(action) == PUBLIC

    def _checks_if_match(self) -> bool:
        return (
            isinstance(self.view, ETagMixin)
            and self.method in UNSAFE
            and self._is_detail()
        )

    def _is_update(self) -> bool:
        return self.method in UPDATE_METHODS

    def _rechecks_password(self) -> bool:
        """Signing asks for the password again, through authenticate(), so
        the login lockout (429) applies to it too."""
        serializer = self.get_request_serializer()
        if isinstance(serializer, type):
            serializer = serializer()
        return "password" in getattr(serializer, "fields", {})

    def _is_idempotent(self) -> bool:
        return bool(getattr(self._handler(), "idempotent", False))

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if self._checks_if_match():
            parameters.append(IF_MATCH_REQUIRED if self._is_update() else IF_MATCH)
        if self._is_idempotent():
            parameters.append(IDEMPOTENCY_KEY)
        return parameters

    def _error_statuses(self) -> set[int]:
        statuses: set[int] = set()
        if self._is_public():
            statuses |= {400, 429}  # bad credentials; throttle and lockout
        else:
            statuses |= {401, 403}
        if self._is_detail() or self.method == "GET":
            statuses.add(404)  # unknown id, or a page past the end
        if self.method in UNSAFE:
            statuses |= {400, 409}
        elif not self._is_detail():
            statuses.add(400)  # filters and query parameters
        if self.method in ("POST", "PUT", "PATCH"):
            statuses |= {413, 415}
        if self._checks_if_match():
            statuses.add(412)
            if self._is_update():
                statuses.add(428)
        if self._is_idempotent():
            statuses.add(422)
        if self.method == "POST" and self._rechecks_password():
            statuses.add(429)  # the login lockout covers signing passwords
        return statuses

    def _get_response_bodies(self, direction: Any = "response") -> Any:
        responses = super()._get_response_bodies(direction)
        for status in sorted(self._error_statuses()):
            code = str(status)
            if code in responses:
                continue
            response = self._get_response_for_code(
                ErrorSerializer, code, direction=direction
            )
            response["description"] = ERROR_DESCRIPTIONS[status]
            responses[code] = response
        return responses
