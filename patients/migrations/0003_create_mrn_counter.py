"""The single MRN counter row, so the first registration finds it ready."""

from django.db import migrations


def create_counter(apps, schema_editor):
    MrnCounter = apps.get_model("patients", "MrnCounter")
    MrnCounter.objects.get_or_create(pk=1, defaults={"last_value": 0})


def remove_counter(apps, schema_editor):
    apps.get_model("patients", "MrnCounter").objects.filter(pk=1).delete()


class Migration(migrations.Migration):
    dependencies = [("patients", "0002_add_patient_name_trigram_index")]

    operations = [migrations.RunPython(create_counter, remove_counter)]
