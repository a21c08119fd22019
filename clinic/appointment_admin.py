"""Admin of appointments: booking and moving through the booking service
(once, while the page is validated: clinic.core.admin_services), status changes as
admin actions through the status services."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from clinic import slots
from clinic.core.admin_fields import FieldRulesAdminMixin
from clinic.core.admin_services import ServiceAdminMixin, reason_action
from clinic.core.audit import NoDeleteAdminMixin
from clinic.core.errors import DomainError
from clinic.core.roles import Role, has_role
from clinic.core.users import acting_user
from clinic.models import (
    Appointment,
    AppointmentStatusChange,
)
from clinic.services import appointment_status as status_services
from clinic.services.appointments import appointment_book, appointment_move


class StatusChangeInline(admin.TabularInline):
    model = AppointmentStatusChange
    fields = readonly_fields = ("at", "from_status", "to_status", "by", "reason")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


_BOOKING_FIELDS = {"starts_at", "ends_at", "practitioner", "room", "type"}
_TIMES = ("starts_at", "ends_at")


class LocalTimesForm(forms.ModelForm):
    """Appointment times are typed and shown as wall-clock times at the room's
    location, whatever the server's TIME_ZONE (a Denver room's 09:00 is 09:00
    in Denver)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            tz = self.instance.room.location.tz
            for name in _TIMES:
                # Naive values are shown as they are, not converted again.
                local = getattr(self.instance, name).astimezone(tz)
                self.initial[name] = local.replace(tzinfo=None)
        for name in _TIMES:
            if name in self.fields:
                self.fields[name].help_text = "Local time at the room's location." + (
                    " Empty: the type's duration." if name == "ends_at" else ""
                )

    def clean(self) -> dict[str, Any]:
        super().clean()
        # A ModelForm's clean() returns cleaned_data; django-stubs allows None.
        cleaned = self.cleaned_data
        room = cleaned.get("room") or getattr(self.instance, "room", None)
        if room is None:
            return cleaned
        server_tz = timezone.get_current_timezone()
        for name in _TIMES:
            value = cleaned.get(name)
            if value is not None:
                wall = value.astimezone(server_tz)
                cleaned[name] = slots.local_instant(
                    wall.date(), wall.time(), room.location.tz
                )
        return cleaned


def _local_start(appointment: Appointment) -> str:
    local = appointment.starts_at.astimezone(appointment.room.location.tz)
    return f"{local:%a %Y-%m-%d %H:%M %Z}"


@admin.register(Appointment)
class AppointmentAdmin(
    FieldRulesAdminMixin, ServiceAdminMixin, NoDeleteAdminMixin, SimpleHistoryAdmin
):
    list_display = ["local_start", "patient", "practitioner", "room", "type", "status"]
    list_filter = [
        ("starts_at", admin.DateFieldListFilter),
        ("room__location", admin.RelatedFieldListFilter),
        "practitioner",
        "room",
        "status",
    ]
    date_hierarchy = "starts_at"
    search_fields = ["patient__mrn", "patient__family_name", "public_id"]
    list_select_related = ["patient", "practitioner__user", "room__location", "type"]
    raw_id_fields = ["patient"]
    inlines = [StatusChangeInline]
    actions = [
        "check_in",
        "start",
        "complete",
        "mark_no_show",
        reason_action(
            "Cancel appointments",
            lambda request, appointment, reason: status_services.appointment_cancel(
                appointment=appointment, actor=acting_user(request), reason=reason
            ),
            permission="front_desk",
            name="cancel",
            describe=lambda a: f"{_local_start(a)} {a.type}, {a.patient}",
        ),
    ]

    @admin.display(description="starts (local time)", ordering="starts_at")
    def local_start(self, obj: Appointment) -> str:
        return _local_start(obj)

    def get_fields(self, request: Any, obj: Any = None) -> list[Any]:
        booking = ["practitioner", "room", "type", "starts_at", "ends_at", "notes",
                   "override_reason"]  # fmt: skip
        if obj is None:
            return ["patient", *booking]
        return ["public_id", "patient", "status", *booking, "blocks_until",
                "cancellation_reason", "created_by", "created_at"]  # fmt: skip

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return ["public_id", "patient", "status", "blocks_until", "cancellation_reason",
                "created_by", "created_at"]  # fmt: skip

    form = LocalTimesForm

    def get_form(
        self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        if "ends_at" in form.base_fields:
            form.base_fields["ends_at"].required = False
        return form

    def save_with_service(
        self, request: HttpRequest, original: Any, form: Any
    ) -> Appointment:
        data = form.cleaned_data
        if original is None:
            return appointment_book(
                patient=data["patient"], practitioner=data["practitioner"],
                room=data["room"], type=data["type"], starts_at=data["starts_at"],
                ends_at=data.get("ends_at"), notes=data.get("notes", ""),
                override_reason=data.get("override_reason", ""),
                actor=acting_user(request),
            )  # fmt: skip
        changes = form.changed_values()
        if changes.get("ends_at", True) is None:
            del changes["ends_at"]  # left empty: keep the duration
        if changes.keys() & _BOOKING_FIELDS and has_role(request.user, Role.MANAGER):
            # The form shows the current reason; a manager keeping it gives it again.
            changes["override_reason"] = data.get("override_reason", "")
        return appointment_move(
            appointment=original, actor=acting_user(request), **changes
        )

    def has_front_desk_permission(self, request: Any) -> bool:
        return has_role(request.user, Role.FRONT_DESK)

    def has_clinician_permission(self, request: Any) -> bool:
        return has_role(request.user, Role.CLINICIAN)

    def _change_status(
        self, request: Any, queryset: Any, service: Callable[..., Any]
    ) -> None:
        done = 0
        for appointment in queryset:
            try:
                service(appointment=appointment, actor=acting_user(request))
                done += 1
            except DomainError as refused:
                self.message_user(
                    request, f"{appointment}: {refused.detail}", messages.ERROR
                )
        if done:
            self.message_user(
                request, f"{done} appointment(s) changed.", messages.SUCCESS
            )

    @admin.action(description="Check in", permissions=["front_desk"])
    def check_in(self, request: Any, queryset: Any) -> None:
        self._change_status(request, queryset, status_services.appointment_check_in)

    @admin.action(description="Start", permissions=["clinician"])
    def start(self, request: Any, queryset: Any) -> None:
        self._change_status(request, queryset, status_services.appointment_start)

    @admin.action(description="Complete", permissions=["clinician"])
    def complete(self, request: Any, queryset: Any) -> None:
        self._change_status(request, queryset, status_services.appointment_complete)

    @admin.action(description="Mark no-show", permissions=["front_desk"])
    def mark_no_show(self, request: Any, queryset: Any) -> None:
        self._change_status(request, queryset, status_services.appointment_mark_no_show)
