from typing import Any

from django.db import transaction

from clinic.core.audit import audited_save
from clinic.core.users import User
from clinic.models import Location, Room
from clinic.services.editing import apply_changes


@transaction.atomic
def room_create(*, location: Location, name: str, kind: str, actor: User) -> Room:
    """Create a room; raises ValidationError on an unknown kind or a name taken
    at that location."""
    room = Room(location=location, name=name, kind=kind)
    room.full_clean()
    audited_save(room, actor=actor)
    return room


@transaction.atomic
def room_update(*, room: Room, actor: User, **changes: Any) -> Room:
    """Rename, re-kind or (de)activate a room. Existing appointments keep it;
    an inactive room takes no new bookings. Raises ValidationError."""
    apply_changes(room, changes, allowed={"name", "kind", "active"})
    room.full_clean()
    audited_save(room, actor=actor)
    return room
