"""The signed-record kit: the steps every signed record (administrations,
follow-up notes: `treatments.models.signatures.SignedRecord`) goes through to
be edited as a draft, signed, amended or marked entered-in-error. Each
record's own services (`administration_*` next to `administration_record`,
`follow_up_*` in follow_ups.py) bring what is theirs: how the row is locked,
who may sign it as performed, which values an edit must pass.

A signature freezes the record's row: its digest covers the clinical
columns, and nothing changes them again. Amendments are separate rows laid over
the original (`as_amended`), each with a digest chained to the one before, so
both the original and every correction stay verifiable.
"""

import copy
from collections.abc import Callable
from datetime import datetime
from typing import Any, NotRequired, TypedDict, TypeVar

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from clinic.core.audit import audited_save
from clinic.core.roles import Role, has_role
from clinic.core.users import User
from treatments.digests import canonical_value
from treatments.errors import (
    AmendmentChangesNothing,
    FieldNotCorrectable,
    ReasonRequired,
    RecordEnteredInError,
    RecordNotSigned,
    RecordSigned,
    SignaturePasswordInvalid,
    SignerLockedOut,
    SignerNotClinician,
)
from treatments.models.signatures import Amendment, SignedRecord

Record = TypeVar("Record", bound=SignedRecord)


# What every kind's sign / amend / entered-in-error service takes besides the
# record (`**signature: Unpack[SignArgs]`). With the HTTP `request` (the API
# and the admin pass it) a wrong password counts towards the login lockout;
# `now` defaults to the present.
class SignArgs(TypedDict):
    actor: User
    password: str
    meaning: str
    request: NotRequired[HttpRequest | None]
    now: NotRequired[datetime | None]


class AmendArgs(TypedDict):
    actor: User
    password: str
    reason: str
    changes: dict[str, Any]
    request: NotRequired[HttpRequest | None]
    now: NotRequired[datetime | None]


class MarkArgs(TypedDict):
    actor: User
    reason: str
    now: NotRequired[datetime | None]


class Lifecycle:
    """One kind's services after recording: edit a draft, sign, amend, mark
    entered-in-error, each called here with the record first. The pages that
    serve every signed record alike (treatments/admin/signing.py, the API's
    SignedRecordViewSetMixin in treatments/views.py) reach a kind's services
    through the Lifecycle declared next to them."""

    def __init__(
        self,
        keyword: str,
        *,
        update: Callable[..., Any],
        sign: Callable[..., Any],
        amend: Callable[..., Any],
        mark_entered_in_error: Callable[..., Any],
    ) -> None:
        # Each service takes the record by `keyword` (administration=, note=).
        def by_record(service: Callable[..., Any]) -> Callable[..., Any]:
            return lambda record, **kwargs: service(**{keyword: record}, **kwargs)

        self.update = by_record(update)
        self.sign = by_record(sign)
        self.amend = by_record(amend)
        self.mark_entered_in_error = by_record(mark_entered_in_error)


def confirm_signer(
    *, actor: User, password: str, request: HttpRequest | None = None
) -> None:
    """The signer re-entered their own password and is an active clinician.
    Raises SignaturePasswordInvalid (400), SignerLockedOut or SignerNotClinician
    (403).

    With the HTTP `request` (API and admin pass it), the password goes through
    Django's authenticate(), so a wrong one counts towards the login lockout
    (django-axes, by username) and a locked-out user cannot sign either.
    Called before any transaction opens: password hashing is deliberately slow.
    """
    if request is not None:
        confirmed = authenticate(
            request, username=actor.get_username(), password=password
        )
        if getattr(request, "axes_locked_out", False):
            raise SignerLockedOut(
                "Too many wrong passwords for this user; signing is locked for"
                " now. Try again later or ask a manager."
            )
        correct = confirmed is not None and confirmed.pk == actor.pk
    else:
        correct = bool(password) and actor.check_password(password)
    if not correct:
        raise SignaturePasswordInvalid.for_field(
            "password", "The password does not match the signer's."
        )
    if not has_role(actor, Role.CLINICIAN):
        raise SignerNotClinician("Only an active clinician can sign clinical records.")


def apply_signature(record: Any, *, actor: User, meaning: str, now: datetime) -> None:
    """Sign a locked draft record (any SignedRecord): signer, time,
    meaning, the current digest scheme and the digest; checked and saved."""
    record.status = type(record).Status.SIGNED
    record.signed_by = actor
    record.signed_at = now
    record.signature_meaning = meaning
    record.signature_scheme = type(record).DIGEST_SCHEME
    record.signature_digest = record.compute_digest()
    record.full_clean()
    audited_save(record, actor=actor, reason=f"signed ({meaning})")


def converted_changes(record: Any, changes: dict[str, Any]) -> dict[str, Any]:
    """Raw correction values as the model fields clean them (ValidationError
    naming each bad field)."""
    values, errors = {}, {}
    for name, raw in changes.items():
        field = record._meta.get_field(name)
        try:
            values[name] = field.clean(raw, record)
        except ValidationError as exc:
            errors[name] = exc.messages
    if errors:
        raise ValidationError(errors)
    return values


def amendment_diff(
    before: Any, after: Any, names: tuple[str, ...]
) -> dict[str, list[Any]]:
    """{field: [old, new]} in canonical form for the fields that changed;
    refuses an amendment that changes nothing."""
    diff = {}
    for name in names:
        field = type(before)._meta.get_field(name)
        old = canonical_value(field, getattr(before, name))
        new = canonical_value(field, getattr(after, name))
        if old != new:
            diff[name] = [old, new]
    if not diff:
        raise AmendmentChangesNothing(
            "The amendment changes nothing.",
            errors={"changes": ["Give at least one new value."]},
        )
    return diff


def chain_amendment(
    *,
    record: SignedRecord,
    actor: User,
    reason: str,
    diff: dict[str, list[Any]],
    now: datetime,
) -> Amendment:
    """Save an amendment of a locked signed record (a row of the model its
    `amendments` relation holds), its digest chained to the previous
    amendment's (or to the signature)."""
    amendment_model = record.amendments.model
    previous = record.amendments.order_by("amended_at", "id").last()
    amendment = amendment_model(
        **{amendment_model.RECORD_FIELD: record},
        amended_by=actor,
        amended_at=now,
        reason=reason,
        changes=diff,
        previous_digest=previous.digest if previous else record.signature_digest,
    )
    amendment.digest = amendment.compute_digest()
    amendment.full_clean()
    audited_save(amendment, actor=actor, reason=reason)
    return amendment


def _label(record: SignedRecord) -> str:
    return str(record._meta.verbose_name)


def required_reason(reason: str, *, detail: str) -> str:
    """The reason, stripped; ReasonRequired (400, on `reason`) when blank."""
    reason = reason.strip()
    if not reason:
        raise ReasonRequired.for_field("reason", detail)
    return reason


def refuse_uncorrectable(
    model: type[SignedRecord], changes: dict[str, Any], *, detail: str
) -> None:
    """FieldNotCorrectable (400) naming the first change outside the model's
    CORRECTABLE_FIELDS; `detail` says what to do instead."""
    for name in changes:
        if name not in model.CORRECTABLE_FIELDS:
            raise FieldNotCorrectable.for_field(name, detail)


def refuse_entered_in_error(record: SignedRecord) -> None:
    if record.status == SignedRecord.Status.ENTERED_IN_ERROR:
        raise RecordEnteredInError(
            f"This {_label(record)} was marked entered-in-error and cannot change."
        )


def refuse_unless_draft(record: SignedRecord) -> None:
    """Only a draft is edited or signed (409 otherwise)."""
    refuse_entered_in_error(record)
    if record.status == SignedRecord.Status.SIGNED:
        raise RecordSigned(
            f"This {_label(record)} is signed and locked; amend it instead."
        )


def refuse_unless_signed(record: SignedRecord) -> None:
    """Only a signed record is amended (409 otherwise)."""
    refuse_entered_in_error(record)
    if record.status == SignedRecord.Status.DRAFT:
        raise RecordNotSigned(
            "A draft is edited directly; only signed records are amended."
        )


def sign_record(
    record: Record,
    *,
    locked: Callable[[Record], Record],
    check: Callable[[Record, Any, str], None],
    actor: User,
    password: str,
    meaning: str,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> Record:
    """Sign a draft: the password first (slow, outside the transaction), then
    the row `locked` returns, a draft, passing the record's own
    `check(record, actor, meaning)` (who may attest 'performed', what must be
    filled in first)."""
    now = now or timezone.now()
    confirm_signer(actor=actor, password=password, request=request)
    with transaction.atomic():
        record = locked(record)
        refuse_unless_draft(record)
        check(record, actor, meaning)
        apply_signature(record, actor=actor, meaning=meaning, now=now)
    return record


def amend_record(
    record: Record,
    *,
    locked: Callable[[Record], Record],
    correct: Callable[[Any, Any, datetime], None],
    fields: tuple[str, ...],
    not_correctable: str,
    actor: User,
    password: str,
    reason: str,
    changes: dict[str, Any],
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> Amendment:
    """Correct a signed record without touching its row: `changes` go onto a
    copy of it as amended so far, `correct(before, after, now)` checks the
    copy (and works out what derives from it), and the difference over
    `fields` is chained as the next amendment."""
    now = now or timezone.now()
    confirm_signer(actor=actor, password=password, request=request)
    reason = required_reason(reason, detail=f"Say why the {_label(record)} is amended.")
    refuse_uncorrectable(type(record), changes, detail=not_correctable)
    with transaction.atomic():
        record = locked(record)
        refuse_unless_signed(record)
        before = record.as_amended()
        after = copy.copy(before)
        for name, value in converted_changes(before, changes).items():
            setattr(after, name, value)
        correct(before, after, now)
        return chain_amendment(
            record=record,
            actor=actor,
            reason=reason,
            diff=amendment_diff(before, after, fields),
            now=now,
        )


def mark_entered_in_error(
    record: Record,
    *,
    locked: Callable[[Record], Record],
    actor: User,
    reason: str,
    now: datetime | None = None,
) -> Record:
    """Mark a draft or signed record entered-in-error with who, when and why;
    it stays readable, its signature stays verifiable (the columns are outside
    the digest), and it changes no more."""
    now = now or timezone.now()
    reason = required_reason(
        reason, detail=f"Say why the {_label(record)} was entered in error."
    )
    with transaction.atomic():
        record = locked(record)
        if record.status == SignedRecord.Status.ENTERED_IN_ERROR:
            raise RecordEnteredInError(
                f"This {_label(record)} is already marked entered-in-error."
            )
        record.status = SignedRecord.Status.ENTERED_IN_ERROR
        record.entered_in_error_reason = reason
        record.entered_in_error_at = now
        record.entered_in_error_by = actor
        record.full_clean()
        audited_save(record, actor=actor, reason=f"entered in error: {reason}")
    return record
