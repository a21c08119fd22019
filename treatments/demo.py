"""Demo products, lots and stock, and a few signed administrations.

Two seeders, both idempotent and both through the services:
- `seed_products` runs before the patients seeder, so the demo consent form
  can name the products (patients.demo publishes it only if products exist);
- `seed` runs last: it completes the products if needed, then records and
  signs a few administrations for patients whose consent covers them (none
  if no patient has consented, e.g. when patients were not seeded).
"""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.utils import timezone

from clinic.codes import Indication, Route
from clinic.demo import DEMO_USERS, demo_user
from patients.models import Patient
from patients.services import consent_find_valid
from treatments import services
from treatments.models import Administration, Lot, Product

PRODUCTS = [
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
        return
    clinician = demo_user("clinician")
    password = next(p for user, p, *_ in DEMO_USERS if user == clinician.username)
    now = timezone.now().replace(second=0, microsecond=0)
    recorded = 0
    for patient in Patient.objects.filter(active=True).order_by("mrn"):
        if recorded == ADMINISTRATIONS:
            break
        at = now - dt.timedelta(days=3 + 5 * recorded, hours=2)
        route = Route.INTRAVENOUS if recorded % 2 else Route.INTRANASAL
        consent = consent_find_valid(
            patient=patient,
            route=route,
            indication=Indication.TISSUE_REPAIR,
            product=lot.product,
            at=at,
        )
        if consent is None:
            continue
        infusion = (
            {"infusion_started_at": at, "infusion_ended_at": at + dt.timedelta(hours=1)}
            if route == Route.INTRAVENOUS
            else {}
        )
        administration = services.administration_record(
            patient=patient,
            lot=lot,
            route=route,
            indication=Indication.TISSUE_REPAIR,
            dose_volume_ml=Decimal("5.00") if infusion else Decimal("1.00"),
            vials_used=1,
            administered_at=at,
            administered_by=clinician,
            actor=clinician,
            notes="Tolerated well; observed 30 minutes, no reaction.",
            **infusion,
        )
        services.administration_sign(
            administration=administration,
            actor=clinician,
            password=password,
            meaning="performed",
        )
        recorded += 1
    say(
        f"administrations: {Administration.objects.count()}"
        + ("" if recorded else " (no patient has consented to the demo products)")
    )
