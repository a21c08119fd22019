"""/api/v1/patients/{id}/outcomes/: a patient's course, administrations in
time order with their follow-up scores and adverse events."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories.treatments import AdverseEventFactory, FollowUpNoteFactory
from tests.factories.users import DEFAULT_PASSWORD
from treatments.services import (
    administration_amend,
    administration_sign,
    follow_up_amend,
    follow_up_sign,
)

DAY = dt.timedelta(days=1)


def _url(patient):
    return f"/api/v1/patients/{patient.public_id}/outcomes/"


def _course(record, patient, doses):
    """`doses` administrations five days apart, oldest first, each with two
    scored follow-ups and (every other one) an adverse event."""
    start = timezone.now() - (5 * doses + 2) * DAY
    administrations = []
    for index in range(doses):
        administration = record(administered_at=start + 5 * index * DAY)
        for day, score in ((1, 4 + index), (3, 5 + index)):
            FollowUpNoteFactory(
                administration=administration,
                noted_at=administration.administered_at + day * DAY,
                outcome_score=score,
            )
        if index % 2:
            AdverseEventFactory(administration=administration)
        administrations.append(administration)
    return administrations


def test_the_course_reads_in_time_order_with_scores_and_events(
    clinician_client, record, patient
):
    administrations = _course(record, patient, 3)
    FollowUpNoteFactory(patient=patient, outcome_score=9)  # follows no dose

    response = clinician_client.get(_url(patient))

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["patient"]["mrn"] == patient.mrn
    rows = body["administrations"]
    assert [r["id"] for r in rows] == [str(a.public_id) for a in administrations]
    assert [[n["outcome_score"] for n in r["follow_ups"]] for r in rows] == [
        [4, 5],
        [5, 6],
        [6, 7],
    ]
    assert [len(r["adverse_events"]) for r in rows] == [0, 1, 0]
    assert rows[1]["adverse_events"][0]["grade"] == 2
    assert [n["outcome_score"] for n in body["other_follow_ups"]] == [9]


def test_amended_scores_and_doses_are_shown_as_they_now_read(
    clinician_client, clinician, record, patient
):
    (administration,) = _course(record, patient, 1)
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
        reason="dose misread",
        changes={"dose_volume_ml": Decimal("1.20")},
    )
    note = administration.follow_up_notes.order_by("noted_at").first()
    note.author = clinician
    note.save()
    follow_up_sign(
        note=note, actor=clinician, password=DEFAULT_PASSWORD, meaning="performed"
    )
    follow_up_amend(
        note=note,
        actor=clinician,
        password=DEFAULT_PASSWORD,
        reason="patient corrected it",
        changes={"outcome_score": 2},
    )

    (row,) = clinician_client.get(_url(patient)).json()["administrations"]

    assert row["dose_volume_ml"] == "1.20"
    assert [n["outcome_score"] for n in row["follow_ups"]] == [2, 5]
    assert row["follow_ups"][0]["status"] == "signed"


def test_another_patients_course_is_not_mixed_in(
    clinician_client, record, patient, other_administration
):
    FollowUpNoteFactory(administration=other_administration)
    _course(record, patient, 1)

    body = clinician_client.get(_url(patient)).json()

    assert len(body["administrations"]) == 1
    assert body["other_follow_ups"] == []


@pytest.mark.parametrize("doses", [1, 4])
def test_the_query_count_does_not_grow_with_the_course(
    clinician_client, record, patient, django_assert_num_queries, doses
):
    _course(record, patient, doses)
    FollowUpNoteFactory(patient=patient)  # follows no dose
    # roles, patient, administrations (+lot, product), their amendments,
    # notes, the notes' amendments, events, other notes, their amendments
    with django_assert_num_queries(9):
        response = clinician_client.get(_url(patient))
    assert len(response.json()["administrations"]) == doses


def test_managers_read_it_and_the_front_desk_does_not(
    manager_client, front_desk_client, anon_client, patient
):
    assert manager_client.get(_url(patient)).status_code == 200
    assert front_desk_client.get(_url(patient)).status_code == 403
    assert anon_client.get(_url(patient)).status_code in (401, 403)


def test_an_unknown_patient_is_a_404(clinician_client):
    response = clinician_client.get(f"/api/v1/patients/{uuid.uuid4()}/outcomes/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_patient_without_treatment_has_an_empty_course(clinician_client, patient):
    body = clinician_client.get(_url(patient)).json()
    assert body["administrations"] == []
    assert body["other_follow_ups"] == []
