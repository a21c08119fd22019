from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"
    # Admin permissions per role; the API checks roles itself (clinic.api.permissions).
    role_permissions = {
        "manager": [
            "auth.view_user",
            "auth.add_user",
            "auth.change_user",
            "auth.view_group",
            "clinic.view_location",
            "clinic.add_location",
            "clinic.change_location",
        ],
        "clinician": ["clinic.view_location"],
        "front_desk": ["clinic.view_location"],
    }

    def ready(self) -> None:
        from clinic.role_permissions import sync_role_permissions

        post_migrate.connect(
            sync_role_permissions, dispatch_uid="clinic.sync_role_permissions"
        )
