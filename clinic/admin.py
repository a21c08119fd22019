from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from clinic.core.admin_fields import FieldRulesAdminMixin, with_field_rules
from clinic.core.admin_services import ServiceAdminMixin
from clinic.core.dates import BoundedDatesAdminMixin
from clinic.core.tokens import token_revoke
from clinic.core.users import acting_user
from clinic.models import ApiToken, Location
from clinic.services.locations import location_create, location_update

admin.site.site_header = "Clinic administration"
admin.site.site_title = "Clinic"


@admin.register(Location)
class LocationAdmin(FieldRulesAdminMixin, ServiceAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "time_zone", "active"]
    list_filter = ["active", "time_zone"]
    search_fields = ["name"]

    def save_with_service(self, request: Any, original: Any, form: Any) -> Location:
        if original is not None:
            return location_update(
                location=original, actor=acting_user(request), **form.changed_values()
            )
        data = form.cleaned_data
        return location_create(
            name=data["name"],
            time_zone=data["time_zone"],
            address=data["address"],
            actor=acting_user(request),
        )

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(BoundedDatesAdminMixin, FieldRulesAdminMixin, admin.ModelAdmin):
    list_display = ["key_prefix", "user", "created_at", "expires_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["user__username", "key_prefix"]
    readonly_fields = [f.name for f in ApiToken._meta.fields]
    actions = ["revoke"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request: Any, queryset: Any) -> None:
        now = timezone.now()
        for token in queryset:
            token_revoke(token=token, now=now)
        self.message_user(request, "Tokens revoked.", messages.SUCCESS)


# Django's and axes' own admin pages (registered before this module runs:
# their apps come first in INSTALLED_APPS) follow the same field and history
# rules as the project's.
with_field_rules(
    admin.site, Group, get_user_model(), AccessAttempt, AccessLog, AccessFailureLog
)

# The calendar's admin pages live in their own modules; importing registers them.
import clinic.appointment_admin  # noqa: E402
import clinic.practice_admin  # noqa: E402, F401
