from typing import Any

from django.db import transaction

from clinic.core.audit import audited_save
from clinic.core.users import User
from clinic.models import Location


@transaction.atomic
def location_create(
    *, name: str, time_zone: str, address: str = "", actor: User
) -> Location:
    """Create a location; raises ValidationError on a bad time zone or a taken name."""
    location = Location(name=name, time_zone=time_zone, address=address)
    location.full_clean()
    audited_save(location, actor=actor)
    return location


@transaction.atomic
def location_update(*, location: Location, actor: User, **changes: Any) -> Location:
    """Apply `changes` (name, time_zone, address, active) after validating them."""
    allowed = {"name", "time_zone", "address", "active"}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"location_update() got unexpected fields {sorted(unknown)}")
    for field, value in changes.items():
        setattr(location, field, value)
    location.full_clean()
    audited_save(location, actor=actor)
    return location
