"""Consent form versions: drafts are edited, published versions never are."""

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from clinic.core.audit import audited_save
from clinic.core.codes import Indication, Route, unknown_codes
from clinic.core.errors import FieldNotEditable
from clinic.core.locking import lock
from clinic.core.users import User
from patients.errors import ConsentFormIncomplete, PublishedFormImmutable, UnknownCode
from patients.models import ConsentForm

EDITABLE_FIELDS = frozenset(
    {"title", "body", "covered_routes", "covered_indications", "effective_date"}
)


def _check_codes(routes: Any, indications: Any) -> None:
    errors = {}
    if bad := unknown_codes(routes, Route):
        errors["covered_routes"] = [f"Unknown route code(s): {', '.join(bad)}."]
    if bad := unknown_codes(indications, Indication):
        errors["covered_indications"] = [
            f"Unknown indication code(s): {', '.join(bad)}."
        ]
    if errors:
        raise UnknownCode("Unknown codes.", errors=errors)


def _next_version(title: str) -> int:
    latest = ConsentForm.objects.filter(title=title).aggregate(v=models.Max("version"))
    return (latest["v"] or 0) + 1


@transaction.atomic
def consent_form_create(
    *,
    actor: User,
    title: str,
    body: str,
    covered_routes: list[str],
    covered_indications: list[str],
    covered_products: Iterable[Any],
    effective_date: date,
) -> ConsentForm:
    """Create a draft as the next version of `title`; refuses unknown codes."""
    _check_codes(covered_routes, covered_indications)
    form = ConsentForm(
        title=title,
        version=_next_version(title),
        body=body,
        covered_routes=sorted(set(covered_routes)),
        covered_indications=sorted(set(covered_indications)),
        effective_date=effective_date,
    )
    form.full_clean()
    audited_save(form, actor=actor)
    form.covered_products.set(covered_products)
    return form


def _lock_draft(form: ConsentForm) -> ConsentForm:
    form = lock(ConsentForm, form.pk)
    if form.is_published:
        raise PublishedFormImmutable(
            f"{form} is published and cannot change; create a new version instead.",
        )
    return form


@transaction.atomic
def consent_form_update(
    *,
    form: ConsentForm,
    actor: User,
    covered_products: Iterable[Any] | None = None,
    **changes: Any,
) -> ConsentForm:
    """Edit a draft; a published form raises PublishedFormImmutable (409)."""
    form = _lock_draft(form)
    refused = sorted(set(changes) - EDITABLE_FIELDS)
    if refused:
        raise FieldNotEditable(
            "These fields cannot be set here.",
            errors={field: ["This field cannot be changed."] for field in refused},
        )
    _check_codes(
        changes.get("covered_routes", form.covered_routes),
        changes.get("covered_indications", form.covered_indications),
    )
    if changes.get("title", form.title) != form.title:
        changes["version"] = _next_version(changes["title"])
    for field, value in changes.items():
        setattr(form, field, value)
    form.full_clean()
    audited_save(form, actor=actor)
    if covered_products is not None:
        form.covered_products.set(covered_products)
    return form


@transaction.atomic
def consent_form_publish(
    *, form: ConsentForm, actor: User, now: datetime | None = None
) -> ConsentForm:
    """Publish a complete draft; from then on it is immutable."""
    form = _lock_draft(form)
    missing = {
        field: ["A published form must cover at least one."]
        for field, empty in [
            ("covered_routes", not form.covered_routes),
            ("covered_indications", not form.covered_indications),
            ("covered_products", not form.covered_products.exists()),
        ]
        if empty
    }
    if not form.body.strip():
        missing["body"] = ["A published form needs its full text."]
    if missing:
        raise ConsentFormIncomplete("The draft is incomplete.", errors=missing)
    form.status = ConsentForm.Status.PUBLISHED
    form.published_at = now or timezone.now()
    form.published_by = actor
    audited_save(form, actor=actor)
    return form


@transaction.atomic
def consent_form_new_version(*, form: ConsentForm, actor: User) -> ConsentForm:
    """A draft copy of `form` as the next version of its title."""
    return consent_form_create(
        actor=actor,
        title=form.title,
        body=form.body,
        covered_routes=list(form.covered_routes),
        covered_indications=list(form.covered_indications),
        covered_products=list(form.covered_products.all()),
        effective_date=form.effective_date,
    )
