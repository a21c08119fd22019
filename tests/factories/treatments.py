import factory

from clinic.codes import Route
from treatments.models import Product


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"ExoGen UC-{n}")
    manufacturer = "Example Biologics Inc."
    source_material = Product.SourceMaterial.UMBILICAL_CORD_MSC
    isolation_method = Product.IsolationMethod.ULTRAFILTRATION_TFF
    allowed_routes = factory.LazyFunction(lambda: [Route.INTRAVENOUS, Route.INTRANASAL])
    regulatory_disclosure = "This product is not approved by the FDA."
