"""PostgreSQL holds room and patient exclusivity itself: no two active
appointments (not cancelled, not no-show) of one room, or of one patient, may
overlap over [starts_at, blocks_until). Also: durations in whole minutes.

Only PostgreSQL can express this (btree_gist exclusion constraints); on SQLite
this migration does nothing and the booking service's IMMEDIATE transactions
serialise the check and the insert. The practitioner's limit depends on the
appointment type, so the service holds it (row lock on the practitioner).
"""

from django.db import migrations

ACTIVE = "status NOT IN ('cancelled', 'no_show')"
TABLE = "clinic_appointment"

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    f"""ALTER TABLE {TABLE} ADD CONSTRAINT appointment_room_no_overlap
        EXCLUDE USING gist (
            room_id WITH =, tstzrange(starts_at, blocks_until, '[)') WITH &&
        ) WHERE ({ACTIVE})""",
    f"""ALTER TABLE {TABLE} ADD CONSTRAINT appointment_patient_no_overlap
        EXCLUDE USING gist (
            patient_id WITH =, tstzrange(starts_at, blocks_until, '[)') WITH &&
        ) WHERE ({ACTIVE})""",
    f"""ALTER TABLE {TABLE} ADD CONSTRAINT appointment_whole_minutes
        CHECK (mod(extract(epoch FROM ends_at - starts_at), 60) = 0)""",
]
# The extension stays: other tables may use it, and it holds no data.
BACKWARD = [
    f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS appointment_whole_minutes",
    f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS appointment_patient_no_overlap",
    f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS appointment_room_no_overlap",
]


def _run_on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("clinic", "0003_add_rooms_practitioners_and_appointments")]

    operations = [
        migrations.RunPython(
            _run_on_postgresql(FORWARD), _run_on_postgresql(BACKWARD), elidable=False
        )
    ]
