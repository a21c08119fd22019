"""Treatments migrations 0003-0005 (link administrations to appointments,
backfill observation ends and signature schemes, then require them), run for
real: back to 0002 and forward again over recorded rows."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories.users import DEFAULT_PASSWORD
from treatments.services import administration_sign

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_LINK = ("treatments", "0002_add_lots_stock_ledger_and_administrations")


def _migrate(target: list[tuple[str, str]]):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return MigrationExecutor(connection).loader.project_state(target).apps


def _latest() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    return [key for key in executor.loader.graph.leaf_nodes() if key[0] == "treatments"]


def test_rows_recorded_before_the_link_are_backfilled(record, clinician):
    latest = _latest()
    draft = record()
    signed = administration_sign(
        administration=record(),
        actor=clinician,
        password=DEFAULT_PASSWORD,
        meaning="performed",
    )

    old = _migrate([BEFORE_LINK])
    Administration = old.get_model("treatments", "Administration")
    assert {f.name for f in Administration._meta.fields}.isdisjoint(
        {"appointment", "observation_ends_at", "signature_scheme"}
    )
    assert Administration.objects.count() == 2

    new = _migrate(latest)
    rows = {
        row.pk: row
        for row in new.get_model("treatments", "Administration").objects.all()
    }
    for row in rows.values():
        ended = row.infusion_ended_at or row.administered_at
        assert row.observation_ends_at == ended + dt.timedelta(minutes=30)
        assert row.appointment_id is None
    assert rows[draft.pk].signature_scheme == ""
    assert rows[signed.pk].signature_scheme == "treatments.administration/1"
    history = new.get_model("treatments", "HistoricalAdministration").objects
    assert not history.filter(observation_ends_at__isnull=True).exists()
