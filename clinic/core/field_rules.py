"""Which roles may read a field: one declaration per app, read by the API's
serializers and by every admin page (clinic/core/admin_fields.py).

An AppConfig may declare `field_read_roles = {"ModelName": {"field": roles}}`
(patients/apps.py does for the relevant history). A field not declared there
is readable by whoever may read the record; a declared one only by users
holding one of its roles, and nobody writes a field they may not read. Read
from the app registry, so this module imports no domain app.
"""

from collections.abc import Mapping
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.constants import LOOKUP_SEP

from clinic.core.roles import roles_of


def _concrete(model: type[models.Model]) -> type[models.Model]:
    # A historical record (django-simple-history) holds its record's fields,
    # so it follows the record's rules; a proxy follows its concrete model's.
    model = getattr(model, "instance_type", model)
    return model._meta.concrete_model or model


def read_roles(model: type[models.Model]) -> Mapping[str, frozenset[str]]:
    """field name -> roles that may read it, for the fields that depend on a role."""
    model = _concrete(model)
    config = apps.get_app_config(model._meta.app_label)
    declared: Mapping[str, Mapping[str, frozenset[str]]] = getattr(
        config, "field_read_roles", {}
    )
    return declared.get(model.__name__, {})  # the model's object_name


def role_dependent_fields(model: type[models.Model]) -> list[str]:
    return sorted(read_roles(model))


def unreadable_fields(user: Any, model: type[models.Model]) -> frozenset[str]:
    """The fields of `model` this user may not read (nor write). No user, or an
    inactive or anonymous one, holds no role, so reads none of them."""
    held = roles_of(user)
    return frozenset(
        name for name, roles in read_roles(model).items() if not held & roles
    )


def unreadable_in_path(user: Any, model: type[models.Model], path: str) -> str | None:
    """The first field a lookup path names that the user may not read, as
    "app_label.Model.field", or None.

    `path` is what the admin and the ORM accept: "history_notes__icontains",
    "patient__history_notes__isnull", "-patient__history_notes", "^name".
    Relations (forward and reverse) are followed to the related model; the
    first part that is no field (a lookup or transform) ends the path.
    """
    path = path.lstrip("-?^=@")
    for part in path.split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        if field.name in unreadable_fields(user, model):
            return f"{_concrete(model)._meta.label}.{field.name}"
        if not field.is_relation or field.related_model is None:
            return None
        model = field.related_model
    return None
