"""Errors the patients services raise (codes are part of the API contract)."""

from clinic.core.errors import Conflict, RuleViolation


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


class PatientAlreadyActive(Conflict):
    code = "patient_already_active"


class PatientAlreadyInactive(Conflict):
    code = "patient_already_inactive"


class DateOfBirthInFuture(RuleViolation):
    code = "dob_in_future"


class DateOfBirthTooOld(RuleViolation):
    code = "dob_too_old"


class UnknownCode(RuleViolation):
    """A route or indication code the clinic does not know."""

    code = "unknown_code"


class ConsentFormIncomplete(RuleViolation):
    code = "consent_form_incomplete"


class FormNotPublished(RuleViolation):
    code = "form_not_published"


class FormNotYetEffective(RuleViolation):
    code = "form_not_yet_effective"


class SignedInFuture(RuleViolation):
    code = "signed_in_future"


class ExpiryBeforeSigning(RuleViolation):
    code = "expiry_before_signing"


class RepresentativeRequired(RuleViolation):
    code = "representative_required"


class RepresentativeNotExpected(RuleViolation):
    code = "representative_not_expected"


class WithdrawnInFuture(RuleViolation):
    code = "withdrawn_in_future"


class WithdrawnBeforeSigning(RuleViolation):
    code = "withdrawn_before_signing"
