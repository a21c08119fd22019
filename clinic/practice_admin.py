"""Admin of the clinic's set-up: rooms, appointment types, practitioners
with their weekly hours, schedule exceptions."""

import copy
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import transaction

from clinic.admin_checks import ServiceAdmin, changes_of, check_by_dry_run, checked_form
from clinic.admin_fields import FieldRulesAdminMixin
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
class RoomAdmin(FieldRulesAdminMixin, ServiceAdmin):
    list_display = ["name", "kind", "location", "active"]
    list_filter = ["location", "kind", "active"]
    search_fields = ["name"]
    editable = {"name", "kind", "active"}

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        return ["location"] if obj else []

    def create(self, request: Any, data: dict[str, Any]) -> Room:
        return room_create(
            location=data["location"], name=data["name"], kind=data["kind"],
            actor=request.user,
        )  # fmt: skip

    def update(self, request: Any, obj: Any, changes: dict[str, Any]) -> Room:
        return room_update(room=obj, actor=request.user, **changes)


@admin.register(AppointmentType)
class AppointmentTypeAdmin(FieldRulesAdminMixin, ServiceAdmin):
    list_display = [
        "name", "default_duration_minutes", "room_kind", "buffer_after_minutes",
        "observation_minutes", "max_parallel", "active",
    ]  # fmt: skip
    list_filter = ["room_kind", "active"]
    editable = {
        "name", "default_duration_minutes", "room_kind", "buffer_after_minutes",
        "observation_minutes", "max_parallel", "active",
    }  # fmt: skip

    def create(self, request: Any, data: dict[str, Any]) -> AppointmentType:
        return appointment_type_create(actor=request.user, **data)

    def update(self, request: Any, obj: Any, changes: dict[str, Any]) -> Any:
        return appointment_type_update(
            appointment_type=obj, actor=request.user, **changes
        )


class WorkingHoursFormSet(forms.BaseInlineFormSet):
    actor: Any = None

    def clean(self) -> None:
        super().clean()
        if not any(self.errors):
            check_by_dry_run(self, lambda: save_hours(self, actor=self.actor))


def save_hours(formset: Any, *, actor: Any) -> None:
    """The inline's rows, deletions first so a block can be moved into a gap;
    booked patients are checked once, against the whole set of changes."""
    formset.save(commit=False)
    with transaction.atomic(), bookings_kept_covered(formset.instance.pk):
        for hours in formset.deleted_objects:
            # A copy: delete() clears the pk, and the check's dry run must leave
            # the form's instance deletable by the real save.
            working_hours_delete(hours=copy.copy(hours), actor=actor)
        for hours, fields in formset.changed_objects:
            working_hours_update(
                hours=hours, actor=actor, **{f: getattr(hours, f) for f in fields}
            )
        for hours in formset.new_objects:
            working_hours_create(
                practitioner=hours.practitioner, location=hours.location,
                weekday=hours.weekday, start_time=hours.start_time,
                end_time=hours.end_time, actor=actor,
            )  # fmt: skip


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    formset = WorkingHoursFormSet
    extra = 0
    fields = ["location", "weekday", "start_time", "end_time"]

    def get_formset(self, request: Any, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        return type("BoundWorkingHoursFormSet", (formset,), {"actor": request.user})


@admin.register(Practitioner)
class PractitionerAdmin(FieldRulesAdminMixin, ServiceAdmin):
    list_display = ["__str__", "licence_number", "active"]
    list_filter = ["active"]
    search_fields = ["user__first_name", "user__last_name", "licence_number"]
    list_select_related = ["user"]
    inlines = [WorkingHoursInline]
    editable = {"title", "licence_number", "active"}

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

    def create(self, request: Any, data: dict[str, Any]) -> Practitioner:
        return practitioner_create(
            user=data["user"], title=data["title"],
            licence_number=data["licence_number"], actor=request.user,
        )  # fmt: skip

    def update(self, request: Any, obj: Any, changes: dict[str, Any]) -> Any:
        return practitioner_update(practitioner=obj, actor=request.user, **changes)

    def save_formset(self, request: Any, form: Any, formset: Any, change: bool) -> None:
        if formset.model is WorkingHours:
            save_hours(formset, actor=request.user)
        else:
            super().save_formset(request, form, formset, change)


_EXCEPTION_FIELDS = {"location", "date", "kind", "start_time", "end_time", "reason"}


@admin.register(ScheduleException)
class ScheduleExceptionAdmin(FieldRulesAdminMixin, ServiceAdmin):
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
    editable = _EXCEPTION_FIELDS

    def get_form(self, request: Any, obj: Any = None, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, **kwargs)
        return checked_form(form, lambda bound: self.write(request, obj, bound))

    def write(self, request: Any, obj: Any, form: Any) -> Any:
        if obj is None:
            return self.create(request, dict(form.cleaned_data))
        return self.update(request, obj, changes_of(form, self.editable))

    def create(self, request: Any, data: dict[str, Any]) -> Any:
        return schedule_exception_create(actor=request.user, **data)

    def update(self, request: Any, obj: Any, changes: dict[str, Any]) -> Any:
        return schedule_exception_update(exception=obj, actor=request.user, **changes)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return request.user.has_perm("clinic.delete_scheduleexception")

    def delete_model(self, request: Any, obj: Any) -> None:
        schedule_exception_delete(exception=obj, actor=request.user)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for exception in queryset:
            schedule_exception_delete(exception=exception, actor=request.user)
