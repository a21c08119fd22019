"""The admin records, signs and amends through the services, shows the ledger,
recalls with a CSV of recipients, and opens signed records read-only."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.core.roles import Role
from tests.factories.clinic import AppointmentFactory
from tests.factories.treatments import LotFactory, ProductFactory
from tests.factories.users import DEFAULT_PASSWORD, UserFactory
from treatments.models import Administration, Lot, StockMovement
from treatments.services import administration_sign


def _admin_url(name, *args):
    return reverse(f"admin:treatments_{name}", args=args)


@pytest.fixture
def clinician_web(client, clinician):
    client.force_login(clinician)
    return client


@pytest.fixture
def manager_web(client, manager):
    client.force_login(manager)
    return client


def _form_datetime(value):
    local = timezone.localtime(value)
    return {"0": local.strftime("%Y-%m-%d"), "1": local.strftime("%H:%M:%S")}


def _add_payload(lot, patient, clinician, **overrides):
    at = _form_datetime(timezone.now() - dt.timedelta(hours=1))
    payload = {
        "patient": patient.pk,
        "lot": lot.pk,
        "route": "intranasal",
        "body_site": "",
        "dose_volume_ml": "1.50",
        "vials_used": "1",
        "administered_at_0": at["0"],
        "administered_at_1": at["1"],
        "administered_by": clinician.pk,
        "indication": "tissue_repair",
        "indication_detail": "",
        "notes": "",
        "amendments-TOTAL_FORMS": "0",
        "amendments-INITIAL_FORMS": "0",
    }
    payload.update(overrides)
    return payload


def test_clinician_records_signs_and_amends_in_the_admin(
    clinician_web, clinician, lot, patient
):
    added = clinician_web.post(
        _admin_url("administration_add"), _add_payload(lot, patient, clinician)
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    administration = Administration.objects.get()
    assert StockMovement.objects.on_hand(lot.pk) == 9

    wrong = clinician_web.post(
        _admin_url("administration_sign", administration.pk),
        {"meaning": "performed", "password": "nope"},
    )
    assert wrong.status_code == 200
    assert b"does not match" in wrong.content
    signed = clinician_web.post(
        _admin_url("administration_sign", administration.pk),
        {"meaning": "performed", "password": DEFAULT_PASSWORD},
    )
    assert signed.status_code == 302
    administration.refresh_from_db()
    assert administration.status == "signed"

    amended = clinician_web.post(
        _admin_url("administration_amend", administration.pk),
        {
            "dose_volume_ml": "1.00",
            "notes": "",
            "reason": "Syringe misread",
            "password": DEFAULT_PASSWORD,
        },
    )
    assert amended.status_code == 302, amended.content.decode()[:2000]
    [amendment] = administration.amendments.all()
    assert amendment.changes["dose_volume_ml"] == ["1.50", "1.00"]
    administration.refresh_from_db()
    assert administration.compute_digest() == administration.signature_digest


def test_admin_refusal_shows_the_gate_and_writes_nothing(
    clinician_web, clinician, lot, patient
):
    response = clinician_web.post(
        _admin_url("administration_add"),
        _add_payload(lot, patient, clinician, vials_used="11"),
    )

    assert response.status_code == 200
    assert b"vial(s) on hand" in response.content
    assert not Administration.objects.exists()
    assert StockMovement.objects.on_hand(lot.pk) == 10


def test_admin_records_in_an_appointment_and_shows_the_observation_end(
    clinician_web, clinician, lot, patient
):
    appointment = AppointmentFactory(patient=patient, status="completed")

    added = clinician_web.post(
        _admin_url("administration_add"),
        _add_payload(lot, patient, clinician, appointment=appointment.pk),
    )

    assert added.status_code == 302, added.content.decode()[:2000]
    administration = Administration.objects.get()
    assert administration.appointment == appointment
    page = clinician_web.get(_admin_url("administration_change", administration.pk))
    assert b"Observation ends at" in page.content
    assert b'name="appointment"' not in page.content  # not correctable


def test_admin_refuses_another_patients_appointment_and_writes_nothing(
    clinician_web, clinician, lot, patient
):
    appointment = AppointmentFactory(status="in_progress")

    response = clinician_web.post(
        _admin_url("administration_add"),
        _add_payload(lot, patient, clinician, appointment=appointment.pk),
    )

    assert response.status_code == 200
    assert b"another patient" in response.content
    assert not Administration.objects.exists()
    assert StockMovement.objects.on_hand(lot.pk) == 10


def test_signed_administration_opens_read_only(clinician_web, clinician, record):
    administration = administration_sign(
        administration=record(),
        actor=clinician,
        password=DEFAULT_PASSWORD,
        meaning="performed",
    )
    url = _admin_url("administration_change", administration.pk)

    page = clinician_web.get(url)
    posted = clinician_web.post(url, {"notes": "changed in place"})

    assert page.status_code == 200
    assert b'name="notes"' not in page.content
    assert administration.signature_digest.encode() in page.content
    assert posted.status_code == 403
    administration.refresh_from_db()
    assert administration.notes == ""


def test_administrations_are_searchable_by_patient_and_lot(
    clinician_web, record, patient, lot
):
    record()
    for term in (patient.mrn, patient.family_name, lot.lot_number):
        response = clinician_web.get(
            _admin_url("administration_changelist"), {"q": term}
        )
        assert response.status_code == 200
        assert response.context["cl"].result_count == 1, term
    response = clinician_web.get(
        _admin_url("administration_changelist"), {"q": "no-such-thing"}
    )
    assert response.context["cl"].result_count == 0


def test_lot_page_shows_ledger_and_on_hand(manager_web, manager):
    lot = LotFactory(vials=7)

    page = manager_web.get(_admin_url("lot_change", lot.pk))

    assert page.status_code == 200
    assert page.context["adminform"].form.instance.on_hand == 7
    assert b"Received" in page.content


def test_product_page_lists_its_lots(manager_web):
    lot = LotFactory()
    page = manager_web.get(_admin_url("product_change", lot.product.pk))
    assert lot.lot_number.encode() in page.content


def test_recall_action_then_recipients_csv(manager_web, record, patient, lot):
    record()
    changelist = _admin_url("lot_changelist")

    asked = manager_web.post(
        changelist, {"action": "recall", "_selected_action": [lot.pk]}
    )
    assert asked.status_code == 200
    assert b"reason" in asked.content
    done = manager_web.post(
        changelist,
        {
            "action": "recall",
            "_selected_action": [lot.pk],
            "apply": "1",
            "reason": "Endotoxin out of specification",
            "date": str(timezone.localdate()),
        },
    )
    assert done.status_code == 302
    lot.refresh_from_db()
    assert lot.status == Lot.Status.RECALLED

    download = manager_web.post(
        changelist, {"action": "download_recipients", "_selected_action": [lot.pk]}
    )
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert download["Content-Type"] == "text/csv"
    assert rows[0] == [
        "lot",
        "patient_name",
        "mrn",
        "phone",
        "email",
        "administered_at",
    ]
    assert [r[2] for r in rows[1:]] == [patient.mrn]


def test_manager_adds_a_stock_movement_through_the_service(manager_web, manager):
    lot = LotFactory(vials=2)
    at = _form_datetime(timezone.now())

    refused = manager_web.post(
        _admin_url("stockmovement_add"),
        {
            "lot": lot.pk,
            "kind": "adjusted",
            "vials": "-1",
            "reason": "",
            "at_0": at["0"],
            "at_1": at["1"],
        },
    )
    added = manager_web.post(
        _admin_url("stockmovement_add"),
        {
            "lot": lot.pk,
            "kind": "wasted",
            "vials": "-1",
            "reason": "Cracked vial",
            "at_0": at["0"],
            "at_1": at["1"],
        },
    )

    assert refused.status_code == 200
    assert added.status_code == 302
    assert StockMovement.objects.on_hand(lot.pk) == 1
    assert StockMovement.objects.latest("id").by == manager


def test_manager_creates_product_and_lot_in_the_admin(manager_web):
    product = manager_web.post(
        _admin_url("product_add"),
        {
            "name": "AdipoVes SC",
            "manufacturer": "Northgate Regenerative",
            "source_material": "adipose_msc",
            "isolation_method": "size_exclusion",
            "allowed_routes": ["subcutaneous", "intra_articular"],
            "ind_number": "",
            "ind_sponsor": "",
            "regulatory_disclosure": "Not FDA approved.",
            "active": "on",
            "lots-TOTAL_FORMS": "0",
            "lots-INITIAL_FORMS": "0",
        },
    )
    assert product.status_code == 302, product.content.decode()[:3000]
    created = ProductFactory._meta.model.objects.get(name="AdipoVes SC")
    assert created.history.get().history_user.username == "mgr_user"


def test_front_desk_has_no_treatments_admin(db, client):
    client.force_login(UserFactory(roles=[Role.FRONT_DESK]))
    for name in ("product_changelist", "lot_changelist", "administration_changelist"):
        assert client.get(_admin_url(name)).status_code == 403


def test_every_treatments_admin_page_renders(manager_web, manager, record):
    draft = record()
    signed = record()
    administration_sign(
        administration=signed,
        actor=signed.administered_by,
        password=DEFAULT_PASSWORD,
        meaning="performed",
    )
    pages = [
        _admin_url("product_changelist"),
        _admin_url("product_add"),
        _admin_url("lot_changelist"),
        _admin_url("lot_add"),
        _admin_url("lot_change", draft.lot_id),
        _admin_url("stockmovement_changelist"),
        _admin_url("stockmovement_add"),
        _admin_url("administration_changelist"),
        _admin_url("administration_add"),
        _admin_url("administration_change", draft.pk),
        _admin_url("administration_change", signed.pk),
        _admin_url("administration_sign", draft.pk),
        _admin_url("administration_amend", signed.pk),
        _admin_url("administration_history", signed.pk),
    ]
    for url in pages:
        assert manager_web.get(url).status_code == 200, url
