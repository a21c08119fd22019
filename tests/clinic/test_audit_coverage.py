"""Every domain model keeps history; every clinical record refuses deletion.

A new model that forgets either fails here, so the audit cannot silently
shrink as the product grows.
"""

import pytest
from django.apps import apps

from clinic.core.audit import NoDeleteModel

DOMAIN_APPS = ("clinic", "patients", "treatments")
# Plumbing rows, not domain records: tokens and replay records belong to the
# API, the MRN counter is a sequence.
NOT_AUDITED = {"ApiToken", "IdempotencyRecord", "MrnCounter"}
# Clinical records (docs/product.md "Audit": never hard-deleted).
CLINICAL = {
    "Patient",
    "SignedConsent",
    "Appointment",
    "AppointmentStatusChange",
    "Administration",
    "StockMovement",
    "FollowUpNote",
    "FollowUpNoteAmendment",
    "AdverseEvent",
}


def _domain_models():
    for label in DOMAIN_APPS:
        for model in apps.get_app_config(label).get_models():
            if model.__name__.startswith("Historical"):
                continue
            yield model


def test_every_domain_model_keeps_history():
    missing = [
        m.__name__
        for m in _domain_models()
        if m.__name__ not in NOT_AUDITED and not hasattr(m, "history")
    ]
    assert missing == []


def test_every_clinical_record_refuses_hard_delete():
    names = {m.__name__: m for m in _domain_models()}
    assert set(names) >= CLINICAL
    assert [n for n in CLINICAL if not issubclass(names[n], NoDeleteModel)] == []


@pytest.mark.parametrize("name", sorted(CLINICAL))
def test_clinical_admin_offers_no_delete(name, rf, manager):
    from django.contrib import admin

    model = next(m for m in _domain_models() if m.__name__ == name)
    model_admin = admin.site._registry.get(model)
    if model_admin is None:
        pytest.skip(f"{name} has no admin page of its own")
    request = rf.get("/admin/")
    request.user = manager
    assert model_admin.has_delete_permission(request) is False
