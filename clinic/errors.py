"""Domain errors raised by services. One handler (clinic.api.exceptions) maps
them to HTTP; services never raise HTTP or DRF exceptions themselves."""

from collections.abc import Mapping, Sequence
from typing import Any


class DomainError(Exception):
    """A rule refused the operation. `code` is stable and machine-readable."""

    code = "invalid"

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        errors: Mapping[str, Sequence[str]] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        self.errors = {field: list(msgs) for field, msgs in (errors or {}).items()}
        self.extra = dict(extra or {})

    @classmethod
    def for_field(cls, field: str, message: str, *, code: str | None = None):
        """The common case: one field is wrong, and the message says why."""
        return cls(message, code=code, errors={field: [message]})


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
