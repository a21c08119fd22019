"""Server errors the fuzzer (test_fuzz_api.py) found, each held by a fast
test so `make test` keeps them fixed without the slow fuzzer."""

import pytest
from rest_framework.test import APIClient

from tests.security.world import build_world


@pytest.fixture
def world(db):
    return build_world()


def _client(world, role):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {world.tokens[role]}")
    return client


@pytest.mark.parametrize(
    ("route", "name"),
    [("/api/v1/appointments/", "location"), ("/api/v1/adverse-events/", "lot")],
)
@pytest.mark.parametrize(
    "value", ["9223372036854775808", "-9223372036854775809", "1" + "0" * 30, "1.5"]
)
def test_an_id_filter_no_column_can_hold_is_a_400(world, route, name, value):
    # Was a 500: the number reached SQLite, which raised OverflowError.
    response = _client(world, "manager").get(route, {name: value})

    assert response.status_code == 400, response.content
    assert name in response.json()["errors"]


@pytest.mark.parametrize(
    ("route", "name", "field"),
    [
        ("/api/v1/appointments/", "location", lambda w: w.location.pk),
        ("/api/v1/adverse-events/", "lot", lambda w: w.lot.pk),
    ],
)
def test_an_id_filter_still_filters(world, route, name, field):
    client = _client(world, "manager")

    matching = client.get(route, {name: field(world)})
    other = client.get(route, {name: 9_223_372_036_854_775_807})

    assert matching.status_code == other.status_code == 200
    assert len(matching.json()["results"]) >= 1
    assert other.json()["results"] == []


@pytest.mark.parametrize("method", ["get", "put", "patch"])
def test_a_public_route_answers_a_method_it_lacks_with_405_to_anyone(db, method):
    # Was 401 to anonymous callers: the token endpoint is POST (public) and
    # DELETE (signed in), and an unknown method asked for credentials.
    response = getattr(APIClient(), method)("/api/v1/auth/token/")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_a_protected_route_still_asks_anonymous_callers_to_sign_in(db):
    response = APIClient().put("/api/v1/patients/")

    assert response.status_code == 401
