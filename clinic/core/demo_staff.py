"""The demo clinic's staff: one user per role, with the logins seed_demo prints.
Plumbing, so every app's demo seeder can name them without importing another
app. Idempotent: safe to run twice."""

from collections.abc import Callable

from django.contrib.auth.models import Group

from clinic.core.roles import Role
from clinic.core.users import User

# username, password, role, first name, last name. Passwords are for the demo
# only and are printed by seed_demo.
DEMO_USERS = [
    ("frontdesk", "frontdesk-demo-2026", Role.FRONT_DESK, "Fran", "Desk"),
    ("clinician", "clinician-demo-2026", Role.CLINICIAN, "Casey", "Clinician"),
    ("manager", "manager-demo-2026", Role.MANAGER, "Morgan", "Manager"),
]


def demo_user(username: str) -> User:
    return User.objects.get(username=username)


def seed_staff(*, say: Callable[[str], None]) -> None:
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
    say(f"staff users: {User.objects.count()}")
