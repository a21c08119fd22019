import datetime as dt

import factory
from django.utils import timezone

from clinic.core.codes import Indication, Route
from patients.models import ConsentForm, Patient, SignedConsent
from patients.mrn import format_mrn
from patients.naming import fold
from tests.canary_names import canary_family_name
from tests.factories.users import UserFactory


class PatientFactory(factory.django.DjangoModelFactory):
    """Builds patients directly (fast); MRNs from a high range that the
    register service's counter will not reach in tests."""

    class Meta:
        model = Patient

    mrn = factory.Sequence(lambda n: format_mrn(9_000_000 + n))
    given_name = factory.Faker("first_name")
    # A canary (tests/canary.py): the suite fails if it shows in a log line
    # or an error body.
    family_name = factory.Sequence(canary_family_name)
    search_name = factory.LazyAttribute(
        lambda p: fold(f"{p.given_name} {p.family_name}")
    )
    date_of_birth = factory.Faker(
        "date_between", start_date=dt.date(1940, 1, 1), end_date=dt.date(2005, 12, 31)
    )
    sex = Patient.Sex.FEMALE
    phone = factory.Sequence(lambda n: f"+1202555{n % 10000:04d}")
    email = factory.LazyAttribute(lambda p: f"{p.given_name.lower()}@example.test")


class ConsentFormFactory(factory.django.DjangoModelFactory):
    """A published form covering IV and intranasal for tissue repair; pass
    `covered_products=[product, ...]`."""

    class Meta:
        model = ConsentForm
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Exosome therapy consent {n}")
    version = 1
    body = "I understand the risks, benefits and alternatives of this therapy."
    covered_routes = factory.LazyFunction(lambda: [Route.INTRAVENOUS, Route.INTRANASAL])
    covered_indications = factory.LazyFunction(lambda: [Indication.TISSUE_REPAIR])
    effective_date = dt.date(2020, 1, 1)
    status = ConsentForm.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def covered_products(self, create: bool, extracted: list | None, **kwargs):
        if create and extracted:
            self.covered_products.set(extracted)


class SignedConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SignedConsent

    patient = factory.SubFactory(PatientFactory)
    form = factory.SubFactory(ConsentFormFactory)
    signed_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=30))
    signed_by = SignedConsent.Signer.PATIENT
    witness = factory.SubFactory(UserFactory)
    created_by = factory.SelfAttribute("witness")
