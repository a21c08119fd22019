import pytest
from django.core.exceptions import ValidationError

from clinic.core.codes import Route
from clinic.core.errors import Conflict, RuleViolation
from tests.factories.patients import ConsentFormFactory
from tests.factories.treatments import ProductFactory
from treatments.models import Product
from treatments.services import product_create, product_update


def _create(actor, **overrides):
    values = {
        "name": "CordVesicle IV",
        "manufacturer": "Meridian Cell Therapeutics",
        "source_material": "umbilical_cord_msc",
        "isolation_method": "size_exclusion",
        "allowed_routes": [Route.INTRAVENOUS],
        "regulatory_disclosure": "Not approved by the FDA.",
        "actor": actor,
    }
    values.update(overrides)
    return product_create(**values)


def test_creates_product_with_history(manager):
    product = _create(manager, ind_number="IND 27512", ind_sponsor="Meridian")

    assert product.under_ind
    assert product.history.get().history_user == manager


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ind_number": "IND 1"}, "ind_sponsor"),
        ({"ind_sponsor": "Meridian"}, "ind_number"),
        ({"regulatory_disclosure": ""}, "regulatory_disclosure"),
    ],
)
def test_incomplete_regulatory_status_is_refused(manager, overrides, field):
    with pytest.raises(RuleViolation) as refused:
        _create(manager, **overrides)

    assert refused.value.code == "regulatory_status_incomplete"
    assert field in refused.value.errors
    assert not Product.objects.exists()


def test_duplicate_product_is_refused(manager):
    _create(manager)
    with pytest.raises(RuleViolation) as refused:
        _create(manager)
    assert refused.value.code == "duplicate_product"
    assert Product.objects.count() == 1


@pytest.mark.parametrize("routes", [[], ["oral"], "intravenous"])
def test_bad_routes_are_refused(manager, routes):
    with pytest.raises(ValidationError) as refused:
        _create(manager, allowed_routes=routes)
    assert "allowed_routes" in refused.value.message_dict
    assert not Product.objects.exists()


def test_consented_product_keeps_its_description_and_status(manager):
    product = ProductFactory()
    ConsentFormFactory(covered_products=[product])

    with pytest.raises(Conflict) as refused:
        product_update(
            product=product, actor=manager, regulatory_disclosure="Now FDA approved"
        )

    assert refused.value.code == "product_covered_by_consent"
    assert "regulatory_disclosure" in refused.value.errors
    product.refresh_from_db()
    assert product.regulatory_disclosure == "This product is not approved by the FDA."


def test_consented_product_may_still_change_routes_and_be_deactivated(manager):
    product = ProductFactory()
    ConsentFormFactory(covered_products=[product])

    product_update(
        product=product,
        actor=manager,
        allowed_routes=[Route.INTRAVENOUS],
        active=False,
        name=product.name,  # unchanged values are not changes
    )

    product.refresh_from_db()
    assert (product.allowed_routes, product.active) == ([Route.INTRAVENOUS], False)


def test_product_named_only_by_draft_forms_can_be_edited(manager):
    product = ProductFactory()
    ConsentFormFactory(covered_products=[product], status="draft", published_at=None)

    product_update(product=product, actor=manager, manufacturer="New Name Bio")

    product.refresh_from_db()
    assert product.manufacturer == "New Name Bio"
