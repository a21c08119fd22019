import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from clinic.core.roles import Role, roles_of
from clinic.models import Location


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_prints_logins(capsys):
    call_command("seed_demo")
    counts = (get_user_model().objects.count(), Location.objects.count())
    call_command("seed_demo")
    output = capsys.readouterr().out

    assert (get_user_model().objects.count(), Location.objects.count()) == counts
    assert "frontdesk-demo-2026" in output
    assert "manager-demo-2026" in output


@pytest.mark.django_db
def test_seed_demo_gives_one_user_per_role_who_can_log_in():
    call_command("seed_demo")
    User = get_user_model()
    for username, password, role in [
        ("frontdesk", "frontdesk-demo-2026", Role.FRONT_DESK),
        ("clinician", "clinician-demo-2026", Role.CLINICIAN),
        ("manager", "manager-demo-2026", Role.MANAGER),
    ]:
        user = User.objects.get(username=username)
        assert user.check_password(password)
        assert user.is_staff
        assert role in roles_of(user)


@pytest.mark.django_db
def test_seed_demo_has_two_locations_in_different_time_zones():
    call_command("seed_demo")
    zones = set(Location.objects.values_list("time_zone", flat=True))
    assert zones == {"America/Los_Angeles", "America/New_York"}
