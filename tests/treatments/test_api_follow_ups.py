"""/api/v1/follow-ups/: clinicians write, sign and amend notes; managers also
read history; the front desk gets nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from tests import etag
from tests.factories.treatments import FollowUpNoteFactory
from tests.factories.users import DEFAULT_PASSWORD
from treatments.models import FollowUpNote

URL = "/api/v1/follow-ups/"


def _url(note, action=""):
    return f"{URL}{note.public_id}/{action + '/' if action else ''}"


@pytest.fixture
def payload(administration):
    noted = administration.administered_at + dt.timedelta(days=1)
    return {
        "patient": str(administration.patient.public_id),
        "administration": str(administration.public_id),
        "noted_at": noted.isoformat(),
        "contact_kind": "phone",
        "outcome_score": 6,
        "text": "Less stiffness in the mornings.",
    }


@pytest.fixture
def note(clinician_client, payload):
    response = clinician_client.post(URL, payload, format="json")
    assert response.status_code == 201, response.json()
    return FollowUpNote.objects.get(public_id=response.json()["id"])


def _sign(client, note):
    return client.post(
        _url(note, "sign"),
        {"password": DEFAULT_PASSWORD, "meaning": "performed"},
        format="json",
    )


def test_clinician_writes_a_draft_note(clinician_client, clinician, payload):
    response = clinician_client.post(URL, payload, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert body["author"] == clinician.username
    assert body["outcome_score"] == 6
    assert body["administration"] == payload["administration"]
    assert body["patient"] == payload["patient"]
    assert response.has_header("ETag")


def _refused(client, payload, status, code, field):
    response = client.post(URL, payload, format="json")
    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    assert field in response.json()["errors"]
    assert FollowUpNote.objects.count() == 0


@pytest.mark.parametrize("score", [-1, 11])
def test_an_outcome_outside_0_to_10_is_a_400(clinician_client, payload, score):
    payload["outcome_score"] = score
    _refused(
        clinician_client, payload, 400, "outcome_score_out_of_range", "outcome_score"
    )


def test_a_note_for_another_patients_administration_is_a_400(
    clinician_client, payload, other_administration
):
    payload["administration"] = str(other_administration.public_id)
    _refused(
        clinician_client,
        payload,
        400,
        "administration_other_patient",
        "administration",
    )


def test_a_note_before_the_administration_is_a_400(
    clinician_client, payload, administration
):
    before = administration.administered_at - dt.timedelta(minutes=5)
    payload["noted_at"] = before.isoformat()
    _refused(clinician_client, payload, 400, "noted_before_administration", "noted_at")


def test_a_malformed_note_is_a_400_naming_each_field(clinician_client, payload):
    payload.update(
        {"contact_kind": "fax", "outcome_score": "ten", "author": 1, "status": "x"}
    )
    response = clinician_client.post(URL, payload, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) >= {
        "contact_kind",
        "outcome_score",
        "author",
        "status",
    }
    assert FollowUpNote.objects.count() == 0


def test_a_draft_is_edited_with_if_match(clinician_client, note):
    etag = clinician_client.get(_url(note))["ETag"]

    edited = clinician_client.patch(
        _url(note), {"outcome_score": 8}, format="json", HTTP_IF_MATCH=etag
    )
    stale = clinician_client.patch(
        _url(note), {"outcome_score": 9}, format="json", HTTP_IF_MATCH=etag
    )

    assert edited.status_code == 200, edited.json()
    assert stale.status_code == 412
    assert FollowUpNote.objects.get().outcome_score == 8


def test_signing_then_editing_a_signed_note_is_a_409(clinician_client, note):
    signed = _sign(clinician_client, note)
    assert signed.status_code == 200, signed.json()
    assert signed.json()["status"] == "signed"
    assert len(signed.json()["signature_digest"]) == 64

    response = etag.patch(
        clinician_client, _url(note), {"outcome_score": 1}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "record_signed"
    assert FollowUpNote.objects.get().outcome_score == 6


def test_signing_with_a_wrong_password_is_a_400_naming_it(clinician_client, note):
    response = clinician_client.post(
        _url(note, "sign"), {"password": "no", "meaning": "performed"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "signature_password_invalid"
    assert "password" in response.json()["errors"]
    assert FollowUpNote.objects.get().status == "draft"


def test_amending_a_signed_note_shows_both_versions(clinician_client, note):
    _sign(clinician_client, note)

    response = clinician_client.post(
        _url(note, "amend"),
        {
            "password": DEFAULT_PASSWORD,
            "reason": "Patient called back with a better score.",
            "changes": {"outcome_score": 8},
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["outcome_score"] == 8
    assert body["as_signed"] == {"outcome_score": 6}
    assert body["amendments"][0]["changes"] == {"outcome_score": [6, 8]}


def test_an_amendment_out_of_range_is_a_400_and_writes_nothing(clinician_client, note):
    _sign(clinician_client, note)
    response = clinician_client.post(
        _url(note, "amend"),
        {"password": DEFAULT_PASSWORD, "reason": "r", "changes": {"outcome_score": 11}},
        format="json",
    )
    assert response.status_code == 400
    assert "outcome_score" in response.json()["errors"]
    assert note.amendments.count() == 0


def test_a_retried_create_writes_one_note(clinician_client, payload):
    first = clinician_client.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="k")
    again = clinician_client.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="k")

    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert FollowUpNote.objects.count() == 1


def test_lists_filter_by_patient_and_administration(
    clinician_client, note, other_administration
):
    FollowUpNoteFactory(administration=other_administration)

    mine = clinician_client.get(URL, {"patient": note.patient.public_id})
    by_administration = clinician_client.get(
        URL, {"administration": other_administration.public_id}
    )

    assert [n["id"] for n in mine.json()["results"]] == [str(note.public_id)]
    assert len(by_administration.json()["results"]) == 1
    assert len(clinician_client.get(URL).json()["results"]) == 2


@pytest.mark.parametrize("count", [1, 6])
def test_the_list_query_count_does_not_grow(
    clinician_client, administration, django_assert_num_queries, count
):
    for _ in range(count):
        FollowUpNoteFactory(administration=administration)
    # roles of the caller, the page (patient, administration joined), the
    # prefetched author and amendments (no signer here: no query)
    with django_assert_num_queries(4):
        response = clinician_client.get(URL)
    assert len(response.json()["results"]) == count


def test_front_desk_gets_nothing(front_desk_client, note, payload):
    assert front_desk_client.get(URL).status_code == 403
    assert front_desk_client.get(_url(note)).status_code == 403
    assert front_desk_client.post(URL, payload, format="json").status_code == 403
    assert (
        etag.patch(front_desk_client, _url(note), {}, format="json").status_code == 403
    )
    assert _sign(front_desk_client, note).status_code == 403
    assert FollowUpNote.objects.count() == 1


def test_history_is_for_managers(clinician_client, manager_client, note):
    assert clinician_client.get(_url(note, "history")).status_code == 403
    response = manager_client.get(_url(note, "history"))
    assert response.status_code == 200
    assert response.json()["results"][0]["kind"] == "created"


def test_anonymous_callers_are_refused(anon_client, note):
    assert anon_client.get(URL).status_code in (401, 403)
    assert anon_client.get(_url(note)).status_code in (401, 403)


def test_a_note_in_the_future_is_a_400(clinician_client, payload):
    payload["noted_at"] = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    _refused(clinician_client, payload, 400, "noted_in_future", "noted_at")
