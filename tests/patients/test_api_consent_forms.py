import pytest

from patients.models import ConsentForm
from tests import etag
from tests.factories.patients import ConsentFormFactory
from tests.factories.treatments import ProductFactory

URL = "/api/v1/consent-forms/"


@pytest.fixture
def product(db):
    return ProductFactory()


def _payload(product, **overrides):
    body = {
        "title": "Intranasal consent",
        "body": "Full text.",
        "covered_routes": ["intranasal"],
        "covered_indications": ["neurological"],
        "covered_products": [product.pk],
        "effective_date": "2026-01-01",
    }
    body.update(overrides)
    return body


def test_manager_creates_and_publishes_a_form(manager_client, product):
    created = manager_client.post(URL, _payload(product), format="json")
    form_id = created.json()["id"]

    published = manager_client.post(f"{URL}{form_id}/publish/")

    assert created.status_code == 201
    assert created.json()["version"] == 1
    assert published.status_code == 200
    assert published.json()["status"] == "published"


def test_unknown_route_is_400_naming_the_field(manager_client, product):
    response = manager_client.post(
        URL, _payload(product, covered_routes=["intranasal", "osmosis"]), format="json"
    )

    assert response.status_code == 400
    assert "covered_routes" in response.json()["errors"]
    assert not ConsentForm.objects.exists()


def test_editing_a_published_form_is_409(manager_client, product):
    form = ConsentFormFactory(covered_products=[product])

    response = etag.patch(
        manager_client, f"{URL}{form.pk}/", {"body": "New"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "consent_form_published"
    form.refresh_from_db()
    assert form.body != "New"


def test_new_version_of_published_form(manager_client, product):
    form = ConsentFormFactory(covered_products=[product])

    response = manager_client.post(f"{URL}{form.pk}/new-version/")

    assert response.status_code == 201
    assert (response.json()["version"], response.json()["status"]) == (2, "draft")


def test_front_desk_and_clinician_read_but_do_not_manage_forms(
    front_desk_client, clinician_client, product
):
    form = ConsentFormFactory(covered_products=[product])
    for client in (front_desk_client, clinician_client):
        assert client.get(URL).status_code == 200
        assert client.post(URL, _payload(product), format="json").status_code == 403
        assert client.post(f"{URL}{form.pk}/new-version/").status_code == 403
    assert ConsentForm.objects.count() == 1


def test_setting_status_directly_is_refused(manager_client, product):
    response = manager_client.post(
        URL, _payload(product, status="published"), format="json"
    )

    assert response.status_code == 400
    assert "status" in response.json()["errors"]
