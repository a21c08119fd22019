import datetime as dt

import pytest
from django.utils import timezone

from clinic.core.errors import DeletionRefused, RuleViolation
from clinic.core.roles import Role
from tests.factories.treatments import LotFactory
from tests.factories.users import UserFactory
from treatments.models import StockMovement
from treatments.services import lot_recall, stock_move


@pytest.fixture
def stocked(db):
    return LotFactory(vials=5)


def test_ledger_sum_is_vials_on_hand(stocked, manager, clinician):
    stock_move(lot=stocked, kind="received", vials=10, actor=manager)
    stock_move(lot=stocked, kind="wasted", vials=-1, actor=manager, reason="Dropped")
    stock_move(
        lot=stocked, kind="destroyed", vials=-2, actor=manager, witness=clinician
    )
    stock_move(lot=stocked, kind="returned", vials=-3, actor=manager)
    stock_move(lot=stocked, kind="adjusted", vials=1, actor=manager, reason="Count")

    assert StockMovement.objects.on_hand(stocked.pk) == 10
    assert stocked.__class__.objects.with_on_hand().get(pk=stocked.pk).on_hand == 10


def test_stock_can_be_taken_down_to_zero_but_never_below(stocked, manager):
    stock_move(lot=stocked, kind="wasted", vials=-5, actor=manager)

    with pytest.raises(RuleViolation) as refused:
        stock_move(lot=stocked, kind="adjusted", vials=-1, actor=manager, reason="x")

    assert refused.value.code == "insufficient_stock"
    assert "vials" in refused.value.errors
    assert StockMovement.objects.on_hand(stocked.pk) == 0
    assert StockMovement.objects.count() == 2


@pytest.mark.parametrize(
    ("kind", "vials", "extra", "code", "field"),
    [
        ("received", -1, {}, "vials_sign_mismatch", "vials"),
        ("received", 0, {}, "vials_sign_mismatch", "vials"),
        ("wasted", 1, {}, "vials_sign_mismatch", "vials"),
        ("returned", 0, {}, "vials_sign_mismatch", "vials"),
        ("adjusted", 0, {"reason": "Count"}, "vials_sign_mismatch", "vials"),
        ("destroyed", -1, {}, "witness_required", "witness"),
        ("adjusted", 2, {}, "reason_required", "reason"),
        ("adjusted", 2, {"reason": "   "}, "reason_required", "reason"),
        ("administered", -1, {}, "administered_through_administration", "kind"),
        (
            "received",
            1,
            {"at": timezone.now() + dt.timedelta(hours=1)},
            "movement_in_future",
            "at",
        ),
    ],
)
def test_bad_movements_are_refused_and_nothing_written(
    stocked, manager, kind, vials, extra, code, field
):
    with pytest.raises(RuleViolation) as refused:
        stock_move(lot=stocked, kind=kind, vials=vials, actor=manager, **extra)

    assert refused.value.code == code
    assert field in refused.value.errors
    assert StockMovement.objects.count() == 1


def test_destruction_witness_must_be_someone_else(stocked, manager):
    with pytest.raises(RuleViolation) as refused:
        stock_move(
            lot=stocked, kind="destroyed", vials=-1, actor=manager, witness=manager
        )
    assert refused.value.code == "witness_invalid"
    assert StockMovement.objects.count() == 1


@pytest.mark.parametrize(
    "witness",
    [
        lambda: UserFactory(roles=[Role.CLINICIAN], is_active=False),
        lambda: UserFactory(),
    ],
    ids=["inactive", "no role"],
)
def test_destruction_witness_must_be_active_staff(stocked, manager, witness):
    with pytest.raises(RuleViolation) as refused:
        stock_move(
            lot=stocked, kind="destroyed", vials=-1, actor=manager, witness=witness()
        )
    assert refused.value.code == "witness_invalid"
    assert StockMovement.objects.count() == 1


def test_recalled_lot_receives_nothing_but_can_be_returned(stocked, manager):
    lot_recall(
        lot=stocked, actor=manager, reason="Recall", recalled_on=timezone.localdate()
    )

    with pytest.raises(RuleViolation) as refused:
        stock_move(lot=stocked, kind="received", vials=1, actor=manager)
    assert refused.value.code == "lot_recalled"

    stock_move(lot=stocked, kind="returned", vials=-5, actor=manager)
    assert StockMovement.objects.on_hand(stocked.pk) == 0


def test_movements_are_never_deleted(stocked):
    with pytest.raises(DeletionRefused):
        StockMovement.objects.all().delete()
    with pytest.raises(DeletionRefused):
        StockMovement.objects.first().delete()
