import factory

from clinic.models import Location


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    name = factory.Sequence(lambda n: f"Site {n}")
    time_zone = "America/New_York"
    address = factory.Faker("address")
