import datetime as dt

import pytest
from django.utils import timezone

from clinic.core.codes import Indication, Route
from patients.services import consent_find_valid
from tests.factories.patients import (
    ConsentFormFactory,
    PatientFactory,
    SignedConsentFactory,
)
from tests.factories.treatments import ProductFactory

NOW = timezone.now()


@pytest.fixture
def product(db):
    return ProductFactory()


@pytest.fixture
def consent(product):
    form = ConsentFormFactory(covered_products=[product])
    return SignedConsentFactory(form=form, signed_at=NOW - dt.timedelta(days=10))


def _find(consent, product, *, at=NOW, route=Route.INTRAVENOUS, indication=None):
    return consent_find_valid(
        patient=consent.patient,
        route=route,
        indication=indication or Indication.TISSUE_REPAIR,
        product=product,
        at=at,
    )


def test_valid_consent_is_found(consent, product):
    assert _find(consent, product) == consent


def test_consent_signed_after_the_time_does_not_count(consent, product):
    assert _find(consent, product, at=NOW - dt.timedelta(days=11)) is None


def test_withdrawn_consent_counts_only_before_withdrawal(consent, product, manager):
    consent.withdrawn_at = NOW - dt.timedelta(days=2)
    consent.withdrawn_by = manager
    consent.withdrawal_reason = "Changed mind"
    consent.save()

    assert _find(consent, product, at=NOW - dt.timedelta(days=3)) == consent
    assert _find(consent, product, at=NOW - dt.timedelta(days=2)) is None
    assert _find(consent, product) is None


def test_expired_consent_does_not_count(consent, product):
    consent.expires_at = NOW - dt.timedelta(days=1)
    consent.save()

    assert _find(consent, product, at=NOW - dt.timedelta(days=2)) == consent
    assert _find(consent, product) is None


def test_uncovered_route_indication_or_product_does_not_count(consent, product):
    assert _find(consent, product, route=Route.INTRA_ARTICULAR) is None
    assert _find(consent, product, indication=Indication.ONCOLOGY) is None
    assert _find(consent, ProductFactory()) is None


def test_unpublished_form_does_not_count(consent, product):
    consent.form.status = "draft"
    consent.form.published_at = None
    consent.form.save()

    assert _find(consent, product) is None


def test_another_patients_consent_does_not_count(consent, product):
    other = PatientFactory()
    assert (
        consent_find_valid(
            patient=other,
            route=Route.INTRAVENOUS,
            indication=Indication.TISSUE_REPAIR,
            product=product,
            at=NOW,
        )
        is None
    )


def test_most_recent_valid_consent_is_returned(consent, product):
    newer = SignedConsentFactory(
        patient=consent.patient, form=consent.form, signed_at=NOW - dt.timedelta(days=1)
    )
    assert _find(consent, product) == newer
