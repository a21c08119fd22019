"""The demo clinic's people and places. Idempotent: safe to run twice."""

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from clinic.models import Location
from clinic.roles import Role
from clinic.services.locations import location_create

# username, password, role, first name, last name. Passwords are for the demo
# only and are printed by seed_demo.
DEMO_USERS = [
    ("frontdesk", "frontdesk-demo-2026", Role.FRONT_DESK, "Fran", "Desk"),
    ("clinician", "clinician-demo-2026", Role.CLINICIAN, "Casey", "Clinician"),
    ("manager", "manager-demo-2026", Role.MANAGER, "Morgan", "Manager"),
]

DEMO_LOCATIONS = [
    (
        "Pacific Regenerative Clinic",
        "America/Los_Angeles",
        "120 Harbor Way, San Diego, CA",
    ),
    ("Atlantic Regenerative Clinic", "America/New_York", "45 Park Row, New York, NY"),
]


def demo_user(username: str):  # type: ignore[no-untyped-def]
    return get_user_model().objects.get(username=username)


def seed_people_and_places(*, say: Callable[[str], None]) -> None:
    User = get_user_model()
    for username, password, role, first, last in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@demo.clinic.invalid",
                "is_staff": True,
            },
        )
        if created:
            user.set_password(password)
            user.save()
        user.groups.add(Group.objects.get(name=role))
    manager = demo_user("manager")
    for name, tz, address in DEMO_LOCATIONS:
        if not Location.objects.filter(name=name).exists():
            location_create(name=name, time_zone=tz, address=address, actor=manager)
    say(f"locations: {Location.objects.count()}, staff users: {User.objects.count()}")
