"""Treatments at the ends of the calendar: a follow-up note, a stock
movement, a lot, an administration or an adverse event dated outside
1800-01-01..2200-12-31 is refused (400 `date_out_of_range` naming the field,
a form error in the admin, a ValidationError from the service) and nothing is
written; at the edges inside the range nothing overflows."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clinic.core.codes import Indication, Route
from clinic.core.dates import DATE_OUT_OF_RANGE
from tests.clinic.test_date_range import assert_out_of_range
from treatments.models import (
    Administration,
    AdverseEvent,
    FollowUpNote,
    Lot,
    StockMovement,
)
from treatments.services import (
    administration_update,
    adverse_event_record,
    follow_up_record,
    lot_create,
    stock_move,
)

EAST = dt.timezone(dt.timedelta(hours=23, minutes=59))
WEST = dt.timezone(-dt.timedelta(hours=23, minutes=59))
YEAR_1_EAST = dt.datetime(1, 1, 1, tzinfo=EAST)  # has no UTC


def _counts():
    return (
        Administration.objects.count(),
        FollowUpNote.objects.count(),
        AdverseEvent.objects.count(),
        Lot.objects.count(),
        StockMovement.objects.count(),
        StockMovement.history.count(),
    )


def _lot_fields(product, **overrides):
    return {
        "product": product.pk,
        "lot_number": "PX-2611-03",
        "supplier_code": "W4219 26 000117 A0",
        "manufactured_on": "2026-01-01",
        "expires_on": "2027-01-01",
        "received_on": "2026-01-02",
        "particles_per_ml": 1_000_000_000,
        "modal_size_nm": "98.5",
        "vial_volume_ml": "3.00",
        "coa_reference": "COA/PX/2611/03",
    } | overrides


# Request bodies ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (
            lambda s: ("/api/v1/follow-ups/", s.note | {"noted_at": s.value}),
            "noted_at",
        ),
        (
            lambda s: (
                f"/api/v1/lots/{s.lot.pk}/stock/",
                {"kind": "received", "vials": 2, "at": s.value},
            ),
            "at",
        ),
        (
            lambda s: (
                "/api/v1/administrations/",
                s.dose | {"administered_at": s.value},
            ),
            "administered_at",
        ),
        (
            lambda s: ("/api/v1/adverse-events/", s.event | {"onset_at": s.value}),
            "onset_at",
        ),
    ],
    ids=["follow-up", "stock", "administration", "adverse-event"],
)
@pytest.mark.parametrize(
    "value",
    ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00+23:59", "1799-12-31T23:59:59Z"],
)
def test_date_times_outside_the_range_are_refused(
    manager_client, clinician_client, lot, patient, administration, build, field, value
):
    scene = SimpleNamespace(value=value, lot=lot)
    scene.note = {"patient": str(patient.public_id), "contact_kind": "phone"}
    scene.dose = {
        "patient": str(patient.public_id),
        "lot": lot.pk,
        "route": Route.INTRANASAL,
        "indication": Indication.TISSUE_REPAIR,
        "dose_volume_ml": "1.50",
        "vials_used": 1,
    }
    scene.event = {
        "administration": str(administration.public_id),
        "aware_on": timezone.localdate().isoformat(),
        "description": "Hives.",
        "grade": 1,
        "outcome": "recovering",
        "relatedness": "related",
    }
    url, body = build(scene)
    client = manager_client if "stock" in url else clinician_client
    before = _counts()
    response = client.post(url, body, format="json")
    assert_out_of_range(response, field)
    assert _counts() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("expires_on", "9999-12-31"),
        ("expires_on", "2201-01-01"),
        ("manufactured_on", "0001-01-01"),
        ("received_on", "1799-12-31"),
    ],
)
def test_lot_dates_outside_the_range_are_refused(manager_client, lot, field, value):
    before = _counts()
    response = manager_client.post(
        "/api/v1/lots/", _lot_fields(lot.product, **{field: value}), format="json"
    )
    assert_out_of_range(response, field)
    assert _counts() == before


def test_a_lot_expiring_on_the_last_day_is_registered(manager_client, lot):
    response = manager_client.post(
        "/api/v1/lots/",
        _lot_fields(lot.product, expires_on="2200-12-31"),
        format="json",
    )
    assert response.status_code == 201, response.json()


# The admin ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "form", "field"),
    [
        ("lot_add", {"expires_on": "9999-12-31"}, "expires_on"),
        ("lot_add", {"manufactured_on": "0001-01-01"}, "manufactured_on"),
        (
            "stockmovement_add",
            {"kind": "received", "vials": "2", "at_0": "0001-01-01", "at_1": "00:00"},
            "at",
        ),
    ],
)
def test_the_treatments_admin_shows_a_form_error(
    client, manager, lot, page, form, field
):
    client.force_login(manager)
    fields = _lot_fields(lot.product, lot_number="PX-ADMIN") | {
        "lot": lot.pk,
        "reason": "",
        "witness": "",
        "movements-TOTAL_FORMS": "0",
        "movements-INITIAL_FORMS": "0",
    }
    before = _counts()
    response = client.post(reverse(f"admin:treatments_{page}"), fields | form)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "1800-01-01 and 2200-12-31" in errors[field][0]
    assert _counts() == before


# The services ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (
            lambda s: follow_up_record(
                patient=s.patient,
                noted_at=dt.datetime(1, 1, 1, tzinfo=dt.UTC),
                contact_kind="phone",
                actor=s.clinician,
            ),
            "noted_at",
        ),
        (
            lambda s: stock_move(
                lot=s.lot,
                kind="received",
                vials=2,
                at=dt.datetime(1, 1, 1, tzinfo=dt.UTC),
                actor=s.clinician,
            ),
            "at",
        ),
        (lambda s: s.record(administered_at=YEAR_1_EAST), "administered_at"),
        (
            lambda s: s.record(
                route=Route.INTRAVENOUS,
                infusion_started_at=timezone.now() - dt.timedelta(hours=2),
                infusion_ended_at=dt.datetime(9999, 12, 31, 23, 59, tzinfo=WEST),
            ),
            "infusion_ended_at",
        ),
        (
            lambda s: administration_update(
                administration=s.iv_draft,
                actor=s.clinician,
                changes={
                    "infusion_ended_at": dt.datetime(
                        9999, 12, 31, 23, 59, tzinfo=dt.UTC
                    )
                },
            ),
            "infusion_ended_at",
        ),
        (
            lambda s: adverse_event_record(
                administration=s.administration,
                onset_at=YEAR_1_EAST,
                aware_on=timezone.localdate(),
                description="Hives.",
                grade=1,
                outcome="recovering",
                relatedness="related",
                actor=s.clinician,
            ),
            "onset_at",
        ),
        (
            lambda s: lot_create(
                **(
                    _lot_fields(s.lot.product, expires_on=dt.date(9999, 12, 31))
                    | {
                        "product": s.lot.product,
                        "manufactured_on": dt.date(2026, 1, 1),
                        "received_on": dt.date(2026, 1, 2),
                        "modal_size_nm": Decimal("98.5"),
                        "vial_volume_ml": Decimal("3.00"),
                    }
                ),
                actor=s.clinician,
            ),
            "expires_on",
        ),
    ],
    ids=[
        "follow-up",
        "stock",
        "administration",
        "infusion-end",
        "draft-edit",
        "adverse-event",
        "lot",
    ],
)
def test_services_refuse_dates_outside_the_range_writing_nothing(
    record, patient, lot, clinician, administration, call, field
):
    scene = SimpleNamespace(
        record=record,
        patient=patient,
        lot=lot,
        clinician=clinician,
        administration=administration,
    )
    scene.iv_draft = record(
        route=Route.INTRAVENOUS,
        infusion_started_at=timezone.now() - dt.timedelta(hours=2),
        infusion_ended_at=timezone.now() - dt.timedelta(hours=1),
    )
    before = _counts()
    with pytest.raises(ValidationError) as refused:
        call(scene)
    assert refused.value.error_dict[field][0].code == DATE_OUT_OF_RANGE
    assert _counts() == before


def test_an_infusion_ending_at_the_last_instant_moves_the_observation_end(
    record, clinician
):
    """The observation end is the infusion end plus the observation minutes:
    at 2200-12-31 23:59 -23:59 (2201-01-01 in UTC) it is worked out, not an
    overflow."""
    draft = record(
        route=Route.INTRAVENOUS,
        infusion_started_at=timezone.now() - dt.timedelta(hours=2),
        infusion_ended_at=timezone.now() - dt.timedelta(hours=1),
    )
    # In UTC, as the API hands it over (PostgreSQL refuses a raw -23:59).
    last = dt.datetime(2200, 12, 31, 23, 59, tzinfo=WEST).astimezone(dt.UTC)
    edited = administration_update(
        administration=draft, actor=clinician, changes={"infusion_ended_at": last}
    )
    moved = last - draft.infusion_ended_at
    assert edited.observation_ends_at == draft.observation_ends_at + moved
