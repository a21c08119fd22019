"""Every administration now has an observation end, never before the dose,
and a signature names its digest scheme."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("treatments", "0004_backfill_observation_ends_and_signature_schemes"),
    ]

    operations = [
        migrations.AlterField(
            model_name='administration',
            name='observation_ends_at',
            field=models.DateTimeField(editable=False, help_text="End of the infusion (or the dose) plus the appointment type's observation minutes (DEFAULT_OBSERVATION_MINUTES without one)."),
        ),
        migrations.AlterField(
            model_name='historicaladministration',
            name='observation_ends_at',
            field=models.DateTimeField(editable=False, help_text="End of the infusion (or the dose) plus the appointment type's observation minutes (DEFAULT_OBSERVATION_MINUTES without one)."),
        ),
        migrations.AddConstraint(
            model_name='administration',
            constraint=models.CheckConstraint(condition=models.Q(('observation_ends_at__gte', models.F('administered_at'))), name='administration_observation_ends_after_dose'),
        ),
        migrations.RemoveConstraint(
            model_name='administration',
            name='administration_signature_complete',
        ),
        migrations.AddConstraint(
            model_name='administration',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('signature_digest', ''), ('signature_meaning', ''), ('signature_scheme', ''), ('signed_at__isnull', True), ('signed_by__isnull', True)), models.Q(('signature_meaning__in', ['performed', 'reviewed']), ('signed_at__gte', models.F('administered_at')), ('signed_by__isnull', False), models.Q(('signature_digest', ''), _negated=True), models.Q(('signature_scheme', ''), _negated=True)), _connector='OR'), name='administration_signature_complete'),
        ),
    ]
