import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from clinic.core.codes import Indication, Route
from clinic.models import Appointment
from patients.models import Patient
from tests import etag
from tests.factories.clinic import AppointmentFactory, AppointmentTypeFactory
from tests.factories.treatments import LotFactory, consented_patient
from tests.factories.users import DEFAULT_PASSWORD
from tests.treatments.gates import GATES
from treatments.models import Administration, Lot, StockMovement
from treatments.services import administration_amend, administration_sign

URL = "/api/v1/administrations/"
HOUR = dt.timedelta(hours=1)


def _json(value):
    if isinstance(value, Patient | Appointment):
        return str(value.public_id)
    if isinstance(value, Lot | get_user_model()):
        return value.pk
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def _payload(lot, patient, overrides=None):
    values = {
        "patient": patient,
        "lot": lot,
        "route": Route.INTRANASAL,
        "indication": Indication.TISSUE_REPAIR,
        "dose_volume_ml": Decimal("1.50"),
        "vials_used": 1,
        "administered_at": timezone.now() - HOUR,
    }
    values.update(overrides or {})
    return {key: _json(value) for key, value in values.items()}


def _url(administration, action=""):
    suffix = f"{action}/" if action else ""
    return f"{URL}{administration.public_id}/{suffix}"


def test_clinician_records_an_administration(clinician_client, clinician, lot, patient):
    response = clinician_client.post(URL, _payload(lot, patient), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    administration = Administration.objects.get()
    assert body["id"] == str(administration.public_id)
    assert body["status"] == "draft"
    assert body["patient"] == str(patient.public_id)
    assert body["administered_by"] == clinician.username
    assert body["route_snomed"] == "46713006"
    assert body["particle_count"] == 150_000_000_000
    assert body["dose_volume_ml"] == "1.50"
    assert body["consent"] == str(administration.consent.public_id)
    assert body["amendments"] == []
    assert body["as_signed"] is None
    assert StockMovement.objects.on_hand(lot.pk) == 9


def test_recording_in_an_appointment_shows_it_and_the_observation_end(
    clinician_client, lot, patient
):
    appointment = AppointmentFactory(
        patient=patient,
        status="in_progress",
        type=AppointmentTypeFactory(observation_minutes=20),
    )
    at = (timezone.now() - HOUR).replace(microsecond=0)

    response = clinician_client.post(
        URL,
        _payload(lot, patient, {"appointment": appointment, "administered_at": at}),
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["appointment"] == str(appointment.public_id)
    observation_end = dt.datetime.fromisoformat(body["observation_ends_at"])
    assert observation_end == at + dt.timedelta(minutes=20)
    assert Administration.objects.get().appointment == appointment


def test_recording_without_appointment_uses_the_default_observation(
    clinician_client, lot, patient, settings
):
    settings.DEFAULT_OBSERVATION_MINUTES = 30
    at = (timezone.now() - HOUR).replace(microsecond=0)

    response = clinician_client.post(
        URL, _payload(lot, patient, {"administered_at": at}), format="json"
    )

    assert response.status_code == 201, response.json()
    assert response.json()["appointment"] is None
    observation_end = dt.datetime.fromisoformat(response.json()["observation_ends_at"])
    assert observation_end == at + dt.timedelta(minutes=30)


def test_unknown_appointment_is_a_400_naming_it_and_writes_nothing(
    clinician_client, lot, patient
):
    payload = _payload(lot, patient, {"appointment": str(uuid.uuid4())})

    response = clinician_client.post(URL, payload, format="json")

    assert response.status_code == 400
    assert "appointment" in response.json()["errors"]
    assert not Administration.objects.exists()
    assert StockMovement.objects.on_hand(lot.pk) == 10


@pytest.mark.parametrize(
    ("setup", "code", "field"),
    [
        pytest.param(s, c, f, id=name)
        for name, s, c, f in GATES
        if name != "unknown route"  # a shape error here, tested below
    ],
)
def test_every_gate_is_a_400_naming_code_and_field_and_writes_nothing(
    clinician_client, lot, patient, setup, code, field
):
    overrides = setup(lot, patient)

    response = clinician_client.post(
        URL, _payload(lot, patient, overrides), format="json"
    )

    assert response.status_code == 400, response.json()
    assert response.json()["code"] == code
    assert field in response.json()["errors"]
    assert not Administration.objects.exists()
    assert StockMovement.objects.on_hand(lot.pk) == 10


def test_malformed_input_names_each_field(clinician_client, lot, patient):
    payload = _payload(lot, patient, {"route": "oral", "dose_volume_ml": "lots"})
    payload.pop("indication")
    payload["unexpected"] = 1

    response = clinician_client.post(URL, payload, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {
        "route",
        "dose_volume_ml",
        "indication",
        "unexpected",
    }
    assert not Administration.objects.exists()


def test_unknown_or_malformed_id_is_404(clinician_client):
    assert clinician_client.get(f"{URL}{uuid.uuid4()}/").status_code == 404
    assert clinician_client.get(f"{URL}not-a-uuid/").status_code == 404


def test_sign_with_password_then_edit_is_409(clinician_client, record):
    administration = record()

    wrong = clinician_client.post(
        _url(administration, "sign"),
        {"password": "guess", "meaning": "performed"},
        format="json",
    )
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "signature_password_invalid"
    assert "password" in wrong.json()["errors"]

    signed = clinician_client.post(
        _url(administration, "sign"),
        {"password": DEFAULT_PASSWORD, "meaning": "performed"},
        format="json",
    )
    assert signed.status_code == 200
    assert signed.json()["status"] == "signed"
    assert len(signed.json()["signature_digest"]) == 64

    edit = etag.patch(
        clinician_client, _url(administration), {"notes": "changed"}, format="json"
    )
    assert edit.status_code == 409
    assert edit.json()["code"] == "record_signed"


def test_draft_can_be_edited(clinician_client, record):
    administration = record()

    response = etag.patch(
        clinician_client,
        _url(administration),
        {"notes": "Mild sneezing", "dose_volume_ml": "2.00"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["notes"] == "Mild sneezing"
    assert response.json()["particle_count"] == 200_000_000_000


def test_draft_edit_refuses_fields_deciding_gates(clinician_client, record):
    response = etag.patch(
        clinician_client, _url(record()), {"vials_used": 3}, format="json"
    )
    assert response.status_code == 400
    assert "vials_used" in response.json()["errors"]


def test_amend_shows_current_values_and_keeps_the_signed_ones(
    clinician_client, clinician, record
):
    administration = administration_sign(
        administration=record(),
        actor=clinician,
        password=DEFAULT_PASSWORD,
        meaning="performed",
    )

    response = clinician_client.post(
        _url(administration, "amend"),
        {
            "password": DEFAULT_PASSWORD,
            "reason": "Volume misread",
            "changes": {"dose_volume_ml": "1.00"},
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["dose_volume_ml"] == "1.00"
    assert body["particle_count"] == 100_000_000_000
    assert body["as_signed"] == {
        "dose_volume_ml": "1.50",
        "particle_count": 150_000_000_000,
    }
    [amendment] = body["amendments"]
    assert amendment["reason"] == "Volume misread"
    assert amendment["amended_by"] == clinician.username
    assert amendment["changes"]["dose_volume_ml"] == ["1.50", "1.00"]
    assert body["signature_digest"] == administration.signature_digest


def test_amend_refuses_wrong_password_and_draft(clinician_client, clinician, record):
    draft = record()
    payload = {"password": DEFAULT_PASSWORD, "reason": "x", "changes": {"notes": "y"}}
    assert (
        clinician_client.post(_url(draft, "amend"), payload, format="json").json()[
            "code"
        ]
        == "record_not_signed"
    )

    administration_sign(
        administration=draft,
        actor=clinician,
        password=DEFAULT_PASSWORD,
        meaning="performed",
    )
    response = clinician_client.post(
        _url(draft, "amend"), {**payload, "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "signature_password_invalid"
    assert not draft.amendments.exists()


def test_entered_in_error_needs_reason(clinician_client, record):
    administration = record()

    missing = clinician_client.post(
        _url(administration, "entered-in-error"), {}, format="json"
    )
    assert missing.status_code == 400
    assert "reason" in missing.json()["errors"]

    done = clinician_client.post(
        _url(administration, "entered-in-error"),
        {"reason": "Wrong patient chart"},
        format="json",
    )
    assert done.status_code == 200
    assert done.json()["status"] == "entered_in_error"
    assert done.json()["entered_in_error_reason"] == "Wrong patient chart"

    again = clinician_client.post(
        _url(administration, "entered-in-error"), {"reason": "x"}, format="json"
    )
    assert again.status_code == 409
    assert again.json()["code"] == "record_entered_in_error"


def test_delete_is_not_a_route(manager_client, record):
    response = manager_client.delete(_url(record()))
    assert response.status_code == 405
    assert Administration.objects.count() == 1


def test_list_filters_by_patient_lot_and_date(clinician_client, record, lot, patient):
    now = timezone.now()
    early = record(administered_at=now - dt.timedelta(days=3))
    late = record(administered_at=now - HOUR)
    other_lot = LotFactory(product=lot.product, vials=5)
    other = record(lot=other_lot, administered_at=now - 2 * HOUR)
    other_patient = consented_patient(product=lot.product)
    stranger = record(patient=other_patient, administered_at=now - 2 * HOUR)

    def ids(query):
        response = clinician_client.get(URL, query)
        assert response.status_code == 200
        return [row["id"] for row in response.json()["results"]]

    # Newest first; the tie at the same time is broken by newest row.
    assert ids({}) == [str(a.public_id) for a in (late, stranger, other, early)]
    assert set(ids({"patient": str(other_patient.public_id)})) == {
        str(stranger.public_id)
    }
    assert set(ids({"lot": other_lot.pk})) == {str(other.public_id)}
    after = (now - dt.timedelta(days=1)).isoformat()
    assert set(ids({"administered_after": after, "lot": lot.pk})) == {
        str(late.public_id),
        str(stranger.public_id),
    }
    before = (now - dt.timedelta(days=1)).isoformat()
    assert ids({"administered_before": before}) == [str(early.public_id)]


def test_list_pages_with_a_cursor(clinician_client, record):
    made = [record(administered_at=timezone.now() - n * HOUR) for n in range(1, 6)]

    first = clinician_client.get(URL, {"page_size": 2}).json()
    second = clinician_client.get(first["next"]).json()

    assert [r["id"] for r in first["results"] + second["results"]] == [
        str(a.public_id) for a in made[:4]
    ]
    assert "count" not in first


def _many(record, clinician, count):
    """Drafts, signed records, and amended ones (so every prefetch runs)."""
    for n in range(count):
        administration = record(administered_at=timezone.now() - (n + 1) * HOUR)
        if n % 2:
            administration_sign(
                administration=administration,
                actor=clinician,
                password=DEFAULT_PASSWORD,
                meaning="performed",
            )
            administration_amend(
                administration=administration,
                actor=clinician,
                password=DEFAULT_PASSWORD,
                reason="Note added",
                changes={"notes": f"amended {n}"},
            )


@pytest.mark.parametrize("page_size", [2, 8])
def test_list_query_count_does_not_grow_with_page_size(
    clinician_client, clinician, record, page_size, django_assert_num_queries
):
    _many(record, clinician, 8)

    # Rows with patient and lot joined; administrator, consent, amendments and
    # the amenders prefetched (an empty relation, like no appointment or no
    # signer here, costs none): whatever the page size.
    with django_assert_num_queries(6):
        response = clinician_client.get(URL, {"page_size": page_size})

    assert len(response.json()["results"]) == page_size


def test_retried_recording_with_the_same_key_takes_the_vials_once(
    clinician_client, lot, patient
):
    payload = _payload(lot, patient)

    first = clinician_client.post(
        URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="adm-0001"
    )
    retry = clinician_client.post(
        URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="adm-0001"
    )

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json()["id"] == first.json()["id"]
    assert Administration.objects.count() == 1
    assert StockMovement.objects.on_hand(lot.pk) == 9


def test_signing_a_record_that_changed_since_it_was_read_is_412(
    clinician_client, record
):
    administration = record()
    stale = clinician_client.get(_url(administration))["ETag"]
    etag.patch(
        clinician_client, _url(administration), {"notes": "Edited"}, format="json"
    )

    response = clinician_client.post(
        _url(administration, "sign"),
        {"password": DEFAULT_PASSWORD, "meaning": "performed"},
        format="json",
        HTTP_IF_MATCH=stale,
    )

    assert response.status_code == 412
    administration.refresh_from_db()
    assert administration.status == "draft"
    current = clinician_client.get(_url(administration))["ETag"]
    signed = clinician_client.post(
        _url(administration, "sign"),
        {"password": DEFAULT_PASSWORD, "meaning": "performed"},
        format="json",
        HTTP_IF_MATCH=current,
    )
    assert signed.status_code == 200
