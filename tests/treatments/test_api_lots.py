import datetime as dt

import pytest
from django.utils import timezone

from tests import etag
from tests.factories.treatments import LotFactory, ProductFactory, consented_patient
from tests.factories.users import DEFAULT_PASSWORD
from treatments.models import Lot, StockMovement
from treatments.services import (
    administration_mark_entered_in_error,
    administration_sign,
)

URL = "/api/v1/lots/"


def _lot_payload(product, **overrides):
    payload = {
        "product": product.pk,
        "lot_number": "PX-2611-03",
        "supplier_code": " W4219 26 000117 A0",
        "manufactured_on": "2026-10-01",
        "expires_on": "2027-10-01",
        "received_on": "2026-11-02",
        "particles_per_ml": 1_200_000_000_000,
        "modal_size_nm": "98.5",
        "vial_volume_ml": "3.00",
        "coa_reference": "COA/PX/2611/03",
    }
    payload.update(overrides)
    return payload


@pytest.mark.django_db
def test_manager_registers_a_quarantined_lot(manager_client):
    product = ProductFactory()

    response = manager_client.post(URL, _lot_payload(product), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "quarantined"
    assert body["on_hand"] == 0
    assert body["supplier_code"] == " W4219 26 000117 A0"
    assert body["particles_per_ml"] == 1_200_000_000_000


@pytest.mark.django_db
def test_duplicate_lot_number_is_409(manager_client):
    product = ProductFactory()
    manager_client.post(URL, _lot_payload(product), format="json")

    response = manager_client.post(URL, _lot_payload(product), format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_lot_number"
    assert "lot_number" in response.json()["errors"]
    assert Lot.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"expires_on": "2026-09-01"}, "expires_on"),
        ({"received_on": "2026-09-01"}, "received_on"),
        ({"vial_volume_ml": "0"}, "vial_volume_ml"),
        ({"particles_per_ml": 0}, "particles_per_ml"),
    ],
)
def test_bad_dates_and_values_name_their_field(manager_client, overrides, field):
    response = manager_client.post(
        URL, _lot_payload(ProductFactory(), **overrides), format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {field}
    assert not Lot.objects.exists()


@pytest.mark.django_db
def test_release_then_recall_and_no_way_back(manager_client):
    lot = LotFactory(status="quarantined")

    released = manager_client.post(f"{URL}{lot.pk}/release/")
    assert released.status_code == 200
    assert released.json()["status"] == "released"

    recalled = manager_client.post(
        f"{URL}{lot.pk}/recall/",
        {"reason": "Mycoplasma positive on retest", "date": str(timezone.localdate())},
        format="json",
    )
    assert recalled.status_code == 200
    assert recalled.json()["status"] == "recalled"
    assert recalled.json()["recall_reason"] == "Mycoplasma positive on retest"

    for action, body in [
        ("release", {}),
        ("recall", {"reason": "x", "date": "2026-11-01"}),
    ]:
        response = manager_client.post(f"{URL}{lot.pk}/{action}/", body, format="json")
        assert response.status_code == 409
        assert response.json()["code"] == "illegal_lot_transition"


@pytest.mark.django_db
def test_recall_needs_reason_and_date(manager_client):
    lot = LotFactory()

    response = manager_client.post(f"{URL}{lot.pk}/recall/", {}, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"reason", "date"}
    lot.refresh_from_db()
    assert lot.status == "released"


@pytest.mark.django_db
def test_released_lot_cannot_be_edited(manager_client):
    lot = LotFactory()

    response = etag.patch(
        manager_client, f"{URL}{lot.pk}/", {"particles_per_ml": 5}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "lot_not_editable"


@pytest.mark.django_db
def test_stock_ledger_and_on_hand(manager_client, clinician_client, clinician):
    lot = LotFactory(vials=4)

    received = manager_client.post(
        f"{URL}{lot.pk}/stock/", {"kind": "received", "vials": 6}, format="json"
    )
    destroyed = manager_client.post(
        f"{URL}{lot.pk}/stock/",
        {"kind": "destroyed", "vials": -2, "witness": clinician.pk},
        format="json",
    )
    ledger = clinician_client.get(f"{URL}{lot.pk}/stock/")

    assert received.status_code == 201
    assert destroyed.status_code == 201
    assert destroyed.json()["witness"] == clinician.username
    body = ledger.json()
    assert body["on_hand"] == 8
    assert [(m["kind"], m["vials"]) for m in body["results"]] == [
        ("received", 4),
        ("received", 6),
        ("destroyed", -2),
    ]
    assert clinician_client.get(f"{URL}{lot.pk}/").json()["on_hand"] == 8


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "code", "field"),
    [
        ({"kind": "destroyed", "vials": -1}, "witness_required", "witness"),
        ({"kind": "adjusted", "vials": -1}, "reason_required", "reason"),
        ({"kind": "wasted", "vials": -5}, "insufficient_stock", "vials"),
        ({"kind": "wasted", "vials": 1}, "vials_sign_mismatch", "vials"),
        (
            {"kind": "administered", "vials": -1},
            "administered_through_administration",
            "kind",
        ),
        ({"kind": "lost", "vials": -1}, "invalid", "kind"),
    ],
)
def test_bad_stock_movements_are_400_and_write_nothing(
    manager_client, payload, code, field
):
    lot = LotFactory(vials=4)

    response = manager_client.post(f"{URL}{lot.pk}/stock/", payload, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert field in response.json()["errors"]
    assert StockMovement.objects.count() == 1


@pytest.mark.django_db
def test_witness_cannot_be_the_recorder(manager_client, manager):
    lot = LotFactory(vials=4)

    response = manager_client.post(
        f"{URL}{lot.pk}/stock/",
        {"kind": "destroyed", "vials": -1, "witness": manager.pk},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "witness_invalid"


def test_recipients_lists_exactly_the_lot_recipients_with_contact_details(
    manager_client, clinician, lot, patient, record
):
    now = timezone.now()
    second = consented_patient(product=lot.product, email="", phone="")
    mistaken = consented_patient(product=lot.product)
    elsewhere = consented_patient(product=lot.product)
    signed = record(administered_at=now - dt.timedelta(days=2))
    administration_sign(
        administration=signed,
        actor=clinician,
        password=DEFAULT_PASSWORD,
        meaning="performed",
    )
    record(patient=second, administered_at=now - dt.timedelta(days=1))
    error = record(patient=mistaken)
    administration_mark_entered_in_error(
        administration=error, actor=clinician, reason="Wrong chart"
    )
    record(patient=elsewhere, lot=LotFactory(product=lot.product, vials=2))

    response = manager_client.get(f"{URL}{lot.pk}/recipients/")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["mrn"] for row in rows] == [patient.mrn, second.mrn]
    assert rows[0] == {
        "patient_name": f"{patient.given_name} {patient.family_name}",
        "mrn": patient.mrn,
        "phone": str(patient.phone),
        "email": patient.email,
        "administered_at": signed.administered_at.isoformat().replace("+00:00", "Z"),
    }
    assert (rows[1]["phone"], rows[1]["email"]) == ("", "")


@pytest.mark.django_db
@pytest.mark.parametrize("page_size", [2, 6])
def test_lot_list_query_count_does_not_grow(
    clinician_client, page_size, django_assert_num_queries
):
    for _ in range(6):
        LotFactory(vials=3)

    # roles, count, page (product joined, ledger sum as a subquery)
    with django_assert_num_queries(3):
        response = clinician_client.get(URL, {"page_size": page_size})

    assert len(response.json()["results"]) == page_size
    assert {row["on_hand"] for row in response.json()["results"]} == {3}


@pytest.mark.django_db
def test_retried_receipt_with_the_same_key_is_recorded_once(manager_client):
    lot = LotFactory(vials=4)
    url = f"{URL}{lot.pk}/stock/"

    for _ in range(2):
        response = manager_client.post(
            url,
            {"kind": "received", "vials": 10},
            format="json",
            HTTP_IDEMPOTENCY_KEY="delivery-2611-07",
        )
        assert response.status_code == 201

    assert StockMovement.objects.on_hand(lot.pk) == 14


@pytest.mark.django_db
def test_lot_update_with_stale_etag_is_412(manager_client):
    lot = LotFactory(status="quarantined")
    stale = manager_client.get(f"{URL}{lot.pk}/")["ETag"]
    etag.patch(
        manager_client, f"{URL}{lot.pk}/", {"coa_reference": "COA-1"}, format="json"
    )

    response = manager_client.patch(
        f"{URL}{lot.pk}/",
        {"coa_reference": "COA-2"},
        format="json",
        HTTP_IF_MATCH=stale,
    )

    assert response.status_code == 412
    lot.refresh_from_db()
    assert lot.coa_reference == "COA-1"
    current = manager_client.get(f"{URL}{lot.pk}/")["ETag"]
    applied = manager_client.patch(
        f"{URL}{lot.pk}/",
        {"coa_reference": "COA-2"},
        format="json",
        HTTP_IF_MATCH=current,
    )
    assert applied.status_code == 200
