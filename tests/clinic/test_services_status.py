"""Appointment status changes: only the legal ones, each kept with who/when/why."""

import datetime as dt

import pytest

from clinic.errors import (
    IllegalStatusTransition,
    NoShowBeforeStart,
    ReasonRequired,
)
from clinic.models import Appointment
from clinic.services.appointment_status import (
    appointment_cancel,
    appointment_change_status,
    appointment_mark_no_show,
)
from tests.clinic.conftest import MONDAY, NOW, at, nothing_written

Status = Appointment.Status


@pytest.fixture
def consult(book):
    return book()


def change(appointment, to, actor, **kwargs):
    kwargs.setdefault("now", NOW)
    return appointment_change_status(
        appointment=appointment, to_status=to, actor=actor, **kwargs
    )


def test_the_visit_runs_booked_checked_in_in_progress_completed(
    consult, front_desk, clinician
):
    change(consult, Status.CHECKED_IN, front_desk, now=at(MONDAY, "09:55"))
    change(consult, Status.IN_PROGRESS, clinician, now=at(MONDAY, "10:02"))
    done = change(consult, Status.COMPLETED, clinician, now=at(MONDAY, "10:31"))

    done.refresh_from_db()
    assert done.status == Status.COMPLETED
    history = [
        (c.from_status, c.to_status, c.by, c.at)
        for c in done.status_changes.order_by("at", "id")
    ]
    assert history == [
        ("", "booked", front_desk, NOW),
        ("booked", "checked_in", front_desk, at(MONDAY, "09:55")),
        ("checked_in", "in_progress", clinician, at(MONDAY, "10:02")),
        ("in_progress", "completed", clinician, at(MONDAY, "10:31")),
    ]
    assert done.history.latest().history_user == clinician


LEGAL = {
    ("booked", "checked_in"),
    ("booked", "cancelled"),
    ("booked", "no_show"),
    ("checked_in", "in_progress"),
    ("checked_in", "cancelled"),
    ("checked_in", "no_show"),
    ("in_progress", "completed"),
}
PATHS = {
    "booked": [],
    "checked_in": ["checked_in"],
    "in_progress": ["checked_in", "in_progress"],
    "completed": ["checked_in", "in_progress", "completed"],
    "cancelled": ["cancelled"],
    "no_show": ["no_show"],
}
ILLEGAL = [
    (start, to) for start in PATHS for to in Status.values if (start, to) not in LEGAL
]


def _reach(appointment, status, actor):
    for step in PATHS[status]:
        change(appointment, step, actor, reason="setup", now=at(MONDAY, "10:05"))
    appointment.refresh_from_db()
    return appointment


@pytest.mark.parametrize(("start", "to"), ILLEGAL)
def test_illegal_status_changes_are_refused(consult, manager, start, to):
    appointment = _reach(consult, start, manager)

    with nothing_written(), pytest.raises(IllegalStatusTransition) as refused:
        change(appointment, to, manager, reason="try", now=at(MONDAY, "10:10"))

    assert refused.value.code == "illegal_status_transition"
    assert set(refused.value.errors) == {"status"}
    appointment.refresh_from_db()
    assert appointment.status == start


@pytest.mark.parametrize(("start", "to"), sorted(LEGAL))
def test_every_legal_status_change_is_allowed(consult, manager, start, to):
    appointment = _reach(consult, start, manager)
    changed = change(appointment, to, manager, reason="why", now=at(MONDAY, "10:10"))
    assert changed.status == to


def test_cancelling_needs_a_reason(consult, front_desk):
    with nothing_written(), pytest.raises(ReasonRequired) as refused:
        appointment_cancel(appointment=consult, actor=front_desk, reason="  ", now=NOW)
    assert refused.value.code == "reason_required"
    assert set(refused.value.errors) == {"reason"}


def test_cancelling_keeps_the_reason_and_who(consult, front_desk):
    cancelled = appointment_cancel(
        appointment=consult, actor=front_desk, reason="Patient has the flu", now=NOW
    )
    cancelled.refresh_from_db()
    assert cancelled.cancellation_reason == "Patient has the flu"
    last = cancelled.status_changes.order_by("-id").first()
    assert (last.to_status, last.reason, last.by) == (
        "cancelled",
        "Patient has the flu",
        front_desk,
    )
    assert cancelled.history.latest().history_change_reason == "Patient has the flu"


def test_no_show_only_once_the_appointment_has_begun(consult, front_desk):
    with nothing_written(), pytest.raises(NoShowBeforeStart):
        appointment_mark_no_show(
            appointment=consult, actor=front_desk, now=at(MONDAY, "09:59")
        )
    missed = appointment_mark_no_show(
        appointment=consult,
        actor=front_desk,
        now=at(MONDAY, "10:00") + dt.timedelta(minutes=20),
    )
    assert missed.status == Status.NO_SHOW
