from django.apps import AppConfig
from django.db.models.signals import post_migrate

_SET_UP = [
    "room",
    "practitioner",
    "workinghours",
    "scheduleexception",
    "appointmenttype",
]
_SET_UP_READ = [f"clinic.view_{model}" for model in _SET_UP]
# Status changes are admin actions gated by role (clinic.appointment_admin).
_BOOKING = ["clinic.add_appointment", "clinic.change_appointment"]
_SCHEDULE_READ = ["clinic.view_appointment", "clinic.view_appointmentstatuschange"]


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"
    # Admin permissions per role; the API checks roles itself
    # (clinic.core.api.permissions).
    role_permissions = {
        "manager": [
            "auth.view_user",
            "auth.add_user",
            "auth.change_user",
            "auth.view_group",
            "clinic.view_location",
            "clinic.add_location",
            "clinic.change_location",
            *[
                f"clinic.{verb}_{model}"
                for model in _SET_UP
                for verb in ("view", "add", "change")
            ],
            "clinic.delete_workinghours",
            "clinic.delete_scheduleexception",
            *_BOOKING,
            *_SCHEDULE_READ,
        ],
        "clinician": ["clinic.view_location", *_SET_UP_READ, *_SCHEDULE_READ],
        "front_desk": [
            "clinic.view_location",
            *_SET_UP_READ,
            *_BOOKING,
            *_SCHEDULE_READ,
        ],
    }

    def ready(self) -> None:
        from clinic.core.cache import create_cache_tables
        from clinic.core.role_permissions import sync_role_permissions

        post_migrate.connect(
            sync_role_permissions, dispatch_uid="clinic.sync_role_permissions"
        )
        # Once per migrate (this app's signal only): the login throttle counts
        # in the database cache's table unless REDIS_URL is set.
        post_migrate.connect(
            create_cache_tables, sender=self, dispatch_uid="clinic.create_cache_tables"
        )
