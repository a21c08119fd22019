"""Administrations may name the appointment they were given in, store when
observation ends, and say which digest scheme their signature uses. The new
columns start nullable; 0004 fills them for existing rows and 0005 requires
them."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('clinic', '0005_add_idempotency_record'),
        ('patients', '0003_create_mrn_counter'),
        ('treatments', '0002_add_lots_stock_ledger_and_administrations'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='administration',
            name='appointment',
            field=models.ForeignKey(blank=True, help_text='The visit it was given in: same patient, in progress or completed.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='administrations', to='clinic.appointment'),
        ),
        migrations.AddField(
            model_name='administration',
            name='observation_ends_at',
            field=models.DateTimeField(editable=False, help_text="End of the infusion (or the dose) plus the appointment type's observation minutes (DEFAULT_OBSERVATION_MINUTES without one).", null=True),
        ),
        migrations.AddField(
            model_name='administration',
            name='signature_scheme',
            field=models.CharField(blank=True, editable=False, help_text='Which fields the digest covers (DIGEST_SCHEMES).', max_length=40),
        ),
        migrations.AddField(
            model_name='historicaladministration',
            name='appointment',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='The visit it was given in: same patient, in progress or completed.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='clinic.appointment'),
        ),
        migrations.AddField(
            model_name='historicaladministration',
            name='observation_ends_at',
            field=models.DateTimeField(editable=False, help_text="End of the infusion (or the dose) plus the appointment type's observation minutes (DEFAULT_OBSERVATION_MINUTES without one).", null=True),
        ),
        migrations.AddField(
            model_name='historicaladministration',
            name='signature_scheme',
            field=models.CharField(blank=True, editable=False, help_text='Which fields the digest covers (DIGEST_SCHEMES).', max_length=40),
        ),
    ]
