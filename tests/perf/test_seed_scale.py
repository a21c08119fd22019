"""seed_scale's small tier: the counts it promises, the rules it claims to
keep (checked here as well as by the database), reproducibility."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Sum

from clinic.models import Appointment, Practitioner, Room
from patients.models import Patient, SignedConsent
from treatments.models import Administration, FollowUpNote, Lot, StockMovement
from treatments.scale import Sizes, seed_scale
from treatments.verification import signature_mismatches

TODAY = dt.date(2026, 6, 1)


def _seed(patients: int = 60, seed: int = 7) -> Sizes:
    return seed_scale(
        patients=patients,
        seed=seed,
        say=lambda _t: None,
        write=lambda _t: None,
        today=TODAY,
    )


def test_large_tier_sizes_are_the_issues():
    sizes = Sizes.for_patients(100_000)
    assert (sizes.practitioners, sizes.rooms, sizes.lots) == (200, 50, 500)
    assert (sizes.appointments, sizes.administrations) == (2_000_000, 1_000_000)
    assert sizes.follow_ups == 500_000


def test_small_tier_fills_every_table(db):
    sizes = _seed()
    assert Patient.objects.count() == sizes.patients == 60
    assert SignedConsent.objects.count() == 60
    assert Practitioner.objects.count() == sizes.practitioners
    assert Room.objects.count() == sizes.rooms
    assert (
        abs(Appointment.objects.count() - sizes.appointments) <= sizes.appointments // 5
    )
    assert 0 < Administration.objects.count() <= sizes.administrations
    assert Lot.objects.count() >= 6


def test_no_patient_or_room_is_double_booked(db):
    _seed()
    active = list(Appointment.objects.active().order_by("starts_at"))
    for field in ("room_id", "patient_id"):
        last_end: dict[int, dt.datetime] = {}
        for a in active:
            key = getattr(a, field)
            assert key not in last_end or last_end[key] <= a.starts_at, (field, a.pk)
            last_end[key] = max(last_end.get(key, a.blocks_until), a.blocks_until)


def test_administrations_keep_the_treatment_rules(db):
    _seed()
    given = Administration.objects.select_related("appointment", "lot", "consent")
    for a in given:
        assert a.appointment.patient_id == a.patient_id
        assert a.appointment.status == "completed"
        assert a.lot.released_at is not None
        assert a.lot.released_at <= a.administered_at
        assert not a.lot.is_expired(on=a.administered_at.date())
        assert a.lot.product.allows_route(a.route)
        assert a.consent.patient_id == a.patient_id
        assert a.consent.form.covers(
            route=a.route, indication=a.indication, product_id=a.lot.product_id
        )
    assert list(signature_mismatches()) == []
    assert StockMovement.objects.filter(kind="administered").count() == given.count()
    on_hand = Lot.objects.annotate(left=Sum("movements__vials"))
    assert all(lot.left is None or lot.left >= 0 for lot in on_hand)


class _Rollback(Exception):
    pass


def _snapshot() -> tuple[list, list]:
    return (
        list(
            Patient.objects.order_by("mrn").values_list("search_name", "date_of_birth")
        ),
        list(
            Appointment.objects.order_by("starts_at", "patient__mrn").values_list(
                "starts_at", "patient__mrn", "status", "room__name"
            )
        ),
    )


def _seed_and_roll_back(seed: int) -> tuple[list, list]:
    try:
        with transaction.atomic():
            _seed(seed=seed)
            rows = _snapshot()
            raise _Rollback
    except _Rollback:
        return rows


def test_same_seed_same_rows(db):
    first = _seed_and_roll_back(seed=11)
    _seed(seed=11)
    assert first[0]
    assert first == _snapshot()


def test_refuses_a_database_with_patients(db):
    _seed()
    with pytest.raises(CommandError, match="empty"):
        call_command("seed_scale", "--patients", "60")


def test_rooms_share_the_day_when_patients_are_few(db):
    _seed()
    kinds = Appointment.objects.values("room__kind").annotate(n=Count("id"))
    assert {row["room__kind"] for row in kinds} == {
        "consult_room",
        "procedure_room",
        "infusion_chair",
    }


def test_follow_ups_follow_their_doses_signed_and_in_the_past(db):
    sizes = _seed()
    notes = list(FollowUpNote.objects.select_related("administration"))
    assert len(notes) == sizes.follow_ups
    for note in notes:
        assert note.patient_id == note.administration.patient_id
        assert note.noted_at > note.administration.administered_at
        assert note.author_id == note.administration.administered_by_id
        assert 0 <= note.outcome_score <= 10
        assert note.status == "signed"
    latest = max(note.signed_at for note in notes)
    assert latest.date() <= TODAY
    assert list(signature_mismatches()) == []
