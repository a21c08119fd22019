import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clinic.core.errors import Conflict, RuleViolation
from tests.factories.treatments import LotFactory, ProductFactory
from treatments.models import Lot
from treatments.services import lot_create, lot_recall, lot_release, lot_update

TODAY = dt.date(2026, 3, 2)


def _create(actor, product, **overrides):
    values = {
        "product": product,
        "lot_number": "MCT-2601-07",
        "supplier_code": "  W4219 26 000117 A0 ",
        "manufactured_on": dt.date(2026, 1, 5),
        "expires_on": dt.date(2027, 1, 5),
        "received_on": dt.date(2026, 2, 1),
        "particles_per_ml": 250_000_000_000,
        "modal_size_nm": Decimal("118.0"),
        "vial_volume_ml": Decimal("5.00"),
        "coa_reference": "COA-MCT-2601-07",
        "actor": actor,
    }
    values.update(overrides)
    return lot_create(**values)


@pytest.fixture
def product(db):
    return ProductFactory()


def test_new_lot_is_quarantined_and_keeps_supplier_code_verbatim(manager, product):
    lot = _create(manager, product, lot_number="  MCT-2601-07 ")

    lot.refresh_from_db()
    assert lot.status == Lot.Status.QUARANTINED
    assert lot.lot_number == "MCT-2601-07"
    assert lot.supplier_code == "  W4219 26 000117 A0 "
    assert lot.history.get().history_user == manager


def test_concentration_of_a_trillion_per_ml_is_kept_exactly(manager, product):
    lot = _create(manager, product, particles_per_ml=1_234_567_890_123)
    lot.refresh_from_db()
    assert lot.particles_per_ml == 1_234_567_890_123


def test_duplicate_lot_number_for_the_product_is_a_conflict(manager, product):
    _create(manager, product)

    with pytest.raises(Conflict) as refused:
        _create(manager, product)

    assert refused.value.code == "duplicate_lot_number"
    assert "lot_number" in refused.value.errors
    assert Lot.objects.count() == 1


def test_same_lot_number_for_another_product_is_fine(manager, product):
    _create(manager, product)
    _create(manager, ProductFactory())
    assert Lot.objects.count() == 2


def test_inactive_product_takes_no_new_lots(manager):
    with pytest.raises(RuleViolation) as refused:
        _create(manager, ProductFactory(active=False))
    assert refused.value.code == "product_inactive"
    assert not Lot.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"expires_on": dt.date(2026, 1, 5)}, "expires_on"),
        ({"received_on": dt.date(2026, 1, 1)}, "received_on"),
        ({"particles_per_ml": 0}, "particles_per_ml"),
        ({"modal_size_nm": Decimal("0")}, "modal_size_nm"),
        ({"vial_volume_ml": Decimal("-1")}, "vial_volume_ml"),
    ],
)
def test_bad_lot_values_are_refused_naming_the_field(
    manager, product, overrides, field
):
    with pytest.raises(ValidationError) as refused:
        _create(manager, product, **overrides)

    assert set(refused.value.message_dict) == {field}
    assert not Lot.objects.exists()


def test_lot_data_can_be_corrected_only_while_quarantined(manager, product):
    lot = _create(manager, product)
    lot_update(lot=lot, actor=manager, coa_reference="COA-MCT-2601-07 rev B")
    lot_release(lot=lot, actor=manager)

    with pytest.raises(Conflict) as refused:
        lot_update(lot=lot, actor=manager, particles_per_ml=1)

    assert refused.value.code == "lot_not_editable"
    lot.refresh_from_db()
    assert lot.particles_per_ml == 250_000_000_000
    assert lot.coa_reference == "COA-MCT-2601-07 rev B"


def test_release_records_who_and_when(manager):
    lot = LotFactory(status="quarantined")
    now = timezone.now()

    lot_release(lot=lot, actor=manager, now=now)

    lot.refresh_from_db()
    assert (lot.status, lot.released_by, lot.released_at) == ("released", manager, now)


@pytest.mark.parametrize("start", ["quarantined", "released"])
def test_quarantined_or_released_lot_can_be_recalled(manager, start):
    lot = LotFactory(status=start)

    today = timezone.localdate()

    lot_recall(lot=lot, actor=manager, reason="Sterility failure", recalled_on=today)

    lot.refresh_from_db()
    assert lot.status == "recalled"
    assert (lot.recall_reason, lot.recalled_on, lot.recalled_by) == (
        "Sterility failure",
        today,
        manager,
    )


@pytest.mark.parametrize(
    ("start", "service"),
    [
        ("released", "release"),
        ("recalled", "release"),
        ("recalled", "recall"),
    ],
)
def test_illegal_status_changes_are_conflicts(manager, start, service):
    lot = LotFactory(status="released")
    if start == "recalled":
        lot_recall(
            lot=lot, actor=manager, reason="Recall", recalled_on=timezone.localdate()
        )

    attempts = {
        "release": lambda: lot_release(lot=lot, actor=manager),
        "recall": lambda: lot_recall(
            lot=lot, actor=manager, reason="Again", recalled_on=timezone.localdate()
        ),
    }

    with pytest.raises(Conflict) as refused:
        attempts[service]()

    assert refused.value.code == "illegal_lot_transition"
    lot.refresh_from_db()
    assert lot.status == start


@pytest.mark.parametrize(
    ("reason", "recalled_on", "code", "field"),
    [
        ("  ", timezone.localdate(), "reason_required", "reason"),
        ("Recall", dt.date(2999, 1, 1), "recall_date_invalid", "date"),
        ("Recall", dt.date(2000, 1, 1), "recall_date_invalid", "date"),
    ],
)
def test_recall_needs_a_reason_and_a_sensible_date(
    manager, reason, recalled_on, code, field
):
    lot = LotFactory()

    with pytest.raises(RuleViolation) as refused:
        lot_recall(lot=lot, actor=manager, reason=reason, recalled_on=recalled_on)

    assert (refused.value.code, list(refused.value.errors)) == (code, [field])
    lot.refresh_from_db()
    assert lot.status == "released"


def test_is_expired_and_is_usable_need_no_queries(db, django_assert_num_queries):
    lot = LotFactory.build(status="released", expires_on=TODAY)

    with django_assert_num_queries(0):
        assert not lot.is_expired(on=TODAY)
        assert lot.is_expired(on=TODAY + dt.timedelta(days=1))
        assert lot.is_usable(on=TODAY)
        assert not lot.is_usable(on=TODAY + dt.timedelta(days=1))
        lot.status = "quarantined"
        assert not lot.is_usable(on=TODAY)
