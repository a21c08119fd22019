"""Fill what 0003 added for rows recorded before it: observation ends
DEFAULT_OBSERVATION_MINUTES after the dose ended (there was no appointment),
and signed rows were signed under digest scheme /1, which does not cover the
new columns, so verify_signatures keeps passing for them. Reversing leaves the
values: 0003's reversal drops the columns."""

import datetime as dt

from django.conf import settings
from django.db import migrations

SCHEME_V1 = "treatments.administration/1"


def backfill(apps, schema_editor):
    minutes = dt.timedelta(minutes=settings.DEFAULT_OBSERVATION_MINUTES)
    for name in ("Administration", "HistoricalAdministration"):
        model = apps.get_model("treatments", name)
        rows = model.objects.filter(observation_ends_at__isnull=True)
        for row in rows.iterator():
            ended = row.infusion_ended_at or row.administered_at
            model.objects.filter(pk=row.pk).update(observation_ends_at=ended + minutes)
        model.objects.filter(signed_at__isnull=False, signature_scheme="").update(
            signature_scheme=SCHEME_V1
        )


class Migration(migrations.Migration):
    dependencies = [
        ("treatments", "0003_link_administrations_to_appointments"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
    ]
