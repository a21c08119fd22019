"""The demo calendar: rooms, types, practitioners and a week of bookings."""

import pytest
from django.core.management import call_command

from clinic import slots
from clinic.models import Appointment, AppointmentType, Practitioner, Room
from patients.models import Patient
from patients.mrn import is_valid_mrn


def _no_overlaps(rows, key):
    by_resource = {}
    for row in rows:
        by_resource.setdefault(getattr(row, key), []).append(
            (row.starts_at, row.blocks_until)
        )
    return all(slots.peak_overlap(spans) <= 1 for spans in by_resource.values())


@pytest.mark.django_db
def test_seed_calendar_builds_a_bookable_week_and_is_idempotent():
    call_command("seed_demo")
    counts = [
        m.objects.count() for m in (Room, Practitioner, AppointmentType, Appointment)
    ]
    call_command("seed_demo")

    assert [
        m.objects.count() for m in (Room, Practitioner, AppointmentType, Appointment)
    ] == counts
    for location_rooms in (
        Room.objects.filter(location__name=name).values_list("kind", flat=True)
        for name in ("Pacific Regenerative Clinic", "Atlantic Regenerative Clinic")
    ):
        kinds = list(location_rooms)
        assert kinds.count("consult_room") >= 1
        assert kinds.count("procedure_room") == 1
        assert kinds.count("infusion_chair") == 4
    assert counts[1] == 4
    infusion = AppointmentType.objects.get(name="IV infusion")
    assert (infusion.room_kind, infusion.max_parallel) == ("infusion_chair", 4)
    assert {t.name for t in AppointmentType.objects.all()} >= {
        "Consultation",
        "IV infusion",
        "Follow-up",
    }

    week = list(Appointment.objects.all())
    assert len(week) >= 40
    days = {a.starts_at.date() for a in week}
    assert len(days) >= 4
    assert _no_overlaps(week, "room_id")
    assert _no_overlaps(week, "patient_id")
    nurse_spans = [
        (a.starts_at, a.blocks_until) for a in week if a.type_id == infusion.pk
    ]
    assert slots.peak_overlap(nurse_spans) > 1  # one nurse, several chairs at once
    booked = Patient.objects.filter(appointments__isnull=False).distinct()
    assert booked.count() > 1
    assert all(p.active and is_valid_mrn(p.mrn) for p in booked)
