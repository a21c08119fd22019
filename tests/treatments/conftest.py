"""A ready treatment room: a released lot with stock, a consenting patient, a
clinician who is an active practitioner, and `record(**overrides)` calling the
real service with sensible defaults."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from clinic.core.codes import Indication, Route
from tests.factories.clinic import PractitionerFactory
from tests.factories.treatments import LotFactory, consented_patient
from treatments.services import administration_record


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Signing re-checks passwords many times here; the real hasher's cost is
    deliberate in production and pure waiting in tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def clinician(clinician):
    """The persona clinician, with the active Practitioner profile that giving
    a dose requires (the clinician role alone does not)."""
    PractitionerFactory(user=clinician)
    return clinician


@pytest.fixture
def practitioner(clinician):
    return clinician.practitioner


@pytest.fixture
def lot(db):
    return LotFactory(vials=10)


@pytest.fixture
def patient(lot):
    return consented_patient(product=lot.product)


@pytest.fixture
def record(lot, patient, clinician):
    def _record(**overrides):
        values = {
            "patient": patient,
            "lot": lot,
            "route": Route.INTRANASAL,
            "indication": Indication.TISSUE_REPAIR,
            "dose_volume_ml": Decimal("1.50"),
            "vials_used": 1,
            "administered_at": timezone.now() - dt.timedelta(hours=1),
            "administered_by": clinician,
            "actor": clinician,
        }
        values.update(overrides)
        return administration_record(**values)

    return _record


@pytest.fixture
def administration(record):
    """A draft administration two days ago, so notes and events can follow."""
    return record(administered_at=timezone.now() - dt.timedelta(days=2))


@pytest.fixture
def other_administration(lot, clinician):
    """Another patient's administration of the same lot, two days ago."""
    other = consented_patient(product=lot.product)
    return administration_record(
        patient=other,
        lot=lot,
        route=Route.INTRANASAL,
        indication=Indication.TISSUE_REPAIR,
        dose_volume_ml=Decimal("1.00"),
        vials_used=1,
        administered_at=timezone.now() - dt.timedelta(days=2),
        administered_by=clinician,
        actor=clinician,
    )
