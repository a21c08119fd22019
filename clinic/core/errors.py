"""Domain errors raised by services. One handler (clinic.core.api.exceptions) maps
them to HTTP; services never raise HTTP or DRF exceptions themselves.

One class per meaning, one code per class: each subclass that names a `code`
is entered in ERROR_CODES, and a second class claiming a taken code fails at
import. The API documentation lists them from there (clinic.core.api.schema). The
errors every app can raise live here; each app's `errors.py` holds its own.
"""

from collections.abc import Mapping, Sequence
from typing import Any

# code -> the one class that raises it (every app's errors, once imported).
ERROR_CODES: dict[str, type["DomainError"]] = {}


class DomainError(Exception):
    """A rule refused the operation. `code` is stable and machine-readable."""

    code = "invalid"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "code" not in cls.__dict__:
            return
        taken = ERROR_CODES.get(cls.code)
        if taken is not None and taken.__qualname__ != cls.__qualname__:
            raise TypeError(
                f"Error code {cls.code!r} already means {taken.__qualname__}."
            )
        ERROR_CODES[cls.code] = cls

    def __init__(
        self,
        detail: str,
        *,
        errors: Mapping[str, Sequence[str]] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = {field: list(msgs) for field, msgs in (errors or {}).items()}
        self.extra = dict(extra or {})

    @classmethod
    def for_field(cls, field: str, message: str) -> "DomainError":
        """The common case: one field is wrong, and the message says why."""
        return cls(message, errors={field: [message]})


class RuleViolation(DomainError):
    """The input is well-formed but breaks a domain rule (HTTP 400)."""


class Conflict(DomainError):
    """The operation collides with the current state of other records (HTTP 409)."""

    code = "conflict"


class NotPermitted(DomainError):
    """The actor may not do this (HTTP 403)."""

    code = "permission_denied"


class DeletionRefused(Conflict):
    """Clinical records are never hard-deleted."""

    code = "deletion_refused"


# Errors more than one app raises -------------------------------------------


class ReasonRequired(RuleViolation):
    """A cancellation, withdrawal, deactivation, amendment... needs a reason."""

    code = "reason_required"


class WitnessInvalid(RuleViolation):
    """The witness named (to a consent, to destroyed stock) may not witness it."""

    code = "witness_invalid"


class FieldNotEditable(RuleViolation):
    """The field has rules of its own and is never set by an edit."""

    code = "field_not_editable"


# The API's own refusals of a request (no service involved) ------------------


class InvalidCredentials(RuleViolation):
    code = "invalid_credentials"


class NotTokenAuthenticated(RuleViolation):
    code = "not_token_authenticated"


class InvalidIfMatch(RuleViolation):
    code = "invalid_if_match"


class InvalidIdempotencyKey(RuleViolation):
    code = "invalid_idempotency_key"
