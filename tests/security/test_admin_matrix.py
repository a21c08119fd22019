"""Every registered admin model's changelist, add, change, delete and history
pages, as each role: tests/security/role_matrix.py ADMIN_MATRIX says what
each gets."""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from clinic.core.roles import Role
from tests.factories.users import UserFactory
from tests.security import role_matrix
from tests.security.world import ROLES

PAGES = ("changelist", "add", "change", "delete", "history")
OBJECT_PAGES = ("change", "delete", "history")


def _users():
    return {
        "front_desk": UserFactory(username="fd_user", roles=[Role.FRONT_DESK]),
        "clinician": UserFactory(username="clin_user", roles=[Role.CLINICIAN]),
        "manager": UserFactory(username="mgr_user", roles=[Role.MANAGER]),
    }


def _registered() -> set[str]:
    return {model._meta.label for model in admin.site._registry}


def test_admin_matrix_lists_every_registered_model():
    models = _registered()
    in_table = {key.split()[0] for key in role_matrix.ADMIN}
    missing = sorted(models - in_table)
    rows = "\n".join(
        f"{label:<28} {page:<10}  302  ...  (fill in)"
        for label in missing
        for page in PAGES
    )
    assert not missing, (
        "Admin models without rows in tests/security/role_matrix.py ADMIN_MATRIX;"
        f" add:\n{rows}\n(and an object in tests/security/admin_objects.py)"
    )
    assert sorted(in_table - models) == [], "rows for models no longer registered"
    every_page = {f"{label} {page}" for label in models for page in PAGES}
    assert sorted(every_page - set(role_matrix.ADMIN)) == []


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", sorted(role_matrix.ADMIN))
def test_admin_matrix_cell(db, row, role):
    from tests.security.admin_objects import make_object

    label, page = row.split()
    users = _users()
    model = next(m for m in admin.site._registry if m._meta.label == label)
    obj = make_object(label, users)
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}"
    url = reverse(name, args=[obj.pk] if page in OBJECT_PAGES else [])
    client = Client()
    if role != "anonymous":
        client.force_login(users[role])

    response = client.get(url)

    assert response.status_code == role_matrix.ADMIN[row][role], f"{url} as {role}"
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("admin:login"))
