"""Errors the treatments services raise. The codes are part of the API contract.

Refusals that name a bad value are RuleViolation (400); refusals caused by the
record's current state are Conflict (409). Two gate errors are the patients
app's own (`patient_inactive`, `no_valid_consent`) and are re-exported here.
"""

from clinic.core.errors import (
    Conflict,
    NotPermitted,
    ReasonRequired,
    RuleViolation,
    WitnessInvalid,
)
from patients.errors import NoValidConsent, PatientInactive

__all__ = [
    "AdministeredInFuture",
    "AdministeredThroughAdministration",
    "AdministrationEnteredInError",
    "AdministrationOtherPatient",
    "AdministratorNotActivePractitioner",
    "AlreadyReported",
    "AmendmentChangesNothing",
    "AwareBeforeOnset",
    "AwareInFuture",
    "BodySiteRequired",
    "DoseExceedsVials",
    "DoseNotPositive",
    "DuplicateLotNumber",
    "FatalityInconsistent",
    "FieldNotCorrectable",
    "GradeOutOfRange",
    "IllegalLotTransition",
    "IndicationDetailRequired",
    "InfusionEndsBeforeStart",
    "InfusionOnlyIntravenous",
    "InfusionRateNotPositive",
    "InfusionTimesRequired",
    "InsufficientStock",
    "LotExpired",
    "LotNotEditable",
    "LotNotReleased",
    "LotRecalled",
    "MovementInFuture",
    "NoValidConsent",
    "NotedBeforeAdministration",
    "NotedInFuture",
    "OnsetBeforeAdministration",
    "OnsetInFuture",
    "OutcomeScoreOutOfRange",
    "PatientInactive",
    "ProductCoveredByConsent",
    "ProductInactive",
    "ReasonRequired",
    "RecallDateInvalid",
    "RecordEnteredInError",
    "RecordNotSigned",
    "RecordSigned",
    "ReportedBeforeAware",
    "ReportedInFuture",
    "RouteNotAllowed",
    "SeriousnessInconsistent",
    "SignaturePasswordInvalid",
    "SignerNotClinician",
    "SignerNotPerformer",
    "VialsNotPositive",
    "VialsSignMismatch",
    "WitnessInvalid",
    "WitnessRequired",
]


# Products and lots
class ProductInactive(RuleViolation):
    code = "product_inactive"


class ProductCoveredByConsent(Conflict):
    code = "product_covered_by_consent"


class DuplicateLotNumber(Conflict):
    code = "duplicate_lot_number"


class IllegalLotTransition(Conflict):
    code = "illegal_lot_transition"


class LotNotEditable(Conflict):
    code = "lot_not_editable"


class RecallDateInvalid(RuleViolation):
    code = "recall_date_invalid"


# Stock ledger
class InsufficientStock(RuleViolation):
    code = "insufficient_stock"


class VialsSignMismatch(RuleViolation):
    code = "vials_sign_mismatch"


class WitnessRequired(RuleViolation):
    code = "witness_required"


class MovementInFuture(RuleViolation):
    code = "movement_in_future"


class AdministeredThroughAdministration(RuleViolation):
    code = "administered_through_administration"


# Administration gates
class AdministeredInFuture(RuleViolation):
    code = "administered_in_future"


class AdministratorNotActivePractitioner(RuleViolation):
    code = "administrator_not_active_practitioner"


class AppointmentOtherPatient(RuleViolation):
    code = "appointment_other_patient"


class AppointmentNotInProgress(RuleViolation):
    code = "appointment_not_in_progress"


class DoseNotPositive(RuleViolation):
    code = "dose_not_positive"


class VialsNotPositive(RuleViolation):
    code = "vials_not_positive"


class DoseExceedsVials(RuleViolation):
    code = "dose_exceeds_vials"


class RouteNotAllowed(RuleViolation):
    code = "route_not_allowed"


class BodySiteRequired(RuleViolation):
    code = "body_site_required"


class IndicationDetailRequired(RuleViolation):
    code = "indication_detail_required"


class InfusionOnlyIntravenous(RuleViolation):
    code = "infusion_only_intravenous"


class InfusionEndsBeforeStart(RuleViolation):
    code = "infusion_ends_before_start"


class InfusionRateNotPositive(RuleViolation):
    code = "infusion_rate_not_positive"


class LotNotReleased(RuleViolation):
    code = "lot_not_released"


class LotRecalled(RuleViolation):
    code = "lot_recalled"


class LotExpired(RuleViolation):
    code = "lot_expired"


# Signing, amending, entered-in-error
class SignaturePasswordInvalid(RuleViolation):
    code = "signature_password_invalid"


class SignerNotClinician(NotPermitted):
    code = "signer_not_clinician"


class SignerLockedOut(NotPermitted):
    """Too many wrong passwords (at login or signing) for this username."""

    code = "signer_locked_out"


class SignerNotPerformer(RuleViolation):
    code = "signer_not_performer"


class InfusionTimesRequired(RuleViolation):
    code = "infusion_times_required"


class RecordSigned(Conflict):
    code = "record_signed"


class RecordNotSigned(Conflict):
    code = "record_not_signed"


class RecordEnteredInError(Conflict):
    code = "record_entered_in_error"


class FieldNotCorrectable(RuleViolation):
    code = "field_not_correctable"


class AmendmentChangesNothing(RuleViolation):
    code = "amendment_changes_nothing"


# Follow-up notes
class AdministrationOtherPatient(RuleViolation):
    code = "administration_other_patient"


class AdministrationEnteredInError(RuleViolation):
    code = "administration_entered_in_error"


class OutcomeScoreOutOfRange(RuleViolation):
    code = "outcome_score_out_of_range"


class NotedInFuture(RuleViolation):
    code = "noted_in_future"


class NotedBeforeAdministration(RuleViolation):
    code = "noted_before_administration"


# Adverse events
class OnsetInFuture(RuleViolation):
    code = "onset_in_future"


class OnsetBeforeAdministration(RuleViolation):
    code = "onset_before_administration"


class AwareInFuture(RuleViolation):
    code = "aware_in_future"


class AwareBeforeOnset(RuleViolation):
    code = "aware_before_onset"


class GradeOutOfRange(RuleViolation):
    code = "grade_out_of_range"


class FatalityInconsistent(RuleViolation):
    """Grade 5, a fatal outcome and the death criterion go together (and make
    the event serious)."""

    code = "fatality_inconsistent"


class SeriousnessInconsistent(RuleViolation):
    """A serious event names at least one criterion; a non-serious one none."""

    code = "seriousness_inconsistent"


class ReportedBeforeAware(RuleViolation):
    code = "reported_before_aware"


class ReportedInFuture(RuleViolation):
    code = "reported_in_future"


class AlreadyReported(Conflict):
    code = "already_reported"


class RegulatoryStatusIncomplete(RuleViolation):
    code = "regulatory_status_incomplete"


class DuplicateProduct(RuleViolation):
    code = "duplicate_product"
