"""Keeps each role group's Django model permissions (used by the admin) equal to
the tables the apps declare.

Each AppConfig may declare `role_permissions = {role: ["app_label.codename", ...]}`;
this module reads them from the app registry, so it imports no domain app.
Runs after every migrate (and after a test flush), so groups always exist.
"""

from typing import Any

from django.apps import apps as global_apps

from clinic.core.roles import Role


def declared_permissions() -> dict[str, set[str]]:
    """role -> {"app_label.codename"} merged over every installed app."""
    table: dict[str, set[str]] = {role: set() for role in Role.values}
    for config in global_apps.get_app_configs():
        for role, perms in getattr(config, "role_permissions", {}).items():
            table[role].update(perms)
    return table


def sync_role_permissions(*, using: str = "default", **_: Any) -> None:
    Group = global_apps.get_model("auth", "Group")
    Permission = global_apps.get_model("auth", "Permission")
    existing = {
        f"{app}.{codename}": pk
        for pk, app, codename in Permission.objects.using(using).values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    for role, perms in declared_permissions().items():
        group, _created = Group.objects.using(using).get_or_create(name=role)
        # Unknown names are skipped here (their app may not be migrated yet);
        # a test checks that every declared name exists.
        group.permissions.set([existing[p] for p in sorted(perms) if p in existing])
