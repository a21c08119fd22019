"""A naive availability search, kept only to show what the real one saves:
it asks the database about every 15-minute start and every room, one query
at a time (no leave, extra hours or parallel limits: it is the straw man of
the "per-slot" design). Served by the bench URLconf only."""

import datetime as dt

from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from clinic.models import Appointment, AppointmentType, Room, WorkingHours

STEP = dt.timedelta(minutes=15)


def naive_availability(request: HttpRequest) -> JsonResponse:
    kind = AppointmentType.objects.get(pk=request.GET["type"])
    first = dt.date.fromisoformat(request.GET["from"])
    last = dt.date.fromisoformat(request.GET["to"])
    location = request.GET.get("location")
    practitioner = request.GET.get("practitioner")
    now = timezone.now()
    held = kind.default_duration + kind.buffer_after
    found = []
    day = first
    while day <= last:
        hours = WorkingHours.objects.filter(
            weekday=day.weekday(), practitioner__active=True
        ).select_related("location")
        if location:
            hours = hours.filter(location=location)
        if practitioner:
            hours = hours.filter(practitioner=practitioner)
        for block in hours:
            tz = block.location.tz
            start = dt.datetime.combine(day, block.start_time, tzinfo=tz)
            end = dt.datetime.combine(day, block.end_time, tzinfo=tz)
            while start + held <= end:
                if start >= now and not _busy(
                    start, held, practitioner=block.practitioner_id
                ):
                    rooms = Room.objects.filter(
                        location=block.location_id, kind=kind.room_kind, active=True
                    )
                    free = [r.pk for r in rooms if not _busy(start, held, room=r.pk)]
                    if free:
                        found.append(
                            {
                                "starts_at": start.isoformat(),
                                "practitioner": block.practitioner_id,
                                "rooms": free,
                            }
                        )
                start += STEP
        day += dt.timedelta(days=1)
    return JsonResponse({"slots": found})


def _busy(start: dt.datetime, held: dt.timedelta, **who: int) -> bool:
    return (
        Appointment.objects.active()
        .blocking(start, start + held)
        .filter(**who)
        .exists()
    )
