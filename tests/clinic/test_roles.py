import pytest
from django.contrib.auth.models import Group, Permission

from clinic.core.role_permissions import declared_permissions
from clinic.core.roles import Role, roles_of
from tests.factories import UserFactory


@pytest.mark.django_db
def test_role_groups_exist():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


@pytest.mark.django_db
def test_every_declared_permission_exists_and_is_granted():
    for role, perms in declared_permissions().items():
        group = Group.objects.get(name=role)
        granted = {
            f"{app}.{code}"
            for app, code in group.permissions.values_list(
                "content_type__app_label", "codename"
            )
        }
        assert perms == granted, role


@pytest.mark.django_db
def test_front_desk_cannot_manage_staff_in_admin():
    perms = Permission.objects.filter(group__name=Role.FRONT_DESK)
    assert not perms.filter(content_type__app_label="auth").exists()


@pytest.mark.django_db
def test_manager_manages_staff_accounts_but_clinician_does_not():
    manager = UserFactory(roles=[Role.MANAGER])
    clinician = UserFactory(roles=[Role.CLINICIAN])
    assert manager.has_perm("auth.change_user")
    assert not clinician.has_perm("auth.change_user")


@pytest.mark.django_db
def test_manager_holds_every_role_and_clinician_only_its_own():
    assert roles_of(UserFactory(roles=[Role.MANAGER])) == set(Role.values)
    assert roles_of(UserFactory(roles=[Role.CLINICIAN])) == {Role.CLINICIAN}


@pytest.mark.django_db
def test_inactive_user_holds_no_role():
    user = UserFactory(roles=[Role.MANAGER], is_active=False)
    assert roles_of(user) == frozenset()


@pytest.mark.django_db
def test_unrelated_groups_grant_nothing():
    assert roles_of(UserFactory(roles=["volunteers"])) == frozenset()
