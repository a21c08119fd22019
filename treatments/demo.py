"""Demo products, lots and stock, and a few signed administrations.

Two seeders, both idempotent and both through the services:
- `seed_products` runs before the patients seeder, so the demo consent form
  can name the products (patients.demo publishes it only if products exist);
- `seed` runs last: it completes the products if needed, then records and
  signs a few administrations for patients whose consent covers them (none
  if no patient has consented, e.g. when patients were not seeded), given by
  demo practitioners; the infusions in a completed IV visit the nurse ran.
  After each dose, signed follow-up notes whose scores rise over the days
  that followed; on the oldest dose, a serious adverse event not yet
  reported (overdue, so the report clock has something to show).
"""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils import timezone

from clinic.core.codes import Indication, Route
from clinic.core.demo_staff import DEMO_USERS, demo_user
from clinic.models import Appointment, AppointmentType, Practitioner
from clinic.services.appointment_status import (
    appointment_check_in,
    appointment_complete,
    appointment_start,
)
from clinic.services.appointments import appointment_book
from clinic.services.availability import availability_search
from patients.models import Patient
from patients.services import consent_find_valid
from treatments import services
from treatments.models import Administration, AdverseEvent, FollowUpNote, Lot, Product

PRODUCTS: list[dict[str, Any]] = [
    {
        "name": "ExoCord UC-MSC EV",
        "manufacturer": "Meridian Cell Therapeutics",
        "source_material": Product.SourceMaterial.UMBILICAL_CORD_MSC,
        "isolation_method": Product.IsolationMethod.ULTRAFILTRATION_TFF,
        "allowed_routes": [Route.INTRAVENOUS, Route.INTRANASAL],
        "ind_number": "IND 027512",
        "ind_sponsor": "Meridian Cell Therapeutics",
    },
    {
        "name": "PlacentaVes",
        "manufacturer": "Helix Perinatal Labs",
        "source_material": Product.SourceMaterial.PLACENTAL,
        "isolation_method": Product.IsolationMethod.ULTRACENTRIFUGATION,
        "allowed_routes": [Route.INTRANASAL, Route.TOPICAL],
        "regulatory_disclosure": "This product is not approved by the FDA to"
        " diagnose, treat, cure or prevent any disease.",
    },
    {
        "name": "AdipoEV Joint",
        "manufacturer": "Northgate Regenerative",
        "source_material": Product.SourceMaterial.ADIPOSE_MSC,
        "isolation_method": Product.IsolationMethod.SIZE_EXCLUSION,
        "allowed_routes": [Route.INTRA_ARTICULAR, Route.SUBCUTANEOUS],
        "regulatory_disclosure": "This product is not approved by the FDA.",
    },
]

# product name, lot number, made (days ago), shelf life (days), vials, status
LOTS = [
    ("ExoCord UC-MSC EV", "MCT-2609-014", 80, 450, 40, "released"),
    ("ExoCord UC-MSC EV", "MCT-2507-003", 420, 390, 6, "released"),  # expired
    ("PlacentaVes", "HPL-2610-221", 50, 365, 30, "released"),
    ("PlacentaVes", "HPL-2611-007", 10, 365, 20, "quarantined"),
    ("AdipoEV Joint", "NGR-A-2608-55", 100, 540, 25, "released"),
]
MAIN_LOT = "MCT-2609-014"
ADMINISTRATIONS = 4
NURSE = "nurse.okafor"  # a demo practitioner (clinic.demo) who runs infusions
INFUSION_TYPE = "IV infusion"


def seed_products(*, say: Callable[[str], None]) -> None:
    manager = demo_user("manager")
    for fields in PRODUCTS:
        if not Product.objects.filter(
            name=fields["name"], manufacturer=fields["manufacturer"]
        ).exists():
            services.product_create(actor=manager, **fields)
    today = timezone.localdate()
    for index, (name, number, made_ago, shelf_life, vials, status) in enumerate(LOTS):
        product = Product.objects.get(name=name)
        if Lot.objects.filter(product=product, lot_number=number).exists():
            continue
        made = today - dt.timedelta(days=made_ago)
        received = made + dt.timedelta(days=min(14, made_ago // 2))
        lot = services.lot_create(
            actor=manager,
            product=product,
            lot_number=number,
            supplier_code=f"W4219 {made:%y} {100117 + index:06d} A0",
            manufactured_on=made,
            expires_on=made + dt.timedelta(days=shelf_life),
            received_on=received,
            particles_per_ml=[2_000_000_000_000, 500_000_000_000][index % 2],
            modal_size_nm=Decimal("112.0") + index,
            vial_volume_ml=Decimal("2.00") if index % 2 else Decimal("5.00"),
            coa_reference=f"COA-{number}",
        )
        if status == Lot.Status.RELEASED:
            services.lot_release(lot=lot, actor=manager)
        services.stock_move(
            lot=lot,
            kind="received",
            vials=vials,
            actor=manager,
            at=timezone.make_aware(
                dt.datetime.combine(received, dt.time(9)),
                timezone.get_default_timezone(),
            ),
        )
    say(f"products: {Product.objects.count()}, lots: {Lot.objects.count()}")


def seed(*, say: Callable[[str], None]) -> None:
    seed_products(say=lambda _message: None)
    lot = Lot.objects.select_related("product").get(lot_number=MAIN_LOT)
    if Administration.objects.filter(lot=lot).exists():
        say(f"administrations: {Administration.objects.count()}")
        _seed_outcomes(say=say)
        return
    # Doses are given by demo practitioners (clinic.demo.seed_calendar): the
    # clinician gives intranasal doses and signs them as performed; the nurse
    # runs infusions in a completed IV visit and the clinician, who can log
    # in, signs those as reviewed.
    clinician = demo_user("clinician")
    nurse = Practitioner.objects.filter(user__username=NURSE, active=True).first()
    password = next(p for user, p, *_ in DEMO_USERS if user == clinician.username)
    now = timezone.now().replace(second=0, microsecond=0)
    recorded = 0
    for patient in Patient.objects.filter(active=True).order_by("mrn"):
        if recorded == ADMINISTRATIONS:
            break
        at = now - dt.timedelta(days=3 + 5 * recorded, hours=2)
        route = Route.INTRAVENOUS if recorded % 2 else Route.INTRANASAL
        visit = None
        if route == Route.INTRAVENOUS and nurse is not None:
            visit = _past_infusion_slot(nurse, before=at)
            if visit is not None:
                at = visit.starts_at + dt.timedelta(minutes=10)
        consent = consent_find_valid(
            patient=patient,
            route=route,
            indication=Indication.TISSUE_REPAIR,
            product=lot.product,
            at=at,
        )
        if consent is None:
            continue
        infusion: dict[str, Any] = (
            {"infusion_started_at": at, "infusion_ended_at": at + dt.timedelta(hours=1)}
            if route == Route.INTRAVENOUS
            else {}
        )
        given_by = clinician
        appointment = None
        if route == Route.INTRAVENOUS and nurse is not None:
            given_by = nurse.user
            if visit is not None:
                appointment = _completed_visit(visit, patient=patient)
        administration = services.administration_record(
            patient=patient,
            lot=lot,
            route=route,
            indication=Indication.TISSUE_REPAIR,
            dose_volume_ml=Decimal("5.00") if infusion else Decimal("1.00"),
            vials_used=1,
            administered_at=at,
            administered_by=given_by,
            appointment=appointment,
            actor=clinician,
            notes="Tolerated well; observed, no reaction.",
            **infusion,
        )
        services.administration_sign(
            administration=administration,
            actor=clinician,
            password=password,
            meaning="performed" if given_by == clinician else "reviewed",
        )
        recorded += 1
    say(
        f"administrations: {Administration.objects.count()}"
        + ("" if recorded else " (no patient has consented to the demo products)")
    )
    _seed_outcomes(say=say)


# Days after a dose on which the clinic followed up, with the contact kind;
# scores start at 3 and rise by one at each contact (a response to show).
FOLLOW_UPS = [(1, "phone"), (4, "message"), (8, "visit"), (12, "phone")]


def _seed_outcomes(*, say: Callable[[str], None]) -> None:
    """Signed follow-ups after each demo dose (those already past), and one
    serious, unreported adverse event on the oldest dose. Skipped once any
    note exists, so seeding twice adds nothing."""
    demo_doses = Administration.objects.filter(lot__lot_number=MAIN_LOT).order_by(
        "administered_at"
    )
    if FollowUpNote.objects.exists() or not demo_doses.exists():
        return
    clinician = demo_user("clinician")
    password = next(p for user, p, *_ in DEMO_USERS if user == clinician.username)
    now = timezone.now().replace(second=0, microsecond=0)
    for dose in demo_doses:
        for index, (days, kind) in enumerate(FOLLOW_UPS):
            noted_at = dose.administered_at + dt.timedelta(days=days)
            if noted_at > now:
                break
            note = services.follow_up_record(
                patient=dose.patient,
                administration=dose,
                noted_at=noted_at,
                contact_kind=kind,
                outcome_score=3 + index,
                text="Pain and stiffness easing; sleeping better.",
                actor=clinician,
                now=now,
            )
            services.follow_up_sign(
                note=note, actor=clinician, password=password, meaning="performed"
            )
    oldest = demo_doses[0]  # there is one (checked above)
    onset = oldest.administered_at + dt.timedelta(hours=6)
    services.adverse_event_record(
        administration=oldest,
        onset_at=onset,
        aware_on=timezone.localdate(onset) + dt.timedelta(days=1),
        description="Fever 39.2 C with rigors the evening after the dose;"
        " admitted overnight for observation and IV fluids.",
        grade=3,
        serious=True,
        hospitalisation=True,
        outcome=AdverseEvent.Outcome.RECOVERED,
        relatedness=AdverseEvent.Relatedness.POSSIBLY_RELATED,
        actor=clinician,
        now=now,
    )
    say(
        f"follow-up notes: {FollowUpNote.objects.count()},"
        f" adverse events: {AdverseEvent.objects.count()}"
    )


def _past_infusion_slot(nurse: Practitioner, *, before: dt.datetime) -> Any:
    """The nurse's last free IV infusion slot in the week before `before`, as
    the availability search offered it then (None without the calendar)."""
    infusion = AppointmentType.objects.filter(name=INFUSION_TYPE).first()
    if infusion is None:
        return None
    day = timezone.localdate(before)
    found = availability_search(
        type=infusion,
        date_from=day - dt.timedelta(days=7),
        date_to=day,
        practitioner=nurse,
        now=before - dt.timedelta(days=8),
    )
    fits = [
        slot for slot in found if slot.starts_at + infusion.default_duration <= before
    ]
    return fits[-1] if fits else None


def _completed_visit(slot: Any, *, patient: Patient) -> Appointment:
    """Book the slot (as the front desk did a day before), then check in,
    start and complete it at the times they happened."""
    desk = demo_user("frontdesk")
    infusion = AppointmentType.objects.get(name=INFUSION_TYPE)
    appointment = appointment_book(
        patient=patient,
        practitioner=slot.practitioner,
        room=slot.rooms[0],
        type=infusion,
        starts_at=slot.starts_at,
        notes="Demo infusion visit.",
        actor=desk,
        now=slot.starts_at - dt.timedelta(days=1),
    )
    appointment_check_in(
        appointment=appointment,
        actor=desk,
        now=slot.starts_at - dt.timedelta(minutes=5),
    )
    appointment_start(
        appointment=appointment, actor=slot.practitioner.user, now=slot.starts_at
    )
    return appointment_complete(
        appointment=appointment,
        actor=slot.practitioner.user,
        now=slot.starts_at + infusion.default_duration,
    )
