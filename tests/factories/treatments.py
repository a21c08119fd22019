import datetime as dt
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from clinic.core.codes import Indication, Route
from patients.models import Patient
from tests.factories.patients import (
    ConsentFormFactory,
    PatientFactory,
    SignedConsentFactory,
)
from tests.factories.users import UserFactory
from treatments.models import AdverseEvent, FollowUpNote, Lot, Product, StockMovement


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"ExoGen UC-{n}")
    manufacturer = "Example Biologics Inc."
    source_material = Product.SourceMaterial.UMBILICAL_CORD_MSC
    isolation_method = Product.IsolationMethod.ULTRAFILTRATION_TFF
    allowed_routes = factory.LazyFunction(lambda: [Route.INTRAVENOUS, Route.INTRANASAL])
    regulatory_disclosure = "This product is not approved by the FDA."


def _today() -> dt.date:
    return timezone.localdate()


class LotFactory(factory.django.DjangoModelFactory):
    """A released lot, in date, 2 mL vials at 1e11 particles/mL; pass
    `vials=N` to receive N vials into its ledger."""

    class Meta:
        model = Lot
        skip_postgeneration_save = True

    product = factory.SubFactory(ProductFactory)
    lot_number = factory.Sequence(lambda n: f"EX{n:05d}")
    supplier_code = factory.Sequence(lambda n: f"W1234 26 {n:06d} A0")
    manufactured_on = factory.LazyFunction(lambda: _today() - dt.timedelta(days=90))
    expires_on = factory.LazyFunction(lambda: _today() + dt.timedelta(days=275))
    received_on = factory.LazyFunction(lambda: _today() - dt.timedelta(days=60))
    particles_per_ml = 100_000_000_000
    modal_size_nm = Decimal("112.5")
    vial_volume_ml = Decimal("2.00")
    status = Lot.Status.RELEASED
    coa_reference = factory.Sequence(lambda n: f"COA-2026-{n:04d}")

    @factory.post_generation
    def vials(self, create: bool, extracted: int | None, **kwargs: Any) -> None:
        if create and extracted:
            StockMovement.objects.create(
                lot=self,
                kind=StockMovement.Kind.RECEIVED,
                vials=extracted,
                at=timezone.now() - dt.timedelta(days=60),
                by=UserFactory(),
            )


def consented_patient(
    *,
    product: Product,
    routes: list[str] | None = None,
    indications: list[str] | None = None,
    signed_at: dt.datetime | None = None,
    **patient_fields: Any,
) -> Patient:
    """A patient with a signed consent (30 days ago unless `signed_at`) on a
    published form covering `product`, IV and intranasal, tissue repair."""
    patient = PatientFactory(**patient_fields)
    form = ConsentFormFactory(
        covered_products=[product],
        covered_routes=routes or [Route.INTRAVENOUS, Route.INTRANASAL],
        covered_indications=indications or [Indication.TISSUE_REPAIR],
    )
    extra = {"signed_at": signed_at} if signed_at else {}
    SignedConsentFactory(patient=patient, form=form, **extra)
    return patient


class FollowUpNoteFactory(factory.django.DjangoModelFactory):
    """A draft note written straight to the table (no service): pass
    `administration=` to follow one (the patient follows it), else a new
    patient's note not tied to any administration."""

    class Meta:
        model = FollowUpNote

    administration = None
    patient = factory.LazyAttribute(
        lambda o: o.administration.patient if o.administration else PatientFactory()
    )
    author = factory.SubFactory(UserFactory)
    created_by = factory.SelfAttribute("author")
    noted_at = factory.LazyAttribute(
        lambda o: (
            o.administration.administered_at + dt.timedelta(minutes=30)
            if o.administration
            else timezone.now() - dt.timedelta(days=1)
        )
    )
    contact_kind = FollowUpNote.ContactKind.PHONE
    outcome_score = 6
    text = "Feels better; sleeping through the night."


class AdverseEventFactory(factory.django.DjangoModelFactory):
    """A non-serious grade 2 event written straight to the table (no
    service), 10 minutes after its administration (required)."""

    class Meta:
        model = AdverseEvent

    patient = factory.SelfAttribute("administration.patient")
    onset_at = factory.LazyAttribute(
        lambda o: o.administration.administered_at + dt.timedelta(minutes=10)
    )
    aware_on = factory.LazyAttribute(lambda o: timezone.localdate(o.onset_at))
    description = "Headache and low-grade fever."
    grade = 2
    outcome = AdverseEvent.Outcome.RECOVERING
    relatedness = AdverseEvent.Relatedness.POSSIBLY_RELATED
    created_by = factory.SubFactory(UserFactory)
