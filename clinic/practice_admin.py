"""Admin of the clinic's set-up: rooms, appointment types, practitioners
with their weekly hours, schedule exceptions. Every page writes through the
services, once, while it is validated (clinic.core.admin_services)."""

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from clinic.core.admin_fields import FieldRulesAdminMixin
from clinic.core.admin_services import ServiceAdminMixin, ServiceInlineMixin
from clinic.core.users import acting_user
from clinic.models import (
    AppointmentType,
    Practitioner,
    Room,
    ScheduleException,
    WorkingHours,
)
from clinic.services.appointment_types import (
    appointment_type_create,
    appointment_type_update,
)
from clinic.services.coverage import bookings_kept_covered
from clinic.services.practitioners import (
    practitioner_create,
    practitioner_update,
    schedule_exception_create,
    schedule_exception_delete,
    schedule_exception_update,
    working_hours_create,
    working_hours_delete,
    working_hours_update,
)
from clinic.services.rooms import room_create, room_update


@admin.register(Room)
class RoomAdmin(FieldRulesAdminMixin, ServiceAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "kind", "location", "active"]
    list_filter = ["location", "kind", "active"]
    search_fields = ["name"]

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        return ["location"] if obj else []

    def save_with_service(self, request: HttpRequest, original: Any, form: Any) -> Room:
        if original is not None:
            return room_update(
                room=original, actor=acting_user(request), **form.changed_values()
            )
        data = form.cleaned_data
        return room_create(
            location=data["location"], name=data["name"], kind=data["kind"],
            actor=acting_user(request),
        )  # fmt: skip

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(AppointmentType)
class AppointmentTypeAdmin(FieldRulesAdminMixin, ServiceAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "name", "default_duration_minutes", "room_kind", "buffer_after_minutes",
        "observation_minutes", "max_parallel", "active",
    ]  # fmt: skip
    list_filter = ["room_kind", "active"]

    def save_with_service(
        self, request: HttpRequest, original: Any, form: Any
    ) -> AppointmentType:
        if original is not None:
            return appointment_type_update(
                appointment_type=original,
                actor=acting_user(request),
                **form.changed_values(),
            )
        return appointment_type_create(actor=acting_user(request), **form.cleaned_data)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class WorkingHoursInline(ServiceInlineMixin, admin.TabularInline):
    model = WorkingHours
    extra = 0
    fields = ["location", "weekday", "start_time", "end_time"]

    def save_with_service(self, request: HttpRequest, formset: Any) -> None:
        """The inline's rows, deletions first so a block can be moved into a
        gap; booked patients are checked once, against the whole set of
        changes (the services' own checks defer to this outer one)."""
        actor = acting_user(request)
        with bookings_kept_covered(formset.instance.pk):
            for hours in formset.deleted_objects:
                working_hours_delete(hours=hours, actor=actor)
            for hours, fields in formset.changed_objects:
                working_hours_update(
                    hours=hours, actor=actor, **{f: getattr(hours, f) for f in fields}
                )
            for hours in formset.new_objects:
                working_hours_create(
                    practitioner=formset.instance, location=hours.location,
                    weekday=hours.weekday, start_time=hours.start_time,
                    end_time=hours.end_time, actor=actor,
                )  # fmt: skip


@admin.register(Practitioner)
class PractitionerAdmin(FieldRulesAdminMixin, ServiceAdminMixin, SimpleHistoryAdmin):
    list_display = ["__str__", "licence_number", "active"]
    list_filter = ["active"]
    search_fields = ["user__first_name", "user__last_name", "licence_number"]
    list_select_related = ["user"]
    inlines = [WorkingHoursInline]

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        return ["user"] if obj else []

    def formfield_for_foreignkey(
        self, db_field: Any, request: Any, **kwargs: Any
    ) -> Any:
        if db_field.name == "user":
            kwargs["queryset"] = get_user_model().objects.filter(
                is_staff=True, is_active=True, practitioner__isnull=True
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_with_service(
        self, request: HttpRequest, original: Any, form: Any
    ) -> Practitioner:
        if original is not None:
            return practitioner_update(
                practitioner=original,
                actor=acting_user(request),
                **form.changed_values(),
            )
        data = form.cleaned_data
        return practitioner_create(
            user=data["user"], title=data["title"],
            licence_number=data["licence_number"], actor=acting_user(request),
        )  # fmt: skip

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(ScheduleException)
class ScheduleExceptionAdmin(
    FieldRulesAdminMixin, ServiceAdminMixin, SimpleHistoryAdmin
):
    list_display = [
        "practitioner",
        "kind",
        "date",
        "start_time",
        "end_time",
        "location",
    ]
    list_filter = [
        "kind",
        "practitioner",
        "location",
        ("date", admin.DateFieldListFilter),
    ]
    list_select_related = ["practitioner__user", "location"]
    fields = [
        "practitioner",
        "kind",
        "date",
        "location",
        "start_time",
        "end_time",
        "reason",
    ]

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        # The service moves an exception in time, not to another practitioner.
        return ["practitioner"] if obj else []

    def save_with_service(self, request: HttpRequest, original: Any, form: Any) -> Any:
        if original is not None:
            return schedule_exception_update(
                exception=original, actor=acting_user(request), **form.changed_values()
            )
        return schedule_exception_create(
            actor=acting_user(request), **form.cleaned_data
        )

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return request.user.has_perm("clinic.delete_scheduleexception")

    def delete_model(self, request: Any, obj: Any) -> None:
        schedule_exception_delete(exception=obj, actor=acting_user(request))

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        # All or none: ServiceAdminMixin runs "delete selected" in a transaction.
        for exception in queryset:
            schedule_exception_delete(exception=exception, actor=acting_user(request))
