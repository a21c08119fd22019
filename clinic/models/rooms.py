from django.db import models
from simple_history.models import HistoricalRecords

from clinic.models.locations import Location


class Room(models.Model):
    """A bookable place at one location: a consult room, a procedure room or an
    infusion chair. Rooms are deactivated, never deleted (appointments keep them)."""

    class Kind(models.TextChoices):
        CONSULT_ROOM = "consult_room", "Consult room"
        PROCEDURE_ROOM = "procedure_room", "Procedure room"
        INFUSION_CHAIR = "infusion_chair", "Infusion chair"

    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="rooms"
    )
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["location_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["location", "name"], name="unique_room_name_per_location"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=["consult_room", "procedure_room", "infusion_chair"]
                ),
                name="room_kind_is_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"
