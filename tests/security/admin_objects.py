"""One object per admin-registered model, for the admin matrix's change and
delete pages."""

from typing import Any

from django.contrib.auth.models import Group
from django.utils import timezone

from tests.factories.clinic import (
    AppointmentFactory,
    AppointmentTypeFactory,
    LocationFactory,
    PractitionerFactory,
    RoomFactory,
    ScheduleExceptionFactory,
)
from tests.factories.patients import ConsentFormFactory, SignedConsentFactory
from tests.factories.treatments import LotFactory, ProductFactory


def _api_token(users: dict[str, Any]) -> Any:
    from clinic.core.tokens import token_issue

    return token_issue(user=users["front_desk"], now=timezone.now())[0]


def _axes(model_name: str) -> Any:
    from axes import models

    common = {"username": "someone", "ip_address": "127.0.0.1", "user_agent": "x"}
    if model_name == "AccessAttempt":
        return models.AccessAttempt.objects.create(failures_since_start=1, **common)
    if model_name == "AccessLog":
        return models.AccessLog.objects.create(**common)
    return models.AccessFailureLog.objects.create(locked_out=False, **common)


def build_world_draft() -> Any:
    from tests.security.world import build_world

    return build_world().draft


def _from_world(name: str) -> Any:
    from tests.security.world import build_world

    return getattr(build_world(), name)


MAKERS = {
    "auth.Group": lambda users: Group.objects.get(name="front_desk"),
    "auth.User": lambda users: users["front_desk"],
    "axes.AccessAttempt": lambda users: _axes("AccessAttempt"),
    "axes.AccessLog": lambda users: _axes("AccessLog"),
    "axes.AccessFailureLog": lambda users: _axes("AccessFailureLog"),
    "clinic.Location": lambda users: LocationFactory(),
    "clinic.ApiToken": _api_token,
    "clinic.Appointment": lambda users: AppointmentFactory(),
    "clinic.Room": lambda users: RoomFactory(),
    "clinic.AppointmentType": lambda users: AppointmentTypeFactory(),
    "clinic.Practitioner": lambda users: PractitionerFactory(),
    "clinic.ScheduleException": lambda users: ScheduleExceptionFactory(),
    "patients.Patient": lambda users: SignedConsentFactory().patient,
    "patients.ConsentForm": lambda users: ConsentFormFactory(),
    "patients.SignedConsent": lambda users: SignedConsentFactory(),
    "treatments.Product": lambda users: ProductFactory(),
    "treatments.Lot": lambda users: LotFactory(vials=3),
    "treatments.StockMovement": lambda users: LotFactory(vials=3).movements.first(),
    "treatments.Administration": lambda users: build_world_draft(),
    "treatments.FollowUpNote": lambda users: _from_world("note"),
    "treatments.AdverseEvent": lambda users: _from_world("event"),
}


def make_object(label: str, users: dict[str, Any]) -> Any:
    return MAKERS[label](users)
