"""A small, complete clinic for the security tests: one object of every kind in
a state where each operation of the API can succeed, and for each operation a
request (path ids, body) that a permitted role would send.

So a matrix cell that says "200" proves the role really can do it, and one that
says "403" proves a real, valid request is refused by the role check alone.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from clinic.core.codes import Indication, Route
from clinic.core.roles import Role
from clinic.core.tokens import token_issue
from clinic.models import Appointment, Room
from clinic.services.appointments import appointment_book
from patients.models import ConsentForm
from tests.factories.clinic import (
    AppointmentFactory,
    AppointmentTypeFactory,
    LocationFactory,
    PractitionerFactory,
    RoomFactory,
    ScheduleExceptionFactory,
    WorkingHoursFactory,
)
from tests.factories.patients import (
    ConsentFormFactory,
    PatientFactory,
    SignedConsentFactory,
)
from tests.factories.treatments import LotFactory, ProductFactory, consented_patient
from tests.factories.users import DEFAULT_PASSWORD, UserFactory
from treatments.models import Lot
from treatments.services import administration_record, administration_sign
from treatments.services.adverse_events import adverse_event_record
from treatments.services.follow_ups import follow_up_record, follow_up_sign

ROLES = ("anonymous", "front_desk", "clinician", "manager")
NEW_YORK = ZoneInfo("America/New_York")


def next_weekday_at(hour: int, weekday: int = 1) -> dt.datetime:
    """A future weekday (Tuesday by default) at `hour` New York time."""
    today = timezone.now().astimezone(NEW_YORK).date()
    days = (weekday - today.weekday()) % 7 or 7
    day = today + dt.timedelta(days=days + 7)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=NEW_YORK)


@dataclass
class World:
    users: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    objects: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.objects[name]
        except KeyError:
            raise AttributeError(name) from None


def build_world() -> World:
    world = World()
    now = timezone.now()
    world.users = {
        "front_desk": UserFactory(username="fd_user", roles=[Role.FRONT_DESK]),
        "clinician": UserFactory(username="clin_user", roles=[Role.CLINICIAN]),
        "manager": UserFactory(username="mgr_user", roles=[Role.MANAGER]),
    }
    # Whoever records or signs a dose must be an active practitioner.
    for role in ("clinician", "manager"):
        PractitionerFactory(user=world.users[role])
    world.tokens = {
        role: token_issue(user=user, now=now, name="matrix")[1]
        for role, user in world.users.items()
    }
    o = world.objects
    o["login_user"] = UserFactory(username="login_user", roles=[Role.FRONT_DESK])
    o["spare_staff"] = UserFactory(username="spare_staff", password="!")

    # The calendar: a New York site, a doctor working weekdays 09-17.
    o["location"] = LocationFactory(name="Matrix site", time_zone="America/New_York")
    o["room"] = RoomFactory(location=o["location"], kind=Room.Kind.CONSULT_ROOM)
    o["other_room"] = RoomFactory(location=o["location"], kind=Room.Kind.CONSULT_ROOM)
    o["type"] = AppointmentTypeFactory(name="Matrix consult")
    o["doctor"] = PractitionerFactory()
    for weekday in range(5):
        WorkingHoursFactory(
            practitioner=o["doctor"], location=o["location"], weekday=weekday
        )
    o["hours"] = WorkingHoursFactory(
        practitioner=o["doctor"], location=o["location"], weekday=5
    )
    o["exception"] = ScheduleExceptionFactory(
        practitioner=o["doctor"], date=next_weekday_at(9, weekday=3).date()
    )

    # Treatments: a released lot with stock, a quarantined one, products.
    o["lot"] = LotFactory(vials=10)
    o["product"] = o["lot"].product
    o["spare_product"] = ProductFactory()
    o["quarantined_lot"] = LotFactory(status=Lot.Status.QUARANTINED)

    # Patients and consent.
    o["patient"] = consented_patient(product=o["product"])
    o["other_patient"] = consented_patient(product=o["product"])
    o["inactive_patient"] = PatientFactory(active=False, deactivated_at=now)
    o["draft_form"] = ConsentFormFactory(
        status=ConsentForm.Status.DRAFT,
        published_at=None,
        covered_products=[o["product"]],
    )
    o["form"] = ConsentFormFactory(covered_products=[o["product"]])
    o["consent"] = SignedConsentFactory(patient=o["patient"], form=o["form"])

    # Appointments in each state an action starts from.
    o["booked"] = appointment_book(
        patient=o["patient"],
        practitioner=o["doctor"],
        room=o["room"],
        type=o["type"],
        starts_at=next_weekday_at(10),
        actor=world.users["front_desk"],
    )
    past = now - dt.timedelta(hours=3)
    o["past_booked"] = AppointmentFactory(starts_at=past)
    o["checked_in"] = AppointmentFactory(
        starts_at=past, status=Appointment.Status.CHECKED_IN
    )
    o["in_progress"] = AppointmentFactory(
        starts_at=past, status=Appointment.Status.IN_PROGRESS
    )

    # Administrations: a draft and a signed one.
    clinician = world.users["clinician"]

    def record() -> Any:
        return administration_record(
            patient=o["patient"],
            lot=o["lot"],
            route=Route.INTRANASAL,
            indication=Indication.TISSUE_REPAIR,
            dose_volume_ml=Decimal("1.00"),
            vials_used=1,
            administered_at=now - dt.timedelta(hours=1),
            administered_by=clinician,
            actor=clinician,
        )

    o["draft"] = record()
    o["signed"] = administration_sign(
        administration=record(),
        actor=clinician,
        password=DEFAULT_PASSWORD,
        meaning="performed",
    )

    # How the patient did: a draft and a signed follow-up note, an event.
    def note() -> Any:
        return follow_up_record(
            patient=o["patient"],
            administration=o["signed"],
            noted_at=now - dt.timedelta(minutes=20),
            contact_kind="phone",
            outcome_score=6,
            text="Less stiffness.",
            actor=clinician,
        )

    o["note"] = note()
    o["signed_note"] = follow_up_sign(
        note=note(), actor=clinician, password=DEFAULT_PASSWORD, meaning="performed"
    )
    o["event"] = adverse_event_record(
        administration=o["signed"],
        onset_at=now - dt.timedelta(minutes=30),
        aware_on=timezone.localdate(),
        description="Hives on both forearms.",
        grade=3,
        serious=True,
        intervention_required=True,
        outcome="recovering",
        relatedness="related",
        actor=clinician,
    )
    return world


# --- the request each operation sends ------------------------------------
# A scenario takes the world and the role and returns (path params, body,
# query). Bodies are valid for a role the matrix allows.

Scenario = Callable[[World, str], tuple[dict[str, Any], Any, dict[str, Any]]]


def _pk(name: str) -> Scenario:
    return lambda w, role: ({"id": w.objects[name].pk}, None, {})


def _public(name: str, body: Any = None) -> Scenario:
    return lambda w, role: ({"public_id": w.objects[name].public_id}, body, {})


def _id_body(name: str, body: Any) -> Scenario:
    return lambda w, role: ({"id": w.objects[name].pk}, body, {})


def _none(w: World, role: str) -> tuple[dict[str, Any], Any, dict[str, Any]]:
    return {}, None, {}


def _body(make: Callable[[World], Any]) -> Scenario:
    return lambda w, role: ({}, make(w), {})


def _patient_patch(w: World, role: str) -> tuple[dict[str, Any], Any, dict[str, Any]]:
    # Each role edits what it may: the front desk demographics, clinicians
    # the relevant history.
    body = (
        {"email": "changed@example.test"}
        if role == "front_desk"
        else {"history_notes": "Knee pain since 2020."}
    )
    return {"public_id": w.patient.public_id}, body, {}


def _token_post(w: World, role: str) -> tuple[dict[str, Any], Any, dict[str, Any]]:
    return {}, {"username": "login_user", "password": DEFAULT_PASSWORD}, {}


def _availability(w: World, role: str) -> tuple[dict[str, Any], Any, dict[str, Any]]:
    day = next_weekday_at(9).date()
    return {}, None, {"type": w.type.pk, "from": day, "to": day}


def _sign(w: World, role: str) -> tuple[dict[str, Any], Any, dict[str, Any]]:
    # The clinician gave the dose; anyone else signs as its reviewer.
    meaning = "performed" if role == "clinician" else "reviewed"
    body = {"password": DEFAULT_PASSWORD, "meaning": meaning}
    return {"public_id": w.draft.public_id}, body, {}


def _note_sign(w: World, role: str) -> tuple[dict[str, Any], Any, dict[str, Any]]:
    # The clinician wrote the note; anyone else signs as its reviewer.
    meaning = "performed" if role == "clinician" else "reviewed"
    body = {"password": DEFAULT_PASSWORD, "meaning": meaning}
    return {"public_id": w.note.public_id}, body, {}


def _note_body(w: World) -> dict[str, Any]:
    return {
        "patient": str(w.patient.public_id),
        "administration": str(w.signed.public_id),
        "noted_at": (timezone.now() - dt.timedelta(minutes=10)).isoformat(),
        "contact_kind": "visit",
        "outcome_score": 7,
        "text": "Walking further.",
    }


def _event_body(w: World) -> dict[str, Any]:
    onset = timezone.now() - dt.timedelta(minutes=15)
    return {
        "administration": str(w.signed.public_id),
        "onset_at": onset.isoformat(),
        "aware_on": str(timezone.localdate(onset)),
        "description": "Headache.",
        "grade": 1,
        "outcome": "recovered",
        "relatedness": "possibly_related",
    }


def _administration_body(w: World) -> dict[str, Any]:
    return {
        "patient": str(w.patient.public_id),
        "lot": w.lot.pk,
        "route": Route.INTRANASAL,
        "indication": Indication.TISSUE_REPAIR,
        "dose_volume_ml": "1.00",
        "vials_used": 1,
        "administered_at": (timezone.now() - dt.timedelta(minutes=30)).isoformat(),
    }


def _lot_body(w: World) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "product": w.product.pk,
        "lot_number": "MATRIX-1",
        "supplier_code": "W0000 26 000001 A0",
        "manufactured_on": str(today - dt.timedelta(days=30)),
        "expires_on": str(today + dt.timedelta(days=300)),
        "received_on": str(today - dt.timedelta(days=5)),
        "particles_per_ml": 100_000_000_000,
        "modal_size_nm": "110.0",
        "vial_volume_ml": "2.00",
        "coa_reference": "COA-MATRIX",
    }


SCENARIOS: dict[str, Scenario] = {
    # auth
    "POST /api/v1/auth/token/": _token_post,
    "DELETE /api/v1/auth/token/": _none,
    # patients
    "GET /api/v1/patients/": _none,
    "POST /api/v1/patients/": _body(
        lambda w: {
            "given_name": "Ada",
            "family_name": "Matrix",
            "date_of_birth": "1980-01-02",
            "sex": "female",
        }
    ),
    "GET /api/v1/patients/{public_id}/": _public("patient"),
    "PATCH /api/v1/patients/{public_id}/": _patient_patch,
    "POST /api/v1/patients/{public_id}/deactivate/": _public(
        "patient", {"reason": "Moved away."}
    ),
    "POST /api/v1/patients/{public_id}/reactivate/": _public(
        "inactive_patient", {"reason": "Came back."}
    ),
    "GET /api/v1/patients/{public_id}/history/": _public("patient"),
    # consent forms and consents
    "GET /api/v1/consent-forms/": _none,
    "POST /api/v1/consent-forms/": _body(
        lambda w: {
            "title": "Matrix consent",
            "body": "Risks and benefits.",
            "covered_routes": [Route.INTRANASAL],
            "covered_indications": [Indication.TISSUE_REPAIR],
            "covered_products": [w.product.pk],
            "effective_date": "2026-01-01",
        }
    ),
    "GET /api/v1/consent-forms/{id}/": _pk("form"),
    "PATCH /api/v1/consent-forms/{id}/": _id_body("draft_form", {"body": "Edited."}),
    "POST /api/v1/consent-forms/{id}/publish/": _pk("draft_form"),
    "POST /api/v1/consent-forms/{id}/new-version/": _pk("form"),
    "GET /api/v1/consent-forms/{id}/history/": _pk("form"),
    "GET /api/v1/consents/": _none,
    "POST /api/v1/consents/": _body(
        lambda w: {
            "patient": str(w.other_patient.public_id),
            "form": w.form.pk,
            "signed_at": (timezone.now() - dt.timedelta(minutes=5)).isoformat(),
            "signed_by": "patient",
            "witness": w.users["front_desk"].pk,
        }
    ),
    "GET /api/v1/consents/{public_id}/": _public("consent"),
    "POST /api/v1/consents/{public_id}/withdraw/": _public(
        "consent", {"reason": "Changed their mind."}
    ),
    "GET /api/v1/consents/{public_id}/history/": _public("consent"),
    # the clinic's set-up
    "GET /api/v1/locations/": _none,
    "POST /api/v1/locations/": _body(
        lambda w: {"name": "Second site", "time_zone": "Europe/Paris"}
    ),
    "GET /api/v1/locations/{id}/": _pk("location"),
    "PATCH /api/v1/locations/{id}/": _id_body("location", {"address": "1 Main St"}),
    "GET /api/v1/locations/{id}/history/": _pk("location"),
    "GET /api/v1/rooms/": _none,
    "POST /api/v1/rooms/": _body(
        lambda w: {"location": w.location.pk, "name": "Chair 9", "kind": "consult_room"}
    ),
    "GET /api/v1/rooms/{id}/": _pk("room"),
    "PATCH /api/v1/rooms/{id}/": _id_body("other_room", {"name": "Renamed"}),
    "GET /api/v1/rooms/{id}/history/": _pk("room"),
    "GET /api/v1/practitioners/": _none,
    "POST /api/v1/practitioners/": _body(
        lambda w: {
            "user": w.spare_staff.pk,
            "title": "RN",
            "licence_number": "LIC-MATRIX",
        }
    ),
    "GET /api/v1/practitioners/{id}/": _pk("doctor"),
    "PATCH /api/v1/practitioners/{id}/": _id_body("doctor", {"title": "DO"}),
    "GET /api/v1/practitioners/{id}/history/": _pk("doctor"),
    "GET /api/v1/appointment-types/": _none,
    "POST /api/v1/appointment-types/": _body(
        lambda w: {
            "name": "Matrix infusion",
            "default_duration_minutes": 90,
            "room_kind": "infusion_chair",
        }
    ),
    "GET /api/v1/appointment-types/{id}/": _pk("type"),
    "PATCH /api/v1/appointment-types/{id}/": _id_body("type", {"name": "Renamed"}),
    "GET /api/v1/appointment-types/{id}/history/": _pk("type"),
    "GET /api/v1/working-hours/": _none,
    "POST /api/v1/working-hours/": _body(
        lambda w: {
            "practitioner": w.doctor.pk,
            "location": w.location.pk,
            "weekday": 6,
            "start_time": "09:00",
            "end_time": "12:00",
        }
    ),
    "GET /api/v1/working-hours/{id}/": _pk("hours"),
    "PATCH /api/v1/working-hours/{id}/": _id_body("hours", {"end_time": "16:00"}),
    "DELETE /api/v1/working-hours/{id}/": _pk("hours"),
    "GET /api/v1/working-hours/{id}/history/": _pk("hours"),
    "GET /api/v1/schedule-exceptions/": _none,
    "POST /api/v1/schedule-exceptions/": _body(
        lambda w: {
            "practitioner": w.doctor.pk,
            "kind": "leave",
            "date": str(next_weekday_at(9, weekday=4).date()),
            "reason": "Conference",
        }
    ),
    "GET /api/v1/schedule-exceptions/{id}/": _pk("exception"),
    "PATCH /api/v1/schedule-exceptions/{id}/": _id_body(
        "exception", {"reason": "Training"}
    ),
    "DELETE /api/v1/schedule-exceptions/{id}/": _pk("exception"),
    "GET /api/v1/schedule-exceptions/{id}/history/": _pk("exception"),
    # the calendar
    "GET /api/v1/appointments/": _none,
    "POST /api/v1/appointments/": _body(
        lambda w: {
            "patient": str(w.other_patient.public_id),
            "practitioner": w.doctor.pk,
            "room": w.other_room.pk,
            "type": w.type.pk,
            "starts_at": next_weekday_at(14).isoformat(),
        }
    ),
    "GET /api/v1/appointments/{public_id}/": _public("booked"),
    "PATCH /api/v1/appointments/{public_id}/": _public("booked", {"notes": "Moved."}),
    "POST /api/v1/appointments/{public_id}/check-in/": _public("booked", {}),
    "POST /api/v1/appointments/{public_id}/start/": _public("checked_in", {}),
    "POST /api/v1/appointments/{public_id}/complete/": _public("in_progress", {}),
    "POST /api/v1/appointments/{public_id}/cancel/": _public(
        "booked", {"reason": "Patient called."}
    ),
    "POST /api/v1/appointments/{public_id}/no-show/": _public("past_booked", {}),
    "GET /api/v1/appointments/{public_id}/history/": _public("booked"),
    "GET /api/v1/availability/": _availability,
    # products and lots
    "GET /api/v1/products/": _none,
    "POST /api/v1/products/": _body(
        lambda w: {
            "name": "Matrix product",
            "manufacturer": "Example Biologics Inc.",
            "source_material": "umbilical_cord_msc",
            "isolation_method": "ultrafiltration_tff",
            "allowed_routes": [Route.INTRAVENOUS],
            "regulatory_disclosure": "This product is not approved by the FDA.",
        }
    ),
    "GET /api/v1/products/{id}/": _pk("product"),
    "PATCH /api/v1/products/{id}/": _id_body("spare_product", {"manufacturer": "X"}),
    "GET /api/v1/products/{id}/history/": _pk("product"),
    "GET /api/v1/lots/": _none,
    "POST /api/v1/lots/": _body(_lot_body),
    "GET /api/v1/lots/{id}/": _pk("lot"),
    "PATCH /api/v1/lots/{id}/": _id_body("quarantined_lot", {"coa_reference": "C-2"}),
    "POST /api/v1/lots/{id}/release/": _pk("quarantined_lot"),
    "POST /api/v1/lots/{id}/recall/": _id_body(
        "lot", {"reason": "Supplier notice.", "date": str(timezone.localdate())}
    ),
    "GET /api/v1/lots/{id}/recipients/": _pk("lot"),
    "GET /api/v1/lots/{id}/stock/": _pk("lot"),
    "POST /api/v1/lots/{id}/stock/": _id_body("lot", {"kind": "received", "vials": 5}),
    "GET /api/v1/lots/{id}/history/": _pk("lot"),
    # administrations
    "GET /api/v1/administrations/": _none,
    "POST /api/v1/administrations/": _body(_administration_body),
    "GET /api/v1/administrations/{public_id}/": _public("draft"),
    "PATCH /api/v1/administrations/{public_id}/": _public(
        "draft", {"notes": "Tolerated well."}
    ),
    "POST /api/v1/administrations/{public_id}/sign/": _sign,
    "POST /api/v1/administrations/{public_id}/amend/": _public(
        "signed",
        {
            "password": DEFAULT_PASSWORD,
            "reason": "Typo in the notes.",
            "changes": {"notes": "Corrected."},
        },
    ),
    "POST /api/v1/administrations/{public_id}/entered-in-error/": _public(
        "draft", {"reason": "Wrong patient."}
    ),
    "GET /api/v1/administrations/{public_id}/history/": _public("draft"),
    # follow-up notes, adverse events, a patient's course
    "GET /api/v1/follow-ups/": _none,
    "POST /api/v1/follow-ups/": _body(_note_body),
    "GET /api/v1/follow-ups/{public_id}/": _public("note"),
    "PATCH /api/v1/follow-ups/{public_id}/": _public("note", {"outcome_score": 5}),
    "POST /api/v1/follow-ups/{public_id}/sign/": _note_sign,
    "POST /api/v1/follow-ups/{public_id}/amend/": _public(
        "signed_note",
        {
            "password": DEFAULT_PASSWORD,
            "reason": "Patient called back.",
            "changes": {"outcome_score": 8},
        },
    ),
    "POST /api/v1/follow-ups/{public_id}/entered-in-error/": _public(
        "signed_note", {"reason": "Written on the wrong patient."}
    ),
    "GET /api/v1/follow-ups/{public_id}/history/": _public("note"),
    "GET /api/v1/adverse-events/": _none,
    "POST /api/v1/adverse-events/": _body(_event_body),
    "GET /api/v1/adverse-events/{public_id}/": _public("event"),
    "PATCH /api/v1/adverse-events/{public_id}/": _public(
        "event", {"outcome": "recovered"}
    ),
    "POST /api/v1/adverse-events/{public_id}/report/": _public(
        "event", {"reported_on": str(timezone.localdate())}
    ),
    "GET /api/v1/adverse-events/{public_id}/history/": _public("event"),
    "GET /api/v1/patients/{public_id}/outcomes/": _public("patient"),
}
