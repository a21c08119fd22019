"""Real concurrent transactions on PostgreSQL: vials can never be taken twice."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from clinic.core.codes import Indication, Route
from clinic.core.errors import RuleViolation
from tests.factories.treatments import LotFactory, consented_patient
from treatments.models import Administration, StockMovement
from treatments.services import administration_record, stock_move


def _race(count, attempt):
    """Run `attempt(i)` in `count` threads released at the same instant;
    returns the results (the value or the exception) by thread index."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index):
        try:
            barrier.wait()
            results[index] = attempt(index)
        except Exception as exc:  # the outcome is what the test compares
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _administer(lot, patient, clinician):
    return administration_record(
        patient=patient,
        lot=lot,
        route=Route.INTRANASAL,
        indication=Indication.TISSUE_REPAIR,
        dose_volume_ml=Decimal("1.00"),
        vials_used=1,
        administered_at=timezone.now() - dt.timedelta(minutes=5),
        administered_by=clinician,
        actor=clinician,
    )


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_administrations_for_the_last_vial_exactly_one_succeeds(clinician):
    lot = LotFactory(vials=1)
    patients = [consented_patient(product=lot.product) for _ in range(2)]

    results = _race(2, lambda i: _administer(lot, patients[i], clinician))

    made = [r for r in results if isinstance(r, Administration)]
    refused = [r for r in results if isinstance(r, RuleViolation)]
    assert len(made) == 1, results
    assert [r.code for r in refused] == ["insufficient_stock"]
    assert Administration.objects.count() == 1
    assert StockMovement.objects.on_hand(lot.pk) == 0


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_many_takers_never_drive_stock_below_zero(clinician, manager):
    lot = LotFactory(vials=3)
    patients = [consented_patient(product=lot.product) for _ in range(4)]

    def attempt(i):
        if i < 4:
            return _administer(lot, patients[i], clinician)
        return stock_move(
            lot=lot, kind="wasted", vials=-1, actor=manager, reason="Dropped"
        )

    results = _race(6, attempt)

    succeeded = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, RuleViolation)]
    assert len(succeeded) == 3, results
    assert len(refused) == 3
    assert {r.code for r in refused} == {"insufficient_stock"}
    assert StockMovement.objects.on_hand(lot.pk) == 0
