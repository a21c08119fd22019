"""One lock order for the whole project (clinic/core/locking.py): every lock goes
through it, its order is checked while the suite runs, and the two writes that
used to deadlock on PostgreSQL no longer do."""

import datetime as dt
import re
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from rest_framework.test import APIClient

from clinic.core.codes import Indication, Route
from clinic.core.locking import LOCK_ORDER, LockOrderViolation, batch_transaction, lock
from clinic.core.roles import Role
from clinic.models import Appointment
from tests.factories.clinic import AppointmentFactory, PractitionerFactory
from tests.factories.patients import PatientFactory
from tests.factories.treatments import LotFactory, consented_patient
from tests.factories.users import UserFactory

ROOT = Path(__file__).resolve().parents[2]


def test_no_row_is_locked_anywhere_but_through_the_lock_module():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for package in ("clinic", "patients", "treatments", "bench")
        for path in (ROOT / package).rglob("*.py")
        if path.name != "locking.py" and "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if re.search(r"\.select_for_update\(", line)
    ]
    assert offenders == [], "lock rows with clinic.core.locking.lock()"


def test_the_order_names_real_models_once_each():
    assert len(set(LOCK_ORDER)) == len(LOCK_ORDER)
    for label in LOCK_ORDER:
        apps.get_model(label)


@pytest.mark.django_db(transaction=True)
def test_locking_outside_a_transaction_is_refused_on_every_database():
    # PostgreSQL refuses such a lock only when the query runs (once a 500);
    # SQLite ignores locks, so without this check the suite would never see it.
    patient = PatientFactory()
    with pytest.raises(TransactionManagementError):
        lock(type(patient), patient.pk)


def test_a_kind_locked_after_a_later_one_is_refused(db):
    patient = PatientFactory()
    appointment = AppointmentFactory(patient=patient)
    with transaction.atomic():
        lock(type(patient), patient.pk)
        with pytest.raises(LockOrderViolation, match=r"clinic\.Appointment locked"):
            lock(Appointment, appointment.pk)


def test_in_order_relocking_and_separate_transactions_are_fine(db):
    patient = PatientFactory()
    appointment = AppointmentFactory(patient=patient)
    with transaction.atomic():
        lock(Appointment, appointment.pk)
        lock(type(patient), patient.pk)
        lock(Appointment, appointment.pk)  # already held: no new wait
    with transaction.atomic():  # a new transaction starts a new order
        lock(type(patient), patient.pk)


def test_a_batch_run_alone_may_lock_in_any_order(db):
    patient = PatientFactory()
    appointment = AppointmentFactory(patient=patient)
    with batch_transaction():
        lock(type(patient), patient.pk)
        lock(Appointment, appointment.pk)


def test_a_kind_outside_the_order_is_refused(db):
    user = UserFactory()
    with pytest.raises(LockOrderViolation, match="no place"), transaction.atomic():
        lock(type(user), user.pk)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_moving_an_appointment_and_recording_its_dose_at_once_never_deadlock():
    """appointment_move locked the appointment, then the patient;
    administration_record the patient, then the appointment. Run together
    on one patient and appointment, PostgreSQL broke the cycle by failing one
    (a 500). Both now follow clinic.core.locking's order: each answers its own
    rule (the move 200 or 400, the dose 400: the appointment is not in
    progress), never a 500."""
    desk = UserFactory(roles=[Role.FRONT_DESK])
    nurse = UserFactory(roles=[Role.CLINICIAN])
    PractitionerFactory(user=nurse)
    lot = LotFactory(vials=50)
    patient = consented_patient(product=lot.product)
    start = timezone.now() + dt.timedelta(days=2)
    appointment = AppointmentFactory(patient=patient, starts_at=start)
    rounds, outcomes = 30, []

    url = f"/api/v1/appointments/{appointment.public_id}/"
    desk_client, nurse_client = APIClient(), APIClient()
    desk_client.force_authenticate(desk)
    nurse_client.force_authenticate(nurse)

    def move(index):
        new_start = start + dt.timedelta(minutes=5 * (index + 1))
        etag = desk_client.get(url)["ETag"]
        body = {"starts_at": new_start.isoformat()}
        return lambda: desk_client.patch(url, body, format="json", HTTP_IF_MATCH=etag)

    def record(_index):
        body = {
            "patient": str(patient.public_id),
            "appointment": str(appointment.public_id),
            "lot": lot.pk,
            "route": Route.INTRANASAL,
            "indication": Indication.TISSUE_REPAIR,
            "dose_volume_ml": str(Decimal("1.00")),
            "vials_used": 1,
            "administered_at": (timezone.now() - dt.timedelta(minutes=1)).isoformat(),
            "administered_by": nurse.pk,
        }
        return lambda: nurse_client.post(
            "/api/v1/administrations/", body, format="json"
        )

    for index in range(rounds):
        barrier = threading.Barrier(2)
        results = [None, None]
        # Each request is prepared (ETag read) before both are let go at once.
        requests = [move(index), record(index)]

        def run(slot, barrier=barrier, results=results, requests=requests):
            try:
                barrier.wait()
                results[slot] = requests[slot]().status_code
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=(slot,)) for slot in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        outcomes.append(tuple(results))

    assert all(moved in (200, 400) for moved, _ in outcomes), outcomes
    assert all(recorded == 400 for _, recorded in outcomes), outcomes
