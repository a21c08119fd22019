"""Every write keeps a history row with its actor and the values before and
after: through the API (every write operation of the matrix), the services
called directly (no request, so no middleware to lean on) and the admin. A
rolled-back write leaves none; clinical records refuse deletion everywhere."""

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic.core.audit import NoDeleteModel
from clinic.core.errors import DeletionRefused
from clinic.core.locking import batch_transaction
from clinic.core.roles import Role
from clinic.services.appointment_status import appointment_cancel
from clinic.services.locations import location_create
from patients.models import Patient
from patients.services import consent_withdraw, patient_register, patient_update
from tests.factories.users import UserFactory
from tests.security import role_matrix
from tests.security.test_role_matrix import call
from tests.security.world import build_world
from treatments.services import lot_recall

DOMAIN_APPS = ("clinic", "patients", "treatments")
# Written only as a side effect no API route offers on its own, or not at all.
NO_API_WRITE = {"MrnCounter", "ApiToken", "IdempotencyRecord"}


def _audited_models():
    return [
        model
        for label in DOMAIN_APPS
        for model in apps.get_app_config(label).get_models()
        if hasattr(model, "history") and not model.__name__.startswith("Historical")
    ]


def _marks():
    return {model: model.history.count() for model in _audited_models()}


def _new_rows(marks):
    rows = []
    for model, count in marks.items():
        fresh = model.history.order_by("history_id")[count:]
        rows.extend(fresh)
    return rows


def _write_operations():
    return sorted(
        op
        for op, cells in role_matrix.API.items()
        if not op.startswith("GET") and "auth/token" not in op
    )


def _actor_role(operation):
    cells = role_matrix.API[operation]
    return next(r for r in ("clinician", "front_desk", "manager") if cells[r] < 300)


def _assert_audited(rows, actor):
    assert rows, "the write left no history row"
    for row in rows:
        assert row.history_user == actor, f"{row} has actor {row.history_user}"
        if row.history_type == "~":
            before = row.prev_record
            assert before is not None, f"{row} has no earlier values"


@pytest.mark.parametrize("operation", _write_operations())
def test_every_api_write_keeps_history_with_actor_and_before_after(db, operation):
    world = build_world()
    role = _actor_role(operation)
    marks = _marks()

    response = call(world, operation, role)

    assert response.status_code < 300, response.content
    _assert_audited(_new_rows(marks), world.users[role])


def test_every_audited_model_has_an_api_write_that_records_history(db):
    touched = set()
    for operation in _write_operations():
        # One transaction per operation, rolled back: a batch run alone.
        with batch_transaction():
            world = build_world()
            marks = _marks()
            call(world, operation, _actor_role(operation))
            touched |= {type(r).instance_type.__name__ for r in _new_rows(marks)}
            transaction.set_rollback(True)

    audited = {model.__name__ for model in _audited_models()}
    assert sorted(audited - touched - NO_API_WRITE) == []


def test_services_record_the_actor_without_any_request(db):
    world = build_world()
    actor = world.users["manager"]
    marks = _marks()

    patient = patient_register(
        actor=actor,
        given_name="Ines",
        family_name="Audit",
        date_of_birth=timezone.localdate().replace(year=1980),
        sex=Patient.Sex.FEMALE,
    )
    patient_update(patient=patient, actor=actor, email="ines@example.test")
    consent_withdraw(consent=world.consent, actor=actor, reason="Changed mind.")
    appointment_cancel(appointment=world.booked, actor=actor, reason="Called.")
    lot_recall(
        lot=world.lot, actor=actor, reason="Notice.", recalled_on=timezone.localdate()
    )
    location_create(actor=actor, name="Audit site", time_zone="UTC")

    rows = _new_rows(marks)
    _assert_audited(rows, actor)
    changed = {type(r).instance_type.__name__ for r in rows if r.history_type == "~"}
    assert {"Patient", "SignedConsent", "Appointment", "Lot"} <= changed
    email = next(
        r for r in rows if type(r).instance_type is Patient and r.history_type == "~"
    )
    diff = email.diff_against(email.prev_record)
    assert [(c.field, c.old, c.new) for c in diff.changes] == [
        ("email", "", "ines@example.test")
    ]


def test_a_rolled_back_write_leaves_no_history(db):
    world = build_world()
    marks = _marks()

    manager = world.users["manager"]

    def failing_request():
        with transaction.atomic():
            patient_update(patient=world.patient, actor=manager, email="x@example.test")
            appointment_cancel(appointment=world.booked, actor=manager, reason="r")
            raise RuntimeError("the request failed later")

    with pytest.raises(RuntimeError):
        failing_request()

    assert _new_rows(marks) == []


def test_a_refused_api_write_leaves_no_history(db):
    world = build_world()
    marks = _marks()

    response = call(world, "POST /api/v1/lots/{id}/release/", "manager")
    again = call(world, "POST /api/v1/lots/{id}/release/", "manager")

    assert (response.status_code, again.status_code) == (200, 409)
    assert len(_new_rows(marks)) == 1


def test_admin_writes_keep_history_with_actor_and_before_after(db, client: Client):
    world = build_world()
    manager = world.users["manager"]
    client.force_login(manager)
    marks = _marks()
    location = world.location

    response = client.post(
        reverse("admin:clinic_location_change", args=[location.pk]),
        {
            "name": location.name,
            "time_zone": location.time_zone,
            "address": "2 Audit Road",
            "active": "on",
        },
    )

    assert response.status_code == 302, response.content[:2000]
    rows = _new_rows(marks)
    _assert_audited(rows, manager)
    diff = rows[0].diff_against(rows[0].prev_record)
    assert [c.field for c in diff.changes] == ["address"]


CLINICAL = ["Patient", "SignedConsent", "Appointment", "Administration", "Lot"]


def _clinical_models():
    return {
        model.__name__: model
        for model in _audited_models()
        if issubclass(model, NoDeleteModel)
    }


def test_no_clinical_record_can_be_deleted_by_model_or_queryset(db):
    build_world()
    for name, model in _clinical_models().items():
        instance = model.objects.first()
        if instance is None:
            continue
        with pytest.raises(DeletionRefused):
            instance.delete()
        with pytest.raises(DeletionRefused):
            model.objects.all().delete()
        assert model.objects.filter(pk=instance.pk).exists(), name


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/patients/{public_id}/", "patient"),
        ("/api/v1/consents/{public_id}/", "consent"),
        ("/api/v1/appointments/{public_id}/", "booked"),
        ("/api/v1/administrations/{public_id}/", "draft"),
        ("/api/v1/lots/{id}/", "lot"),
        ("/api/v1/products/{id}/", "product"),
        ("/api/v1/consent-forms/{id}/", "form"),
    ],
)
def test_no_clinical_record_can_be_deleted_through_the_api(db, path, name):
    world = build_world()
    obj = world.objects[name]
    client = Client()
    superuser = UserFactory(username="root", is_superuser=True, roles=[Role.MANAGER])
    client.force_login(superuser)

    response = client.delete(
        path.format(public_id=getattr(obj, "public_id", None), id=obj.pk)
    )

    assert response.status_code == 405
    assert type(obj).objects.filter(pk=obj.pk).exists()
