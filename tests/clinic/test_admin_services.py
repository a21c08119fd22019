"""The one admin mechanism (clinic/core/admin_services.py): each page runs its
service once, while the form is validated, inside the page's transaction, so
a refusal is a form error whenever it comes and a refused page writes nothing."""

import datetime as dt

import pytest
from django import forms
from django.contrib import admin
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.test import RequestFactory
from django.urls import reverse

from clinic import appointment_admin
from clinic.core.admin_services import (
    ServiceAdminMixin,
    ServiceInlineMixin,
    refusal_errors,
)
from clinic.core.errors import Conflict, RuleViolation
from clinic.errors import BookingCollision
from clinic.models import (
    Appointment,
    Practitioner,
    ScheduleException,
    WorkingHours,
)
from clinic.services.appointment_status import appointment_check_in, appointment_start
from clinic.services.practitioners import schedule_exception_create
from tests.clinic.conftest import MONDAY, at, nothing_written
from tests.factories.clinic import AppointmentFactory, ScheduleExceptionFactory
from tests.factories.patients import PatientFactory
from tests.factories.users import UserFactory

pytestmark = pytest.mark.usefixtures("frozen_now")

ADD = reverse("admin:clinic_appointment_add")


def _booking_form(patient, doctor, room, consultation):
    # Wall-clock time at the room's location (New York).
    return {
        "patient": patient.pk,
        "practitioner": doctor.pk,
        "room": room.pk,
        "type": consultation.pk,
        "starts_at_0": str(MONDAY),
        "starts_at_1": "10:00:00",
        "ends_at_0": "",
        "ends_at_1": "",
        "notes": "",
        "override_reason": "",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
    }


@pytest.fixture
def desk(client, front_desk):
    client.force_login(front_desk)
    return client


def test_a_slot_is_never_free_between_the_admins_check_and_its_save(
    desk, monkeypatch, patient, doctor, consult_room, consultation
):
    """Another clerk books the room the moment nobody holds it. A page that
    checked the booking in a rolled-back dry run and then booked it for real
    left the slot free in between: the other clerk took it and the real
    call's refusal was an error page. Checked and saved in one call, under
    the page's locks, the slot is ours from the check on."""
    real_book = appointment_admin.appointment_book
    ours: list[Appointment] = []

    def book_while_another_clerk_waits(**arguments):
        if ours and not Appointment.objects.filter(pk=ours[-1].pk).exists():
            # Our earlier check's booking was rolled back: the slot is free.
            AppointmentFactory(
                practitioner=doctor,
                room=consult_room,
                type=consultation,
                starts_at=at(MONDAY, "10:00"),
            )
        ours.append(real_book(**arguments))
        return ours[-1]

    monkeypatch.setattr(
        appointment_admin, "appointment_book", book_while_another_clerk_waits
    )

    response = desk.post(
        ADD, _booking_form(patient, doctor, consult_room, consultation)
    )

    assert response.status_code == 302
    assert len(ours) == 1, "the admin called the booking service more than once"
    assert list(Appointment.objects.values_list("patient", flat=True)) == [patient.pk]


def test_a_refusal_raised_during_the_real_save_is_a_form_error_and_writes_nothing(
    desk, monkeypatch, patient, doctor, consult_room, consultation
):
    """The service has written the appointment, its status change and their
    history when the refusal comes (as the database's own no-overlap
    constraint refuses an insert): the page shows it on the field and the
    page's transaction takes every row back."""
    real_book = appointment_admin.appointment_book
    other = AppointmentFactory(starts_at=at(MONDAY, "10:00"))

    def book_then_refuse(**arguments):
        real_book(**arguments)
        raise BookingCollision(
            "That time is taken for the room.",
            errors={"room": [f"Already booked (appointment {other.public_id})."]},
        )

    monkeypatch.setattr(appointment_admin, "appointment_book", book_then_refuse)

    with nothing_written():
        response = desk.post(
            ADD, _booking_form(PatientFactory(), doctor, consult_room, consultation)
        )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Already booked" in errors["room"][0]


# The one translation of a refusal into form errors ---------------------------


class _RoomForm(forms.Form):
    room = forms.CharField()
    starts_at = forms.CharField()


def _errors_of(refused):
    form = _RoomForm(data={"room": "1", "starts_at": "x"})
    assert form.is_valid()
    form.add_error(None, refusal_errors(refused, form))
    return {name: list(messages) for name, messages in form.errors.items()}


def test_each_message_goes_on_the_field_it_names_and_none_is_lost():
    refused = BookingCollision(
        "That time is taken for the room, patient.",
        errors={"room": ["Room taken."], "patient": ["Patient busy."]},
    )
    # The page has no patient field (read-only on a change page): its message
    # is on the form as a whole, not dropped.
    assert _errors_of(refused) == {
        "room": ["Room taken."],
        NON_FIELD_ERRORS: ["Patient busy."],
    }


def test_a_refusal_naming_no_field_shows_its_detail():
    assert _errors_of(Conflict("Nothing to do here.")) == {
        NON_FIELD_ERRORS: ["Nothing to do here."]
    }


def test_a_services_validation_error_naming_a_field_the_page_lacks_is_no_crash():
    # Django's add_error refuses a field the form does not have (ValueError,
    # an error page); the model's full_clean() in a service may name one.
    refused = ValidationError({"starts_at": ["Bad start."], "user": ["Taken."]})
    assert _errors_of(refused) == {
        "starts_at": ["Bad start."],
        NON_FIELD_ERRORS: ["Taken."],
    }


def test_a_formsets_refusal_is_its_non_form_errors():
    HoursFormSet = forms.formset_factory(_RoomForm)
    refused = RuleViolation("Two problems.", errors={"room": ["A."], "x": ["B."]})
    as_errors = refusal_errors(refused, HoursFormSet())
    assert as_errors.messages == ["A.", "B."]


# Inlines: the same mechanism, after the page's own service ---------------------


def _practitioner_form(user_pk, licence, rows):
    form = {
        "user": user_pk,
        "title": "MD",
        "licence_number": licence,
        "active": "on",
        "working_hours-TOTAL_FORMS": str(len(rows)),
        "working_hours-INITIAL_FORMS": "0",
    }
    for n, (location, weekday, start, end) in enumerate(rows):
        form |= {
            f"working_hours-{n}-location": location.pk,
            f"working_hours-{n}-weekday": weekday,
            f"working_hours-{n}-start_time": start,
            f"working_hours-{n}-end_time": end,
        }
    return form


def test_a_new_practitioner_gets_weekly_hours_on_the_same_page(client, manager, site):
    client.force_login(manager)
    staff = UserFactory(username="new_doctor")
    rows = [(site, 0, "09:00", "12:00"), (site, 2, "13:00", "17:00")]

    response = client.post(
        reverse("admin:clinic_practitioner_add"),
        _practitioner_form(staff.pk, "LIC-NEW", rows),
    )

    assert response.status_code == 302
    practitioner = Practitioner.objects.get(user=staff)
    assert sorted(
        practitioner.working_hours.values_list("weekday", "start_time", "end_time")
    ) == [(0, dt.time(9), dt.time(12)), (2, dt.time(13), dt.time(17))]
    assert {h.history_user for h in WorkingHours.history.all()} == {manager}


def test_refused_hours_take_back_the_practitioner_their_page_created(
    client, manager, site
):
    client.force_login(manager)
    staff = UserFactory(username="new_doctor")
    overlapping = [(site, 0, "09:00", "12:00"), (site, 0, "11:00", "14:00")]

    response = client.post(
        reverse("admin:clinic_practitioner_add"),
        _practitioner_form(staff.pk, "LIC-NEW", overlapping),
    )

    assert response.status_code == 200
    assert "Overlaps" in str(
        response.context["inline_admin_formsets"][0].formset.non_form_errors()
    )
    assert not Practitioner.objects.filter(user=staff).exists()
    assert not Practitioner.history.filter(user=staff).exists()
    assert not WorkingHours.history.exists()


def test_refused_hours_take_back_the_change_to_the_practitioner(
    client, manager, doctor, site
):
    client.force_login(manager)
    url = reverse("admin:clinic_practitioner_change", args=[doctor.pk])
    form = {
        "title": "Chief",
        "licence_number": doctor.licence_number,
        "active": "on",
        "working_hours-TOTAL_FORMS": "1",
        "working_hours-INITIAL_FORMS": "0",
        "working_hours-0-location": site.pk,
        "working_hours-0-weekday": 0,
        "working_hours-0-start_time": "16:00",  # overlaps Monday 09-17
        "working_hours-0-end_time": "19:00",
    }
    history = Practitioner.history.count()

    response = client.post(url, form)

    assert response.status_code == 200
    doctor.refresh_from_db()
    assert doctor.title != "Chief"
    assert Practitioner.history.count() == history


# Refusals outside the change page ---------------------------------------------


SATURDAY = MONDAY + dt.timedelta(days=5)


@pytest.fixture
def saturday_booking(book, doctor, site, manager):
    extra = schedule_exception_create(
        practitioner=doctor, kind="extra_hours", date=SATURDAY, location=site,
        start_time=dt.time(9), end_time=dt.time(12), actor=manager,
    )  # fmt: skip
    return extra, book(starts_at=at(SATURDAY, "10:00"))


def test_deleting_extra_hours_a_booking_needs_is_a_message_not_an_error_page(
    client, manager, saturday_booking
):
    extra, _booked = saturday_booking
    client.force_login(manager)

    response = client.post(
        reverse("admin:clinic_scheduleexception_delete", args=[extra.pk]),
        {"post": "yes"},
    )

    assert response.status_code == 302
    assert ScheduleException.objects.filter(pk=extra.pk).exists()
    assert not LogEntry.objects.filter(action_flag=DELETION).exists()
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("outside the practitioner's hours" in m for m in messages)


def test_a_bulk_delete_refused_for_one_exception_deletes_none(
    client, manager, doctor, saturday_booking
):
    extra, _booked = saturday_booking
    # Tuesday's leave is listed, so deleted, first: the refusal comes after it.
    tuesday = MONDAY + dt.timedelta(days=1)
    leave = ScheduleExceptionFactory(practitioner=doctor, date=tuesday)
    client.force_login(manager)

    response = client.post(
        reverse("admin:clinic_scheduleexception_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [leave.pk, extra.pk],
            "post": "yes",
        },
    )

    assert response.status_code == 302
    assert ScheduleException.objects.filter(pk__in=[leave.pk, extra.pk]).count() == 2
    assert not LogEntry.objects.filter(action_flag=DELETION).exists()
    assert not ScheduleException.history.filter(history_type="-").exists()
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("outside the practitioner's hours" in m for m in messages)


# Cancel: the reason page every reason-taking action uses -------------------------


def test_cancel_lists_each_appointment_at_local_time_with_its_patient(
    desk, book, patient
):
    booked = book()  # 10:00 in New York, 15:00 UTC

    page = desk.post(
        reverse("admin:clinic_appointment_changelist"),
        {"action": "cancel", "_selected_action": [booked.pk]},
    )

    assert page.status_code == 200
    assert page.templates[0].name == "admin/clinic/reason_action.html"
    assert "Mon 2026-03-02 10:00 EST" in page.content.decode()
    assert str(patient) in page.content.decode()


def test_cancel_without_a_reason_asks_again_and_changes_nothing(desk, book):
    booked = book()
    with nothing_written():
        page = desk.post(
            reverse("admin:clinic_appointment_changelist"),
            {"action": "cancel", "_selected_action": [booked.pk], "reason": " "},
        )
    assert page.status_code == 200
    assert page.context["form"].errors["reason"]


def test_cancel_refused_for_one_appointment_is_reported_and_the_others_cancelled(
    desk, book, front_desk
):
    started = book()
    appointment_check_in(appointment=started, actor=front_desk)
    appointment_start(appointment=started, actor=front_desk)
    waiting = book(starts_at=at(MONDAY, "11:00"))

    response = desk.post(
        reverse("admin:clinic_appointment_changelist"),
        {
            "action": "cancel",
            "_selected_action": [started.pk, waiting.pk],
            "reason": "Doctor ill",
        },
    )

    assert response.status_code == 302
    started.refresh_from_db()
    waiting.refresh_from_db()
    assert (started.status, waiting.status) == ("in_progress", "cancelled")
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("cannot become cancelled" in m for m in messages)


# Gate: one mechanism, for every page that writes --------------------------------

PROJECT_APPS = ("clinic", "patients", "treatments")


def _superuser_request():
    request = RequestFactory().get("/admin/")
    request.user = get_user_model()(is_superuser=True, is_staff=True, is_active=True)
    return request


def test_every_admin_page_that_writes_uses_the_one_mechanism():
    request = _superuser_request()
    checked, astray = [], []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        name = type(model_admin).__name__
        checked.append(name)
        if not isinstance(model_admin, ServiceAdminMixin):
            # Read-only pages only: nothing to add, no field to change.
            if model_admin.has_add_permission(request) or (
                model_admin.get_form(request).base_fields
            ):
                astray.append(name)
            continue
        for hook in ("changeform_view", "save_model", "save_formset"):
            if getattr(type(model_admin), hook) is not getattr(ServiceAdminMixin, hook):
                astray.append(f"{name}.{hook}")
        for inline in model_admin.get_inline_instances(request):
            writes = inline.can_delete or inline.has_add_permission(request, None)
            writes = writes or inline.has_change_permission(request)
            if writes and not isinstance(inline, ServiceInlineMixin):
                astray.append(type(inline).__name__)
    assert {"AppointmentAdmin", "PractitionerAdmin", "PatientAdmin"} <= set(checked)
    assert astray == [], "write through clinic.core.admin_services (ServiceAdminMixin)"
