import datetime as dt

import factory

from patients.models import Patient
from patients.mrn import format_mrn
from patients.naming import fold


class PatientFactory(factory.django.DjangoModelFactory):
    """Builds patients directly (fast); MRNs from a high range that the
    register service's counter will not reach in tests."""

    class Meta:
        model = Patient

    mrn = factory.Sequence(lambda n: format_mrn(9_000_000 + n))
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    search_name = factory.LazyAttribute(
        lambda p: fold(f"{p.given_name} {p.family_name}")
    )
    date_of_birth = factory.Faker(
        "date_between", start_date=dt.date(1940, 1, 1), end_date=dt.date(2005, 12, 31)
    )
    sex = Patient.Sex.FEMALE
    phone = factory.Sequence(lambda n: f"+1202555{n % 10000:04d}")
    email = factory.LazyAttribute(lambda p: f"{p.given_name.lower()}@example.test")
