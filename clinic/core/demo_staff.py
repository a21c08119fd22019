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


def demo_staff_user(
    *, username: str, first: str, last: str, role: str, password: str | None = None
) -> User:
    """The demo staff user `username` in the role's group, made if missing;
    without a password it cannot log in (a practitioner to book, say)."""
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
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save()
    user.groups.add(Group.objects.get(name=role))
    return user


def seed_staff(*, say: Callable[[str], None]) -> None:
    for username, password, role, first, last in DEMO_USERS:
        demo_staff_user(
            username=username, first=first, last=last, role=role, password=password
        )
    say(f"staff users: {User.objects.count()}")
