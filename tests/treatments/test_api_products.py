import pytest

from tests import etag
from tests.factories.patients import ConsentFormFactory
from tests.factories.treatments import ProductFactory
from treatments.models import Product

URL = "/api/v1/products/"

PAYLOAD = {
    "name": "PlacentaVes Nasal",
    "manufacturer": "Helix Perinatal Labs",
    "source_material": "placental",
    "isolation_method": "ultracentrifugation",
    "allowed_routes": ["intranasal"],
    "ind_number": "IND 031877",
    "ind_sponsor": "Helix Perinatal Labs",
}


@pytest.mark.django_db
def test_manager_creates_product(manager_client):
    response = manager_client.post(URL, PAYLOAD, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["under_ind"] is True
    assert Product.objects.get().allowed_routes == ["intranasal"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"ind_sponsor": ""}, "regulatory_status_incomplete", "ind_sponsor"),
        (
            {"ind_number": "", "ind_sponsor": ""},
            "regulatory_status_incomplete",
            "regulatory_disclosure",
        ),
        ({"allowed_routes": []}, "invalid", "allowed_routes"),
        ({"allowed_routes": ["oral"]}, "invalid", "allowed_routes"),
        ({"source_material": "cord blood"}, "invalid", "source_material"),
    ],
)
def test_bad_products_are_refused_naming_the_field(
    manager_client, overrides, code, field
):
    response = manager_client.post(URL, {**PAYLOAD, **overrides}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert field in response.json()["errors"]
    assert not Product.objects.exists()


@pytest.mark.django_db
def test_duplicate_product_is_refused(manager_client):
    manager_client.post(URL, PAYLOAD, format="json")
    response = manager_client.post(URL, PAYLOAD, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "duplicate_product"


@pytest.mark.django_db
def test_consented_product_status_is_a_409(manager_client):
    product = ProductFactory()
    ConsentFormFactory(covered_products=[product])

    response = etag.patch(
        manager_client,
        f"{URL}{product.pk}/",
        {"ind_number": "IND 1", "ind_sponsor": "X"},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "product_covered_by_consent"
    assert set(response.json()["errors"]) == {"ind_number", "ind_sponsor"}


@pytest.mark.django_db
def test_clinician_reads_products(clinician_client):
    ProductFactory(name="B"), ProductFactory(name="A")

    response = clinician_client.get(URL)

    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == ["A", "B"]


@pytest.mark.django_db
def test_history_of_a_product_for_managers(manager_client, manager):
    created = manager_client.post(URL, PAYLOAD, format="json").json()
    etag.patch(
        manager_client, f"{URL}{created['id']}/", {"active": False}, format="json"
    )

    history = manager_client.get(f"{URL}{created['id']}/history/").json()["results"]

    assert [entry["kind"] for entry in history] == ["changed", "created"]
    assert {entry["actor"] for entry in history} == {manager.username}
