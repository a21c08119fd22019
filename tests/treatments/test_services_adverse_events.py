"""Adverse events: consistent on every write (grade, fatality, seriousness,
dates), updatable as they evolve, and on the report clock when serious."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.factories.treatments import AdverseEventFactory
from treatments.errors import (
    AdministrationEnteredInError,
    AdministrationOtherPatient,
    AlreadyReported,
    AwareBeforeOnset,
    AwareInFuture,
    FatalityInconsistent,
    FieldNotCorrectable,
    GradeOutOfRange,
    OnsetBeforeAdministration,
    OnsetInFuture,
    ReportedBeforeAware,
    ReportedInFuture,
    SeriousnessInconsistent,
)
from treatments.models import AdverseEvent
from treatments.services import (
    administration_mark_entered_in_error,
    adverse_event_mark_reported,
    adverse_event_record,
    adverse_event_update,
)

DAY = dt.timedelta(days=1)


@pytest.fixture
def values(administration, clinician):
    onset = administration.administered_at + dt.timedelta(hours=3)
    return {
        "administration": administration,
        "onset_at": onset,
        "aware_on": timezone.localdate(onset),
        "description": "Fever 38.9 C and rigors.",
        "grade": 2,
        "outcome": AdverseEvent.Outcome.RECOVERING,
        "relatedness": AdverseEvent.Relatedness.POSSIBLY_RELATED,
        "actor": clinician,
    }


@pytest.fixture
def serious_values(values):
    return {**values, "grade": 3, "serious": True, "hospitalisation": True}


def test_records_an_event_for_the_administrations_patient(values, administration):
    event = adverse_event_record(**values)

    assert event.patient == administration.patient
    assert event.administration.lot == administration.lot  # the suspect lot
    assert event.report_due_on is None  # not serious: no report clock
    assert event.history.get().history_user == values["actor"]


def test_a_serious_event_is_due_for_report_15_days_after_awareness(serious_values):
    event = adverse_event_record(**serious_values)

    assert event.report_due_on == serious_values["aware_on"] + 15 * DAY
    today = serious_values["aware_on"] + 20 * DAY
    assert event.days_until_due(today=today) == -5


def test_a_consistent_fatal_event_is_accepted(values):
    event = adverse_event_record(
        **{
            **values,
            "grade": 5,
            "outcome": "fatal",
            "serious": True,
            "results_in_death": True,
        }
    )
    assert event.criteria == ["results_in_death"]


def _refused(error, values, field):
    with pytest.raises(error) as refused:
        adverse_event_record(**values)
    assert field in refused.value.errors, refused.value.errors
    assert AdverseEvent.objects.count() == 0


@pytest.mark.parametrize("grade", [0, 6, -1])
def test_refuses_a_grade_outside_1_to_5(values, grade):
    _refused(GradeOutOfRange, {**values, "grade": grade}, "grade")


def test_refuses_an_onset_before_the_administration(values, administration):
    onset = administration.administered_at - dt.timedelta(minutes=1)
    _refused(OnsetBeforeAdministration, {**values, "onset_at": onset}, "onset_at")


def test_refuses_an_onset_in_the_future(values):
    onset = timezone.now() + DAY
    _refused(OnsetInFuture, {**values, "onset_at": onset}, "onset_at")


def test_refuses_awareness_before_onset(values):
    aware = values["aware_on"] - DAY
    _refused(AwareBeforeOnset, {**values, "aware_on": aware}, "aware_on")


def test_refuses_awareness_in_the_future(values):
    aware = timezone.localdate() + DAY
    _refused(AwareInFuture, {**values, "aware_on": aware}, "aware_on")


def test_refuses_grade_5_without_a_fatal_outcome(values):
    grade_5 = {**values, "grade": 5, "serious": True, "results_in_death": True}
    _refused(FatalityInconsistent, grade_5, "outcome")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"outcome": "fatal", "serious": True, "results_in_death": True}, "grade"),
        ({"grade": 5, "outcome": "fatal"}, "results_in_death"),
        ({"results_in_death": True, "serious": True}, "outcome"),
    ],
)
def test_refuses_a_fatality_that_does_not_add_up(values, changes, field):
    _refused(FatalityInconsistent, {**values, **changes}, field)


def test_refuses_a_serious_event_without_a_criterion(values):
    _refused(SeriousnessInconsistent, {**values, "serious": True}, "serious")


def test_refuses_a_criterion_on_a_non_serious_event(values):
    with_criterion = {**values, "life_threatening": True}
    _refused(SeriousnessInconsistent, with_criterion, "life_threatening")


def test_refuses_a_report_date_before_awareness(serious_values):
    reported = serious_values["aware_on"] - DAY
    _refused(
        ReportedBeforeAware, {**serious_values, "reported_on": reported}, "reported_on"
    )


def test_refuses_a_report_date_in_the_future(serious_values):
    reported = timezone.localdate() + DAY
    _refused(
        ReportedInFuture, {**serious_values, "reported_on": reported}, "reported_on"
    )


def test_refuses_a_patient_other_than_the_administrations(values, other_administration):
    other = {**values, "patient": other_administration.patient}
    _refused(AdministrationOtherPatient, other, "patient")


def test_refuses_an_event_on_an_entered_in_error_administration(
    values, administration, clinician
):
    administration_mark_entered_in_error(
        administration=administration, actor=clinician, reason="wrong lot"
    )
    _refused(AdministrationEnteredInError, values, "administration")


def test_an_update_follows_the_event_and_keeps_each_version(values, manager):
    event = adverse_event_record(**values)

    adverse_event_update(
        event=event, actor=manager, changes={"outcome": "recovered", "grade": 1}
    )

    row = AdverseEvent.objects.get()
    assert (row.outcome, row.grade) == ("recovered", 1)
    latest, first = row.history.order_by("-history_id")
    assert latest.history_user == manager
    assert (first.outcome, first.grade) == ("recovering", 2)


def test_an_update_is_rechecked_as_a_whole(values, clinician):
    event = adverse_event_record(**values)

    with pytest.raises(FatalityInconsistent) as refused:
        adverse_event_update(event=event, actor=clinician, changes={"grade": 5})
    assert set(refused.value.errors) == {"outcome", "results_in_death"}
    with pytest.raises(GradeOutOfRange):
        adverse_event_update(event=event, actor=clinician, changes={"grade": 7})
    with pytest.raises(AwareBeforeOnset):
        adverse_event_update(
            event=event, actor=clinician, changes={"onset_at": timezone.now()}
        )
    row = AdverseEvent.objects.get()
    assert (row.grade, row.onset_at) == (2, values["onset_at"])
    assert row.history.count() == 1


def test_an_update_does_not_move_the_event_or_set_the_report_date(
    values, clinician, other_administration
):
    event = adverse_event_record(**values)
    for changes in (
        {"administration": other_administration},
        {"reported_on": timezone.localdate()},
    ):
        with pytest.raises(FieldNotCorrectable):
            adverse_event_update(event=event, actor=clinician, changes=changes)
    assert AdverseEvent.objects.get().reported_on is None


def test_becoming_fatal_is_one_consistent_update(values, clinician):
    event = adverse_event_record(**values)
    adverse_event_update(
        event=event,
        actor=clinician,
        changes={
            "grade": 5,
            "outcome": "fatal",
            "serious": True,
            "results_in_death": True,
        },
    )
    assert AdverseEvent.objects.get().report_due_on == values["aware_on"] + 15 * DAY


def test_marking_reported_stops_the_clock_once(serious_values, manager):
    event = adverse_event_record(**serious_values)
    today = timezone.localdate()

    with pytest.raises(ReportedBeforeAware):
        adverse_event_mark_reported(
            event=event, actor=manager, reported_on=serious_values["aware_on"] - DAY
        )
    adverse_event_mark_reported(event=event, actor=manager, reported_on=today)
    with pytest.raises(AlreadyReported):
        adverse_event_mark_reported(event=event, actor=manager, reported_on=today)

    row = AdverseEvent.objects.get()
    assert row.reported_on == today
    assert row.days_until_due(today=today) is None


def test_the_report_clock_counts_on_the_clinics_date(administration, clinician):
    aware = timezone.localdate() - 20 * DAY
    at = administration.administered_at
    common = {"administration": administration, "onset_at": at, "aware_on": aware}
    serious = {"serious": True, "hospitalisation": True}
    overdue = AdverseEventFactory(**common, **serious)
    due_today = AdverseEventFactory(
        **{**common, "aware_on": timezone.localdate() - 15 * DAY}, **serious
    )
    AdverseEventFactory(**common, **serious, reported_on=aware + DAY)
    AdverseEventFactory(**common)  # not serious

    today = timezone.localdate()
    assert list(AdverseEvent.objects.overdue(today=today)) == [overdue]
    assert set(AdverseEvent.objects.report_pending()) == {overdue, due_today}
    assert due_today.days_until_due(today=today) == 0
    assert overdue.days_until_due(today=today) == -5
    tomorrow = today + DAY
    assert set(AdverseEvent.objects.overdue(today=tomorrow)) == {overdue, due_today}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"grade": 6},
        {"grade": 0},
        {"grade": 5},  # grade 5 is fatal
        {"outcome": "fatal", "grade": 4, "serious": True, "results_in_death": True},
        {"serious": True},  # without a criterion
        {"disability": True},  # a criterion on a non-serious event
        {"reported_on": dt.date(2000, 1, 1)},  # before awareness
        {"outcome": "better"},
        {"relatedness": "maybe"},
    ],
)
def test_the_database_refuses_an_inconsistent_event(administration, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        AdverseEventFactory(administration=administration, **fields)
