"""Every write to patients, consent forms and signed consents goes through here."""

from patients.services.consent_forms import (
    consent_form_create,
    consent_form_new_version,
    consent_form_publish,
    consent_form_update,
)
from patients.services.consents import (
    consent_find_valid,
    consent_record,
    consent_withdraw,
)
from patients.services.patients import (
    patient_deactivate,
    patient_reactivate,
    patient_register,
    patient_update,
)

__all__ = [
    "consent_find_valid",
    "consent_form_create",
    "consent_form_new_version",
    "consent_form_publish",
    "consent_form_update",
    "consent_record",
    "consent_withdraw",
    "patient_deactivate",
    "patient_reactivate",
    "patient_register",
    "patient_update",
]
