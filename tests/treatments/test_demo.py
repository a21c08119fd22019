import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from clinic.core.demo_staff import seed_staff
from clinic.demo import seed_places
from treatments import demo
from treatments.models import (
    Administration,
    AdverseEvent,
    FollowUpNote,
    Lot,
    Product,
    StockMovement,
)
from treatments.verification import signature_mismatches


def _counts():
    return (
        Product.objects.count(),
        Lot.objects.count(),
        StockMovement.objects.count(),
        Administration.objects.count(),
        FollowUpNote.objects.count(),
        AdverseEvent.objects.count(),
    )


@pytest.mark.django_db
def test_demo_has_products_lots_stock_and_signed_administrations():
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo")

    assert _counts() == first
    assert first[0] == 3
    today = timezone.localdate()
    lots = list(Lot.objects.with_on_hand())
    assert sum(lot.is_expired(on=today) for lot in lots) == 1
    assert [lot.status for lot in lots].count("quarantined") == 1
    assert all(lot.on_hand > 0 for lot in lots)
    # Follow-ups with rising scores after the doses, all signed; one serious
    # event, overdue for its report.
    notes = FollowUpNote.objects.order_by("administration_id", "noted_at")
    assert notes.count() >= 6
    assert set(notes.values_list("status", flat=True)) == {"signed"}
    for dose in Administration.objects.filter(follow_up_notes__isnull=False):
        scores = [n.outcome_score for n in notes if n.administration_id == dose.pk]
        assert scores == sorted(scores)
    (event,) = AdverseEvent.objects.all()
    assert event.serious
    assert event.reported_on is None
    assert list(AdverseEvent.objects.overdue(today=today)) == [event]
    signed = Administration.objects.filter(status="signed")
    assert signed.count() == demo.ADMINISTRATIONS
    assert list(signature_mismatches()) == []
    # Given by demo practitioners; infusions in a completed visit of the nurse.
    assert all(a.administered_by.practitioner.active for a in signed)
    infusions = signed.filter(route="intravenous")
    assert {a.administered_by.username for a in infusions} == {demo.NURSE}
    assert infusions.exists()
    for infusion in infusions:
        assert infusion.appointment.status == "completed"
        assert infusion.appointment.patient_id == infusion.patient_id
        assert infusion.observation_ends_at == infusion.infusion_ended_at + (
            dt.timedelta(minutes=infusion.appointment.type.observation_minutes)
        )


@pytest.mark.django_db
def test_demo_without_patients_seeds_stock_and_no_administrations():
    messages = []
    seed_staff(say=messages.append)
    seed_places(say=messages.append)

    demo.seed(say=messages.append)
    demo.seed(say=messages.append)

    assert _counts()[:2] == (3, 5)
    assert not Administration.objects.exists()
    assert "no patient has consented" in messages[-1]
