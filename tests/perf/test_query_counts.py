"""Query-count gates: every GET endpoint of the API answers in the same number
of queries whatever the amount of data (issue 8).

The data is the small tier of `seed_scale` (every table has rows), plus a few
rows a case adds. A list is read with page size 1 and page size 50 (many
rows); a detail (and its history, and its sub-lists) for a record with little
related data and one with more. The endpoints come from the URLconf: a new
GET route without a case here fails `test_every_get_endpoint_has_a_case`.

To add an endpoint: one entry in CASES, keyed
by the route name, giving the two URLs to compare.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from clinic.models import (
    Appointment,
    AppointmentType,
    Location,
    Practitioner,
    Room,
    ScheduleException,
    WorkingHours,
)
from patients.models import ConsentForm, Patient, SignedConsent
from tests.factories.clinic import LocationFactory, ScheduleExceptionFactory
from tests.factories.patients import ConsentFormFactory
from tests.factories.treatments import AdverseEventFactory, FollowUpNoteFactory
from treatments.models import (
    Administration,
    AdverseEvent,
    FollowUpNote,
    Lot,
    Product,
)
from treatments.scale import seed_scale

# Route names (namespace v1) with no GET to gate, and why.
NOT_GATED = {
    "auth-token": "POST/DELETE only: obtains or revokes a token",
}

Urls = tuple[str, str]


@pytest.fixture
def scale_data(db) -> None:
    seed_scale(
        patients=60,
        say=lambda _text: None,
        write=lambda _text: None,
        today=timezone.localdate(),
    )


def _pages(name: str, **query: Any) -> Callable[[], Urls]:
    def urls() -> Urls:
        base = reverse(f"v1:{name}")
        extra = "".join(f"&{k}={v}" for k, v in query.items())
        return f"{base}?page_size=1{extra}", f"{base}?page_size=50{extra}"

    return urls


def _touch(record: Any, times: int) -> None:
    """History rows: save the record `times` times."""
    for _ in range(times):
        record.save()


def _details(
    name: str,
    model: type,
    lookup: str = "pk",
    more: Callable[[Any], None] | None = None,
) -> Callable[[], Urls]:
    """The detail (or a detail action) of two records of `model`; `more`
    gives the second one more related data (history, by default)."""

    def urls() -> Urls:
        first, second = model.objects.order_by("pk")[:2]
        (more or (lambda record: _touch(record, 4)))(second)
        _touch(first, 1)
        key = "public_id" if lookup == "public_id" else "pk"
        return tuple(
            reverse(f"v1:{name}", kwargs={key: getattr(record, lookup)})
            for record in (first, second)
        )

    return urls


def _more_locations() -> Callable[[], Urls]:
    def urls() -> Urls:
        LocationFactory.create_batch(3)
        return _pages("location-list")()

    return urls


def _two_locations(name: str) -> Callable[[], Urls]:
    def urls() -> Urls:
        LocationFactory()
        return _details(name, Location)()

    return urls


def _more_exceptions() -> Callable[[], Urls]:
    def urls() -> Urls:
        for practitioner in Practitioner.objects.all()[:4]:
            ScheduleExceptionFactory(practitioner=practitioner)
        return _pages("schedule-exception-list")()

    return urls


def _more_forms() -> Callable[[], Urls]:
    def urls() -> Urls:
        products = list(Product.objects.all())
        ConsentFormFactory(covered_products=products[:1])
        ConsentFormFactory(covered_products=products)
        return _pages("consent-form-list")()

    return urls


def _form_with_products(form: ConsentForm) -> None:
    form.covered_products.set(Product.objects.all())


def _two_forms(name: str) -> Callable[[], Urls]:
    def urls() -> Urls:
        ConsentFormFactory(covered_products=list(Product.objects.all()[:1]))
        return _details(name, ConsentForm, more=_form_with_products)()

    return urls


def _two_exceptions(name: str) -> Callable[[], Urls]:
    def urls() -> Urls:
        for practitioner in Practitioner.objects.all()[:2]:
            ScheduleExceptionFactory(practitioner=practitioner)
        return _details(name, ScheduleException)()

    return urls


def _lots(action: str) -> Callable[[], Urls]:
    """A lot action for the lot that gave the fewest doses and the most."""

    def urls() -> Urls:
        by_use = sorted(Lot.objects.all(), key=lambda lot: lot.administrations.count())
        return tuple(
            reverse(f"v1:lot-{action}", kwargs={"pk": lot.pk})
            + ("?page_size=50" if action in ("recipients", "stock") else "")
            for lot in (by_use[0], by_use[-1])
        )

    return urls


def _availability(days_small: int, days_large: int) -> Callable[[], Urls]:
    def urls() -> Urls:
        kind = AppointmentType.objects.get(name="Consultation")
        first = timezone.localdate() + dt.timedelta(days=1)
        base = reverse("v1:availability")
        return tuple(
            f"{base}?type={kind.pk}&from={first}&to={first + dt.timedelta(days=n)}"
            for n in (days_small, days_large)
        )

    return urls


def _more_events() -> Callable[[], Urls]:
    """Adverse events on a few doses, serious ones among them (the scale data
    has none)."""

    def urls() -> Urls:
        for n, dose in enumerate(Administration.objects.order_by("pk")[:6]):
            AdverseEventFactory(
                administration=dose,
                **({"serious": True, "hospitalisation": True} if n % 2 else {}),
            )
        return _pages("adverse-event-list")()

    return urls


def _two_events(name: str) -> Callable[[], Urls]:
    def urls() -> Urls:
        for dose in Administration.objects.order_by("pk")[:2]:
            AdverseEventFactory(administration=dose)
        return _details(name, AdverseEvent, lookup="public_id")()

    return urls


def _more_course(patient: Patient) -> None:
    """A second dose's worth of notes and an event on the patient's course."""
    for dose in patient.administrations.all():
        FollowUpNoteFactory(administration=dose)
        AdverseEventFactory(administration=dose)


def _outcomes() -> Callable[[], Urls]:
    def urls() -> Urls:
        by_doses = sorted(
            Patient.objects.all(), key=lambda p: p.administrations.count()
        )
        _more_course(by_doses[-1])
        return tuple(
            reverse("v1:patient-outcomes", kwargs={"public_id": p.public_id})
            for p in (by_doses[0], by_doses[-1])
        )

    return urls


# route name -> the two URLs to compare (built after the scale data exists).
CASES: dict[str, Callable[[], Urls]] = {
    "location-list": _more_locations(),
    "location-detail": _two_locations("location-detail"),
    "location-history": _two_locations("location-history"),
    "room-list": _pages("room-list"),
    "room-detail": _details("room-detail", Room),
    "room-history": _details("room-history", Room),
    "practitioner-list": _pages("practitioner-list"),
    "practitioner-detail": _details("practitioner-detail", Practitioner),
    "practitioner-history": _details("practitioner-history", Practitioner),
    "appointment-type-list": _pages("appointment-type-list"),
    "appointment-type-detail": _details("appointment-type-detail", AppointmentType),
    "appointment-type-history": _details("appointment-type-history", AppointmentType),
    "working-hours-list": _pages("working-hours-list"),
    "working-hours-detail": _details("working-hours-detail", WorkingHours),
    "working-hours-history": _details("working-hours-history", WorkingHours),
    "schedule-exception-list": _more_exceptions(),
    "schedule-exception-detail": _two_exceptions("schedule-exception-detail"),
    "schedule-exception-history": _two_exceptions("schedule-exception-history"),
    "appointment-list": _pages("appointment-list"),
    "appointment-detail": _details(
        "appointment-detail", Appointment, lookup="public_id"
    ),
    "appointment-history": _details(
        "appointment-history", Appointment, lookup="public_id"
    ),
    # Availability: constant in the number of days searched.
    "availability": _availability(0, 13),
    "patient-list": _pages("patient-list", search="a"),
    "patient-detail": _details("patient-detail", Patient, lookup="public_id"),
    "patient-history": _details("patient-history", Patient, lookup="public_id"),
    "consent-form-list": _more_forms(),
    "consent-form-detail": _two_forms("consent-form-detail"),
    "consent-form-history": _two_forms("consent-form-history"),
    "consent-list": _pages("consent-list"),
    "consent-detail": _details("consent-detail", SignedConsent, lookup="public_id"),
    "consent-history": _details("consent-history", SignedConsent, lookup="public_id"),
    "product-list": _pages("product-list"),
    "product-detail": _details("product-detail", Product),
    "product-history": _details("product-history", Product),
    "lot-list": _pages("lot-list"),
    "lot-detail": _lots("detail"),
    "lot-history": _lots("history"),
    "lot-recipients": _lots("recipients"),
    "lot-stock": _lots("stock"),
    "administration-list": _pages("administration-list"),
    "administration-detail": _details(
        "administration-detail", Administration, lookup="public_id"
    ),
    "administration-history": _details(
        "administration-history", Administration, lookup="public_id"
    ),
    "follow-up-list": _pages("follow-up-list"),
    "follow-up-detail": _details("follow-up-detail", FollowUpNote, lookup="public_id"),
    "follow-up-history": _details(
        "follow-up-history", FollowUpNote, lookup="public_id"
    ),
    "adverse-event-list": _more_events(),
    "adverse-event-detail": _two_events("adverse-event-detail"),
    "adverse-event-history": _two_events("adverse-event-history"),
    "patient-outcomes": _outcomes(),
}


def _get_routes(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    """Names of the API's routes that answer GET (format-suffix twins share
    their route's name)."""
    resolver = resolver or get_resolver()
    names: set[str] = set()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= _get_routes(entry, inner)
        elif (
            isinstance(entry, URLPattern)
            and namespace == "v1:"
            and entry.name
            and entry.name not in NOT_GATED
            and _answers_get(entry.callback)
        ):
            names.add(entry.name)
    return names


def _answers_get(callback: Any) -> bool:
    actions = getattr(callback, "actions", None)
    if actions is not None:
        return "get" in actions
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    return view_class is not None and hasattr(view_class, "get")


def test_every_get_endpoint_has_a_case():
    routes = _get_routes()
    assert routes, "no API routes found"
    assert sorted(routes - set(CASES)) == [], "GET endpoints without a query gate"
    assert sorted(set(CASES) - routes) == [], "cases for routes that do not exist"


def _count(client: Any, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, len(queries.captured_queries)


@pytest.mark.parametrize("route", sorted(CASES))
def test_queries_do_not_grow_with_data(route, scale_data, manager_client):
    small_url, large_url = CASES[route]()
    manager_client.get(small_url)  # the first request reads the user's roles
    small_status, small = _count(manager_client, small_url)
    large_status, large = _count(manager_client, large_url)
    assert (small_status, large_status) == (200, 200)
    assert small == large, (
        f"{route}: {small} queries for {small_url}, {large} for {large_url}"
    )


def test_the_large_side_really_holds_more(scale_data, manager_client):
    """The gates compare something: the page-size-50 lists hold many rows."""
    _small, large = CASES["appointment-list"]()
    assert len(manager_client.get(large).json()["results"]) == 50


def test_token_authentication_and_roles_cost_one_query(scale_data, client):
    """A token request reads token, user and groups in one query (the role
    check after it reads nothing)."""
    from django.contrib.auth import get_user_model

    from clinic.core.tokens import token_issue

    user = get_user_model().objects.get(username="scale.manager")
    _token, key = token_issue(user=user, now=timezone.now())
    location = Location.objects.first()
    url = reverse("v1:location-detail", kwargs={"pk": location.pk})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert len(queries.captured_queries) == 2  # token+user+groups, the location
