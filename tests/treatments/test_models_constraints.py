"""The database refuses what the services refuse, when something bypasses them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.factories.treatments import LotFactory
from tests.factories.users import UserFactory
from treatments.models import Administration, Lot, StockMovement


def _refused(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


@pytest.mark.django_db
def test_lot_number_is_unique_per_product():
    lot = LotFactory()
    _refused(lambda: LotFactory(product=lot.product, lot_number=lot.lot_number))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"expires_on": dt.date(2026, 1, 1), "manufactured_on": dt.date(2026, 1, 1)},
        {"received_on": dt.date(2025, 12, 31), "manufactured_on": dt.date(2026, 1, 1)},
        {"particles_per_ml": 0},
        {"modal_size_nm": Decimal("0")},
        {"vial_volume_ml": Decimal("0")},
        {"status": "recalled"},  # without date, reason and who
        {"status": "released", "recall_reason": "left over"},
        {"status": "expired"},
    ],
)
def test_lot_row_rules(fields):
    lot = LotFactory()
    _refused(lambda: Lot.objects.filter(pk=lot.pk).update(**fields))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "received", "vials": -1},
        {"kind": "wasted", "vials": 1},
        {"kind": "adjusted", "vials": 0, "reason": "count"},
        {"kind": "destroyed", "vials": -1},
        {"kind": "adjusted", "vials": 1},
        {"kind": "administered", "vials": -1},
    ],
)
def test_ledger_row_rules(fields):
    lot = LotFactory()
    _refused(
        lambda: StockMovement.objects.create(
            lot=lot, at=timezone.now(), by=UserFactory(), **fields
        )
    )


@pytest.mark.django_db
def test_witness_cannot_be_the_person_recording():
    lot, user = LotFactory(), UserFactory()
    _refused(
        lambda: StockMovement.objects.create(
            lot=lot,
            kind="destroyed",
            vials=-1,
            at=timezone.now(),
            by=user,
            witness=user,
        )
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"dose_volume_ml": Decimal("0")},
        {"vials_used": 0},
        {"route_snomed": "47625008"},  # intravenous code on an intranasal dose
        {"route": "subcutaneous", "route_snomed": "34206005"},  # no body site
        {"indication": "other"},  # without detail
        {"infusion_started_at": timezone.now()},  # not intravenous
        {"status": "signed"},  # without a signature
        {"signed_at": timezone.now(), "status": "signed"},  # incomplete signature
        {"status": "entered_in_error"},  # without reason, when, who
    ],
)
def test_administration_row_rules(record, fields):
    administration = record()
    _refused(
        lambda: Administration.objects.filter(pk=administration.pk).update(**fields)
    )


def test_infusion_must_end_after_it_starts(record):
    start = timezone.now() - dt.timedelta(hours=2)
    administration = record(route="intravenous")
    _refused(
        lambda: Administration.objects.filter(pk=administration.pk).update(
            infusion_started_at=start, infusion_ended_at=start
        )
    )
