import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from clinic.core.codes import ROUTE_SNOMED, Indication, Route
from clinic.core.errors import RuleViolation
from patients.models import SignedConsent
from tests.factories.clinic import (
    AppointmentFactory,
    AppointmentTypeFactory,
    PractitionerFactory,
)
from tests.factories.treatments import consented_patient
from tests.treatments.gates import GATES
from treatments.models import Administration, Lot, StockMovement
from treatments.services import administration_record

HOUR = dt.timedelta(hours=1)


def test_records_draft_takes_vials_and_keeps_consent_and_codes(
    record, lot, patient, clinician
):
    administration = record(
        route=Route.INTRAVENOUS, dose_volume_ml=Decimal("3.00"), vials_used=2
    )

    administration.refresh_from_db()
    assert administration.status == Administration.Status.DRAFT
    assert administration.route_snomed == "47625008"
    assert administration.particle_count == 300_000_000_000
    assert administration.consent == SignedConsent.objects.get(patient=patient)
    assert administration.created_by == clinician
    movement = StockMovement.objects.get(administration=administration)
    assert (movement.kind, movement.vials) == ("administered", -2)
    assert StockMovement.objects.on_hand(lot.pk) == 8
    assert administration.history.get().history_user == clinician


def test_particle_count_rounds_to_whole_particles(record, lot):
    Lot.objects.filter(pk=lot.pk).update(particles_per_ml=333_333_333_333)

    administration = record(dose_volume_ml=Decimal("0.01"))

    assert administration.particle_count == 3_333_333_333


def test_every_route_stores_its_snomed_code(lot, clinician):
    lot.product.allowed_routes = list(Route.values)
    lot.product.save()
    patient = consented_patient(product=lot.product, routes=list(Route.values))

    for route in Route.values:
        administration = administration_record(
            patient=patient,
            lot=lot,
            route=route,
            body_site="left deltoid",
            indication=Indication.TISSUE_REPAIR,
            dose_volume_ml=Decimal("0.50"),
            vials_used=1,
            administered_at=timezone.now() - HOUR,
            administered_by=clinician,
            actor=clinician,
        )
        assert administration.route_snomed == ROUTE_SNOMED[route]


def test_lot_may_be_used_on_its_expiry_day(record, lot):
    today = timezone.localdate()
    Lot.objects.filter(pk=lot.pk).update(expires_on=today)

    assert record(administered_at=timezone.now()).pk


def test_a_manager_with_an_active_practitioner_profile_may_give_a_dose(record, manager):
    PractitionerFactory(user=manager)

    assert record(administered_by=manager).administered_by == manager


def test_the_manager_role_alone_does_not_make_a_practitioner(record, manager, lot):
    with pytest.raises(RuleViolation) as refused:
        record(administered_by=manager)

    assert refused.value.code == "administrator_not_active_practitioner"
    assert "administered_by" in refused.value.errors
    assert not Administration.objects.exists()
    assert StockMovement.objects.on_hand(lot.pk) == 10


def test_without_appointment_observation_ends_default_minutes_after_the_dose(
    record, settings
):
    settings.DEFAULT_OBSERVATION_MINUTES = 45
    at = timezone.now() - 2 * HOUR

    administration = record(administered_at=at)

    administration.refresh_from_db()
    assert administration.appointment is None
    assert administration.observation_ends_at == at + dt.timedelta(minutes=45)


def test_without_appointment_observation_follows_the_infusion_end(record, settings):
    settings.DEFAULT_OBSERVATION_MINUTES = 30
    at = timezone.now() - 3 * HOUR

    administration = record(
        route=Route.INTRAVENOUS,
        administered_at=at,
        infusion_started_at=at,
        infusion_ended_at=at + HOUR,
    )

    assert administration.observation_ends_at == at + HOUR + dt.timedelta(minutes=30)


@pytest.mark.parametrize("status", ["in_progress", "completed"])
def test_with_appointment_observation_uses_the_appointment_types_minutes(
    record, patient, settings, status
):
    settings.DEFAULT_OBSERVATION_MINUTES = 30
    visit = AppointmentTypeFactory(default_duration_minutes=180, observation_minutes=90)
    appointment = AppointmentFactory(patient=patient, type=visit, status=status)
    at = timezone.now() - 3 * HOUR

    administration = record(
        appointment=appointment,
        route=Route.INTRAVENOUS,
        administered_at=at,
        infusion_started_at=at,
        infusion_ended_at=at + HOUR,
    )

    administration.refresh_from_db()
    assert administration.appointment == appointment
    assert list(appointment.administrations.all()) == [administration]
    assert administration.observation_ends_at == at + HOUR + dt.timedelta(minutes=90)


def test_appointment_type_without_observation_ends_it_with_the_dose(
    record, patient, settings
):
    settings.DEFAULT_OBSERVATION_MINUTES = 30
    appointment = AppointmentFactory(
        patient=patient,
        type=AppointmentTypeFactory(observation_minutes=0),
        status="in_progress",
    )
    at = timezone.now() - HOUR

    administration = record(appointment=appointment, administered_at=at)

    assert administration.observation_ends_at == at


@pytest.mark.parametrize(
    ("setup", "code", "field"),
    [pytest.param(s, c, f, id=name) for name, s, c, f in GATES],
)
def test_gate_refuses_and_writes_nothing(record, lot, patient, setup, code, field):
    overrides = setup(lot, patient)
    movements = StockMovement.objects.count()

    with pytest.raises(RuleViolation) as refused:
        record(**overrides)

    assert refused.value.code == code
    assert field in refused.value.errors
    assert not Administration.objects.exists()
    assert not Administration.history.exists()
    assert StockMovement.objects.count() == movements
    assert StockMovement.objects.on_hand(lot.pk) == 10
