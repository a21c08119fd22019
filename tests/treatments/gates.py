"""The administration gates as data, shared by the service and API tests.

Each case: (name, setup(lot, patient) -> overrides for the recording, the error
code expected, the field it must name).
"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from clinic.core.codes import Indication, Route
from clinic.core.roles import Role
from patients.models import ConsentForm, SignedConsent
from tests.factories.clinic import AppointmentFactory, PractitionerFactory
from tests.factories.patients import PatientFactory
from tests.factories.treatments import ProductFactory, consented_patient
from tests.factories.users import UserFactory
from treatments.models import Lot

HOUR = dt.timedelta(hours=1)


def _deactivate(patient):
    type(patient).objects.filter(pk=patient.pk).update(
        active=False, deactivated_at=timezone.now()
    )


def _set_lot(lot, **fields):
    Lot.objects.filter(pk=lot.pk).update(**fields)


def _recall(lot):
    _set_lot(
        lot,
        status="recalled",
        recalled_on=timezone.localdate(),
        recall_reason="Endotoxin above limit",
        recalled_by=UserFactory(),
    )


def _consent(patient):
    return SignedConsent.objects.get(patient=patient)


GATES = [
    (
        "time in the future",
        lambda lot, p: {"administered_at": timezone.now() + HOUR},
        "administered_in_future",
        "administered_at",
    ),
    (
        "inactive patient",
        lambda lot, p: _deactivate(p) or {},
        "patient_inactive",
        "patient",
    ),
    (
        "inactive user with an active practitioner profile",
        lambda lot, p: {
            "administered_by": PractitionerFactory(user__is_active=False).user
        },
        "administrator_not_active_practitioner",
        "administered_by",
    ),
    (
        "clinician without a practitioner profile",
        lambda lot, p: {"administered_by": UserFactory(roles=[Role.CLINICIAN])},
        "administrator_not_active_practitioner",
        "administered_by",
    ),
    (
        "inactive practitioner",
        lambda lot, p: {"administered_by": PractitionerFactory(active=False).user},
        "administrator_not_active_practitioner",
        "administered_by",
    ),
    (
        "front desk as administrator",
        lambda lot, p: {"administered_by": UserFactory(roles=[Role.FRONT_DESK])},
        "administrator_not_active_practitioner",
        "administered_by",
    ),
    (
        "another patient's appointment",
        lambda lot, p: {"appointment": AppointmentFactory(status="in_progress")},
        "appointment_other_patient",
        "appointment",
    ),
    (
        "appointment only booked",
        lambda lot, p: {"appointment": AppointmentFactory(patient=p, status="booked")},
        "appointment_not_in_progress",
        "appointment",
    ),
    (
        "appointment only checked in",
        lambda lot, p: {
            "appointment": AppointmentFactory(patient=p, status="checked_in")
        },
        "appointment_not_in_progress",
        "appointment",
    ),
    (
        "zero dose",
        lambda lot, p: {"dose_volume_ml": Decimal("0")},
        "dose_not_positive",
        "dose_volume_ml",
    ),
    (
        "negative dose",
        lambda lot, p: {"dose_volume_ml": Decimal("-1.00")},
        "dose_not_positive",
        "dose_volume_ml",
    ),
    (
        "no vials",
        lambda lot, p: {"vials_used": 0},
        "vials_not_positive",
        "vials_used",
    ),
    (
        "dose larger than the vials hold",
        lambda lot, p: {"dose_volume_ml": Decimal("2.01"), "vials_used": 1},
        "dose_exceeds_vials",
        "dose_volume_ml",
    ),
    (
        "route the product may not take",
        lambda lot, p: {"route": Route.INTRAMUSCULAR, "body_site": "left deltoid"},
        "route_not_allowed",
        "route",
    ),
    (
        "unknown route",
        lambda lot, p: {"route": "oral"},
        "route_not_allowed",
        "route",
    ),
    (
        "route needing a body site without one",
        lambda lot, p: {"route": Route.SUBCUTANEOUS},
        "body_site_required",
        "body_site",
    ),
    (
        "other indication without detail",
        lambda lot, p: {"indication": Indication.OTHER, "indication_detail": "  "},
        "indication_detail_required",
        "indication_detail",
    ),
    (
        "infusion times on a nasal dose",
        lambda lot, p: {"infusion_started_at": timezone.now() - HOUR},
        "infusion_only_intravenous",
        "infusion_started_at",
    ),
    (
        "infusion ending before it starts",
        lambda lot, p: {
            "route": Route.INTRAVENOUS,
            "infusion_started_at": timezone.now() - HOUR,
            "infusion_ended_at": timezone.now() - 2 * HOUR,
        },
        "infusion_ends_before_start",
        "infusion_ended_at",
    ),
    (
        "zero infusion rate",
        lambda lot, p: {
            "route": Route.INTRAVENOUS,
            "infusion_rate_ml_per_h": Decimal("0"),
        },
        "infusion_rate_not_positive",
        "infusion_rate_ml_per_h",
    ),
    (
        "quarantined lot",
        lambda lot, p: _set_lot(lot, status="quarantined") or {},
        "lot_not_released",
        "lot",
    ),
    ("recalled lot", lambda lot, p: _recall(lot) or {}, "lot_recalled", "lot"),
    (
        "expired lot",
        lambda lot, p: (
            _set_lot(lot, expires_on=timezone.localdate() - dt.timedelta(days=1)) or {}
        ),
        "lot_expired",
        "lot",
    ),
    (
        "given after the lot expired",
        lambda lot, p: (
            _set_lot(lot, expires_on=timezone.localdate() - dt.timedelta(days=3))
            or {"administered_at": timezone.now() - dt.timedelta(days=2)}
        ),
        "lot_expired",
        "lot",
    ),
    (
        "more vials than on hand",
        lambda lot, p: {"vials_used": 11},
        "insufficient_stock",
        "vials_used",
    ),
    (
        "patient who never consented",
        lambda lot, p: {"patient": PatientFactory()},
        "no_valid_consent",
        "patient",
    ),
    (
        "consent withdrawn before",
        lambda lot, p: (
            SignedConsent.objects.filter(patient=p).update(
                withdrawn_at=timezone.now() - 2 * HOUR,
                withdrawn_by=UserFactory(),
                withdrawal_reason="Changed her mind",
            )
            and {}
        ),
        "no_valid_consent",
        "patient",
    ),
    (
        "consent expired before",
        lambda lot, p: (
            SignedConsent.objects.filter(patient=p).update(
                expires_at=timezone.now() - 2 * HOUR
            )
            and {}
        ),
        "no_valid_consent",
        "patient",
    ),
    (
        "consent signed after the administration",
        lambda lot, p: {"administered_at": _consent(p).signed_at - HOUR},
        "no_valid_consent",
        "patient",
    ),
    (
        "consent not covering the route",
        lambda lot, p: {
            "patient": consented_patient(
                product=lot.product, routes=[Route.INTRANASAL]
            ),
            "route": Route.INTRAVENOUS,
        },
        "no_valid_consent",
        "patient",
    ),
    (
        "consent not covering the indication",
        lambda lot, p: {"indication": Indication.ONCOLOGY},
        "no_valid_consent",
        "patient",
    ),
    (
        "consent for another product",
        lambda lot, p: {"patient": consented_patient(product=ProductFactory())},
        "no_valid_consent",
        "patient",
    ),
    (
        "consent on an unpublished form",
        lambda lot, p: (
            ConsentForm.objects.filter(signed_consents__patient=p).update(
                status="draft", published_at=None
            )
            and {}
        ),
        "no_valid_consent",
        "patient",
    ),
]
