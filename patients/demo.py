"""Demo patients and consents. Idempotent: a second run adds nothing."""

import datetime as dt
from collections.abc import Callable
from itertools import cycle, islice

from django.apps import apps
from django.utils import timezone

from clinic.core.codes import Indication, Route
from clinic.core.demo_staff import demo_user
from clinic.core.users import User
from patients import services
from patients.models import ConsentForm, Patient

# Given name and administrative sex, so the demo reads true.
GIVEN = [
    ("José", "male"),
    ("Zoë", "female"),
    ("Amelia", "female"),
    ("Liam", "male"),
    ("Noah", "male"),
    ("Olivia", "female"),
    ("Mateo", "male"),
    ("Aisha", "female"),
    ("Hiroshi", "male"),
    ("Siobhán", "female"),
    ("Ravi", "male"),
    ("Chloé", "female"),
    ("Lukas", "male"),
    ("Fatima", "female"),
    ("Alex", "unknown"),
    ("Ingrid", "female"),
    ("Sam", "other"),
]
FAMILY = [
    "Núñez",
    "García",
    "O'Connor",
    "Nguyen",
    "Müller",
    "Okafor",
    "Smith",
    "Kowalski",
    "Tanaka",
    "Johansson",
    "Patel",
    "Dubois",
    "Rossi",
]
FORM_TITLE = "Exosome therapy: intravenous and intranasal administration"
FORM_BODY = (
    "I consent to receive extracellular-vesicle (exosome) products by intravenous"
    " infusion or intranasal administration. I have been told that these products"
    " are not approved by the FDA unless stated otherwise, of the known risks"
    " (infusion reactions, fever, infection, unknown long-term effects), of the"
    " alternatives, and that I may withdraw this consent at any time."
)
PATIENT_COUNT = 50


def _consent_form(manager: User) -> ConsentForm:
    form = ConsentForm.objects.filter(title=FORM_TITLE, version=1).first()
    if form is not None:
        return form
    # Products come from the treatments seeder, which runs first; the lazy
    # lookup keeps this module free of an import of treatments.
    products = apps.get_model("treatments", "Product").objects.filter(active=True)
    form = services.consent_form_create(
        actor=manager,
        title=FORM_TITLE,
        body=FORM_BODY,
        covered_routes=[Route.INTRAVENOUS, Route.INTRANASAL],
        covered_indications=[
            Indication.TISSUE_REPAIR,
            Indication.NEUROLOGICAL,
            Indication.IMMUNE,
        ],
        covered_products=list(products),
        effective_date=dt.date(2025, 1, 1),
    )
    if products.exists():
        form = services.consent_form_publish(form=form, actor=manager)
    return form


def seed(*, say: Callable[[str], None]) -> None:
    front_desk = demo_user("frontdesk")
    manager = demo_user("manager")
    form = _consent_form(manager)
    now = timezone.now()
    names = list(islice(zip(cycle(GIVEN), cycle(FAMILY), strict=False), PATIENT_COUNT))
    for index, ((given, sex), family) in enumerate(names):
        dob = dt.date(1950 + (index * 7) % 50, 1 + index % 12, 1 + (index * 3) % 28)
        if Patient.objects.filter(
            given_name=given, family_name=family, date_of_birth=dob
        ).exists():
            continue
        patient = services.patient_register(
            actor=front_desk,
            given_name=given,
            family_name=family,
            date_of_birth=dob,
            sex=sex,
            phone=f"+1212555{1000 + index:04d}",
            email=f"patient{index}@example.test",
            address=f"{10 + index} Demo Street, New York, NY",
            emergency_contact_name="Next of kin",
            emergency_contact_relationship="spouse",
            allergies="penicillin" if index % 9 == 0 else "",
        )
        if not form.is_published or index % 10 == 9:
            continue  # some patients have not consented yet
        signed_at = now - dt.timedelta(days=200 - index * 3)
        # Every seventh consent has already expired; the rest run a year.
        expires_at = signed_at + dt.timedelta(days=30 if index % 7 == 3 else 365)
        consent = services.consent_record(
            actor=front_desk,
            patient=patient,
            form=form,
            signed_at=signed_at,
            signed_by="patient",
            witness=front_desk,
            expires_at=expires_at,
        )
        if index == 4:
            services.consent_withdraw(
                consent=consent,
                actor=front_desk,
                reason="Patient decided against further treatment.",
                at=signed_at + dt.timedelta(days=20),
            )
    say(f"patients: {Patient.objects.count()}, consent form: {form}")
