import pytest
from django.urls import reverse

from clinic.models import Location
from tests import etag
from tests.factories import LocationFactory

URL = "/api/v1/locations/"


@pytest.mark.django_db
def test_every_role_reads_locations(front_desk_client, clinician_client):
    LocationFactory(name="North")
    for client in (front_desk_client, clinician_client):
        response = client.get(URL)
        assert response.status_code == 200
        assert [row["name"] for row in response.json()["results"]] == ["North"]


@pytest.mark.django_db
def test_front_desk_cannot_create_location(front_desk_client):
    response = front_desk_client.post(
        URL, {"name": "X", "time_zone": "UTC"}, format="json"
    )

    assert response.status_code == 403
    assert not Location.objects.exists()


@pytest.mark.django_db
def test_manager_creates_location_and_history_names_the_actor(manager_client, manager):
    response = manager_client.post(
        URL, {"name": "East", "time_zone": "America/New_York"}, format="json"
    )
    assert response.status_code == 201
    location_id = response.json()["id"]

    etag.patch(manager_client, f"{URL}{location_id}/", {"active": False}, format="json")
    history = manager_client.get(f"{URL}{location_id}/history/")

    assert history.status_code == 200
    entries = history.json()["results"]
    assert [e["kind"] for e in entries] == ["changed", "created"]
    assert {e["actor"] for e in entries} == {manager.username}
    changes = {c["field"]: (c["before"], c["after"]) for c in entries[0]["changes"]}
    assert set(changes) == {"active", "updated_at"}
    assert changes["active"] == (True, False)


@pytest.mark.django_db
def test_history_is_for_managers_only(front_desk_client, clinician_client):
    location = LocationFactory()
    for client in (front_desk_client, clinician_client):
        assert client.get(f"{URL}{location.pk}/history/").status_code == 403


@pytest.mark.django_db
def test_admin_change_goes_through_service_and_records_actor(client, manager):
    manager.is_superuser = False
    manager.save()
    location = LocationFactory(name="Old name", time_zone="UTC")
    client.force_login(manager)

    response = client.post(
        reverse("admin:clinic_location_change", args=[location.pk]),
        {"name": "New name", "time_zone": "UTC", "address": "", "active": "on"},
    )

    assert response.status_code == 302
    latest = location.history.latest()
    assert latest.name == "New name"
    assert latest.history_user == manager


@pytest.mark.django_db
def test_admin_refuses_bad_time_zone(client, manager):
    client.force_login(manager)

    response = client.post(
        reverse("admin:clinic_location_add"),
        {"name": "Somewhere", "time_zone": "Mars/Base", "address": ""},
    )

    assert response.status_code == 200
    assert b"not an IANA time zone" in response.content
    assert not Location.objects.exists()
