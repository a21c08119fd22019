"""Errors the patients services raise (codes are part of the API contract)."""

from clinic.errors import Conflict, RuleViolation


class DuplicatePatient(Conflict):
    code = "duplicate_patient"


class PatientInactive(RuleViolation):
    code = "patient_inactive"


class PublishedFormImmutable(Conflict):
    code = "consent_form_published"


class ConsentAlreadyWithdrawn(Conflict):
    code = "consent_already_withdrawn"


class NoValidConsent(RuleViolation):
    code = "no_valid_consent"
