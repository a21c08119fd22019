"""Scale data for benchmarks: a clinic chain with years of history, built fast.

`seed_scale` (treatments/management/commands) calls `seed_scale()`. It lives in
treatments because it seeds every app's data (treatments may import them all).

Unlike the demo, it bypasses the services and writes rows in bulk (PostgreSQL
COPY; plain INSERTs elsewhere), from one `random.Random(seed)`, so the same
arguments give the same rows. What the services would check, the generator
guarantees by construction, and the database constraints check again:

- one practitioner per room per weekday, inside that practitioner's weekly
  hours at the room's location; a room's appointments follow a fixed grid, so
  no room or practitioner ever holds two at once; a patient is booked at most
  once a day, so never twice at an instant (the exclusion constraints agree);
- past appointments are completed, cancelled (with a reason) or no-show;
  future ones are booked; all are whole minutes within working hours;
- every administration is given in a completed treatment visit of the same
  patient, by its practitioner, from a lot released before the visit and not
  expired on the day, by a route the product allows, under the patient's
  consent (a published form covering product, route and indication); each has
  its `administered` stock ledger line, and each lot received enough vials;
- administrations are signed (meaning "performed", by the practitioner who
  gave them) with a digest computed by `Administration.compute_digest`, so
  `manage.py verify_signatures` passes.

Not generated: history rows (django-simple-history) and appointment status
change rows. Scale data measures reads and writes of current records; an audit
trail of rows nobody changed through the services would be invented.
"""

import datetime as dt
import itertools
import random
import uuid
import zoneinfo
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, models, transaction
from django.utils import timezone

from clinic.core.codes import ROUTE_SNOMED, Indication, Route
from clinic.core.roles import Role
from clinic.models import (
    Appointment,
    AppointmentType,
    Location,
    Practitioner,
    Room,
    WorkingHours,
)
from patients.models import ConsentForm, MrnCounter, Patient, SignedConsent
from patients.mrn import format_mrn
from patients.naming import fold
from treatments import dosing
from treatments.models import (
    Administration,
    FollowUpNote,
    Lot,
    Product,
    StockMovement,
)
from treatments.services.administrations import observation_end_from

Say = Callable[[str], None]

# Chain-wide sizes for --patients 100000 (the issue's "large tier"); other
# sizes scale with the number of patients, with floors so a small tier is a
# working clinic.
PER_100K = {
    "practitioners": 200,
    "rooms": 50,
    "appointments": 2_000_000,
    "administrations": 1_000_000,
    "lots": 500,
    "follow_ups": 500_000,
}
ROOMS_PER_LOCATION = 10
# Per location: consult rooms, procedure rooms, infusion chairs.
ROOM_PLAN = ["consult_room"] * 4 + ["procedure_room"] * 3 + ["infusion_chair"] * 3
ZONES = [
    "America/Los_Angeles",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
]
DAY_START, DAY_END = dt.time(7), dt.time(19)  # local, every location
# name, minutes, room kind, buffer after, observation, parallel limit. A room's
# grid pitch is duration + buffer, so back-to-back visits never collide.
SCALE_TYPES = [
    ("Consultation", 25, "consult_room", 5, 0, 1),
    ("Follow-up", 20, "consult_room", 10, 0, 1),
    ("Intranasal or injection visit", 25, "procedure_room", 5, 15, 1),
    ("IV infusion", 90, "infusion_chair", 30, 30, 4),
]
PITCH = {"consult_room": 30, "procedure_room": 30, "infusion_chair": 120}
TREATMENT_KINDS = {"procedure_room", "infusion_chair"}
FUTURE_DAYS = 28
BATCH = 20_000

GIVEN = [
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Amelia",
    "Oliver",
    "Ava",
    "Elijah",
    "Sophia",
    "Mateo",
    "Isabella",
    "Lucas",
    "Mia",
    "Levi",
    "Charlotte",
    "Ezra",
    "Luna",
    "Asher",
    "Harper",
    "James",
    "Evelyn",
    "Leo",
    "Camila",
    "Aiden",
    "Gianna",
    "Hiroshi",
    "Aisha",
    "Ravi",
    "Fatima",
    "Ingrid",
    "Siobhán",
    "Zoë",
    "José",
    "Chloé",
    "Lukas",
    "Mohammed",
    "Priya",
    "Wei",
    "Yuki",
    "Ngozi",
    "Dmitri",
    "Ana",
    "Carlos",
    "Sofía",
    "Jürgen",
    "Agnieszka",
    "Thandiwe",
    "Kwame",
    "Aroha",
    "Mei",
    "Sven",
    "Astrid",
    "Omar",
    "Leila",
    "Rafael",
    "Lucía",
    "Tomás",
    "Ines",
    "Björn",
    "Noor",
    "Ibrahim",
    "Hana",
    "Kenji",
    "Sakura",
    "Arjun",
    "Anika",
    "Diego",
    "Valentina",
]
FAMILY = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "García",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Núñez",
    "O'Connor",
    "Müller",
    "Okafor",
    "Kowalski",
    "Tanaka",
    "Johansson",
    "Patel",
    "Dubois",
    "Rossi",
    "Schmidt",
    "Kim",
    "Park",
    "Chen",
    "Wang",
    "Singh",
    "Kumar",
    "Ivanov",
    "Novak",
    "Horvath",
    "Nakamura",
    "Yamamoto",
    "Suzuki",
    "Ahmed",
    "Hassan",
    "Ali",
    "Khan",
    "Mensah",
    "Osei",
    "Silva",
    "Santos",
    "Costa",
    "Pereira",
    "Ferreira",
    "Almeida",
    "Lindqvist",
    "Nielsen",
    "Hansen",
    "Jensen",
    "Larsen",
    "Eriksson",
    "Fischer",
    "Weber",
    "Wagner",
    "Becker",
    "Hoffmann",
    "Schulz",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
]
SEXES = ["female", "male", "female", "male", "other", "unknown"]
SEX_WEIGHTS = [48, 48, 0, 0, 2, 2]

PRODUCTS = [
    # name, manufacturer, source, isolation, routes, IND number, sponsor
    (
        "ExoCord UC-MSC EV",
        "Meridian Cell Therapeutics",
        "umbilical_cord_msc",
        "ultrafiltration_tff",
        [Route.INTRAVENOUS, Route.INTRANASAL],
        "IND 027512",
    ),
    (
        "PlacentaVes",
        "Helix Perinatal Labs",
        "placental",
        "ultracentrifugation",
        [Route.INTRANASAL, Route.TOPICAL],
        "",
    ),
    (
        "AdipoEV Joint",
        "Northgate Regenerative",
        "adipose_msc",
        "size_exclusion",
        [Route.INTRA_ARTICULAR, Route.SUBCUTANEOUS],
        "",
    ),
]
# Room kind -> (product index, route, body site) choices for its visits.
TREATMENTS = {
    "infusion_chair": [(0, Route.INTRAVENOUS, "")],
    "procedure_room": [
        (0, Route.INTRANASAL, ""),
        (1, Route.INTRANASAL, ""),
        (2, Route.INTRA_ARTICULAR, "Left knee"),
        (2, Route.INTRA_ARTICULAR, "Right knee"),
    ],
}
INDICATIONS = [Indication.TISSUE_REPAIR, Indication.IMMUNE, Indication.NEUROLOGICAL]


@dataclass(frozen=True)
class Sizes:
    patients: int
    practitioners: int
    rooms: int
    appointments: int
    administrations: int
    lots: int
    follow_ups: int

    @classmethod
    def for_patients(cls, patients: int) -> "Sizes":
        if patients < 50:
            raise ValueError("At least 50 patients.")

        def scaled(name: str, floor: int) -> int:
            return max(floor, round(PER_100K[name] * patients / 100_000))

        rooms = max(1, round(scaled("rooms", 10) / ROOMS_PER_LOCATION))
        return cls(
            patients=patients,
            practitioners=scaled("practitioners", 10),
            rooms=rooms * ROOMS_PER_LOCATION,
            appointments=scaled("appointments", 200),
            administrations=scaled("administrations", 50),
            lots=scaled("lots", 6),
            follow_ups=scaled("follow_ups", 25),
        )


class Progress:
    """A minimal progress bar on one line (no dependency): stage, count, rate."""

    def __init__(self, write: Callable[[str], None], label: str, total: int) -> None:
        self.write, self.label, self.total = write, label, max(total, 1)
        self.done = 0
        self.started = timezone.now()
        self._shown = -1

    def add(self, n: int) -> None:
        self.done += n
        percent = min(100, self.done * 100 // self.total)
        if percent != self._shown:
            self._shown = percent
            bar = "#" * (percent // 4)
            self.write(f"\r  {self.label:<16} [{bar:<25}] {percent:3d}% {self.done:,}")

    def close(self) -> None:
        seconds = (timezone.now() - self.started).total_seconds()
        rate = self.done / seconds if seconds else 0
        self.write(
            f"\r  {self.label:<16} [{'#' * 25}] 100% {self.done:,}"
            f" in {seconds:.1f} s ({rate:,.0f}/s)\n"
        )


class RowWriter:
    """Bulk rows into one table: COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]) -> None:
        self.model = model
        self.table = model._meta.db_table
        self.columns = list(columns)

    def write(self, rows: Iterable[Sequence[Any]]) -> int:
        count = 0
        quoted = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        table = connection.ops.quote_name(self.table)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
                return count
            # Elsewhere (SQLite in tests) each value goes through its field.
            by_column = {f.column: f for f in self.model._meta.concrete_fields}
            fields = [by_column[c] for c in self.columns]
            rows = (
                [
                    f.get_db_prep_value(v, connection)
                    for f, v in zip(fields, row, strict=True)
                ]
                for row in rows
            )
            marks = ", ".join(["%s"] * len(self.columns))
            sql = f"INSERT INTO {table} ({quoted}) VALUES ({marks})"  # noqa: S608
            for chunk in _chunks(rows, BATCH):
                cursor.executemany(sql, chunk)
                count += len(chunk)
        return count


def _chunks(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _next_id(model: type[models.Model]) -> int:
    top = model._default_manager.aggregate(top=models.Max("pk"))["top"]
    return (top or 0) + 1


def _reset_sequence(model: type[models.Model]) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite takes max(rowid) + 1 by itself
    table = model._meta.db_table  # a model's own table name, not input
    sql = (
        "SELECT setval(pg_get_serial_sequence(%s, 'id'),"
        " (SELECT COALESCE(MAX(id), 1) FROM {}))"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql.format(connection.ops.quote_name(table)), [table])


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _at(day: dt.date, minutes: int, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    local = dt.datetime.combine(day, DAY_START, tzinfo=tz) + dt.timedelta(
        minutes=minutes
    )
    return local.astimezone(dt.UTC)


@dataclass
class Clinic:
    """What later stages need from earlier ones (ids and a few objects)."""

    today: dt.date
    first_day: dt.date
    now: dt.datetime
    desk_id: int
    manager_id: int
    rooms: list[Room]
    # (room id, weekday) -> (practitioner id, user id)
    staffed: dict[tuple[int, int], tuple[int, int]]
    types: dict[str, AppointmentType]
    patient_ids: range
    consent_of: Callable[[int], int]
    products: list[Product]
    form: ConsentForm


def seed_scale(
    *,
    patients: int,
    seed: int = 20260101,
    say: Say,
    write: Callable[[str], None],
    today: dt.date | None = None,
) -> Sizes:
    """Build the whole scale data set in one transaction; refuses a database
    that already holds patients (run it on an empty, migrated database)."""
    if Patient.objects.exists():
        raise ValueError(
            "The database already holds patients: seed_scale needs an empty one."
        )
    sizes = Sizes.for_patients(patients)
    rng = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
    today = today or timezone.localdate()
    say(f"Seeding scale data (seed {seed}): {sizes}")
    with transaction.atomic():
        clinic = _people_and_places(rng, sizes, today)
        _patients_and_consents(rng, sizes, clinic, write)
        visits = _appointments(rng, sizes, clinic, write)
        _lots_and_administrations(rng, sizes, clinic, visits, write)
        seed_follow_ups(rng=rng, sizes=sizes, clinic=clinic, write=write)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    say("Scale data ready.")
    return sizes


# Follow-up contacts after a dose: when (days later), how, and the scores
# drift upwards over a course, as they do in the demo.
FOLLOW_UP_DAYS = (2, 7, 14, 30)
CONTACT_KINDS = ("phone", "visit", "message")


def seed_follow_ups(
    *, rng: random.Random, sizes: Sizes, clinic: Clinic, write: Any
) -> None:
    """`sizes.follow_ups` signed notes, spread over the administrations in id
    order (every administration gets one until the count is reached, then the
    earliest get a second contact later on); none in the future. Each is
    signed by the clinician who gave the dose, with a real digest."""
    doses = list(
        Administration.objects.filter(
            administered_at__lt=clinic.now - dt.timedelta(days=FOLLOW_UP_DAYS[0])
        )
        .order_by("id")
        .values_list("id", "patient_id", "administered_at", "administered_by_id")
    )
    plan: list[tuple[tuple[int, int, dt.datetime, int], int]] = []
    for contact in range(len(FOLLOW_UP_DAYS)):
        for dose in doses:
            if len(plan) >= sizes.follow_ups:
                break
            if dose[2] + dt.timedelta(days=FOLLOW_UP_DAYS[contact]) < clinic.now:
                plan.append((dose, contact))
    first_id = _next_id(FollowUpNote)
    fields = FollowUpNote._meta.concrete_fields
    # A concrete field is one with a column.
    writer = RowWriter(FollowUpNote, [f.column for f in fields if f.column])
    progress = Progress(write, "follow-ups", len(plan))

    def rows() -> Iterator[tuple[Any, ...]]:
        for n, ((dose_id, patient_id, given_at, by_id), contact) in enumerate(plan):
            noted = given_at + dt.timedelta(
                days=FOLLOW_UP_DAYS[contact], minutes=rng.randrange(0, 480)
            )
            signed = min(noted + dt.timedelta(minutes=10), clinic.now)
            note = FollowUpNote(
                id=first_id + n,
                public_id=_uuid(rng),
                patient_id=patient_id,
                administration_id=dose_id,
                author_id=by_id,
                noted_at=noted,
                contact_kind=rng.choice(CONTACT_KINDS),
                outcome_score=min(10, rng.randrange(2, 6) + contact + rng.randrange(2)),
                text="Patient reports the complaint is easing.",
                status=FollowUpNote.Status.SIGNED,
                signed_by_id=by_id,
                signed_at=signed,
                signature_meaning="performed",
                signature_scheme=FollowUpNote.DIGEST_SCHEME,
                created_at=noted,
                updated_at=signed,
                created_by_id=by_id,
            )
            note.signature_digest = note.compute_digest()
            yield tuple(getattr(note, f.attname) for f in fields)

    for chunk in _chunks(rows(), BATCH):
        progress.add(writer.write(chunk))
    progress.close()
    _reset_sequence(FollowUpNote)


def _people_and_places(rng: random.Random, sizes: Sizes, today: dt.date) -> Clinic:
    User = get_user_model()
    password = make_password(None)  # unusable: bench users get API tokens
    staff = [
        ("scale.frontdesk", Role.FRONT_DESK),
        ("scale.clinician", Role.CLINICIAN),
        ("scale.manager", Role.MANAGER),
    ]
    users = {}
    for username, role in staff:
        user = User.objects.create(
            username=username, password=password, is_staff=True, first_name=role
        )
        user.groups.add(Group.objects.get(name=role))
        users[role] = user
    now = timezone.now()
    locations = [
        Location.objects.create(
            name=f"Scale clinic {n + 1}",
            time_zone=ZONES[n % len(ZONES)],
            address=f"{100 + n} Main Street",
        )
        for n in range(sizes.rooms // ROOMS_PER_LOCATION)
    ]
    rooms = Room.objects.bulk_create(
        [
            Room(
                location=location,
                name=f"{kind.split('_')[0].title()} {n + 1}",
                kind=kind,
            )
            for location in locations
            for n, kind in enumerate(ROOM_PLAN)
        ]
    )
    types = {
        name: AppointmentType.objects.create(
            name=name,
            default_duration_minutes=minutes,
            room_kind=kind,
            buffer_after_minutes=buffer,
            observation_minutes=observation,
            max_parallel=parallel,
        )
        for name, minutes, kind, buffer, observation, parallel in SCALE_TYPES
    }
    clinicians = Group.objects.get(name=Role.CLINICIAN)
    practitioner_users = User.objects.bulk_create(
        [
            User(
                username=f"scale.p{n:04d}",
                password=password,
                is_staff=True,
                first_name=rng.choice(GIVEN),
                last_name=rng.choice(FAMILY),
            )
            for n in range(sizes.practitioners)
        ]
    )
    User.groups.through.objects.bulk_create(
        [
            User.groups.through(user_id=u.pk, group_id=clinicians.pk)
            for u in practitioner_users
        ]
    )
    practitioners = Practitioner.objects.bulk_create(
        [
            Practitioner(
                user=user,
                title=["MD", "NP", "RN"][n % 3],
                licence_number=f"SC-{n:05d}",
            )
            for n, user in enumerate(practitioner_users)
        ]
    )
    # Practitioner n works room n % R on weekdays d with d % G == n // R (G
    # groups); extra practitioners share a group's days without bookings.
    groups = max(1, min(5, len(practitioners) // len(rooms)))
    staffed: dict[tuple[int, int], tuple[int, int]] = {}
    hours = []
    for n, practitioner in enumerate(practitioners):
        room = rooms[n % len(rooms)]
        group = (n // len(rooms)) % groups
        for weekday in range(5):
            if weekday % groups != group:
                continue
            hours.append(
                WorkingHours(
                    practitioner=practitioner,
                    location_id=room.location_id,
                    weekday=weekday,
                    start_time=DAY_START,
                    end_time=DAY_END,
                )
            )
            staffed.setdefault(
                (room.pk, weekday), (practitioner.pk, practitioner.user_id)
            )
    WorkingHours.objects.bulk_create(hours)
    products = [
        Product.objects.create(
            name=name,
            manufacturer=maker,
            source_material=source,
            isolation_method=isolation,
            allowed_routes=list(routes),
            ind_number=ind,
            ind_sponsor=maker if ind else "",
            regulatory_disclosure=""
            if ind
            else "This product is not approved by the FDA.",
        )
        for name, maker, source, isolation, routes, ind in PRODUCTS
    ]
    days = _history_days(sizes, rooms)
    first_day = today - dt.timedelta(days=days)
    form = ConsentForm.objects.create(
        title="Exosome therapy (scale data)",
        body="I consent to extracellular-vesicle products by the routes named.",
        covered_routes=sorted({r for *_, routes, _ind in PRODUCTS for r in routes}),
        covered_indications=list(Indication.values),
        effective_date=first_day - dt.timedelta(days=400),
        status=ConsentForm.Status.PUBLISHED,
        published_at=_noon(first_day - dt.timedelta(days=400)),
        published_by=users[Role.MANAGER],
    )
    form.covered_products.set(products)
    return Clinic(
        today=today,
        first_day=first_day,
        now=now,
        desk_id=users[Role.FRONT_DESK].pk,
        manager_id=users[Role.MANAGER].pk,
        rooms=rooms,
        staffed=staffed,
        types=types,
        patient_ids=range(0),
        consent_of=lambda patient_id: 0,
        products=products,
        form=form,
    )


def _noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def _slots_per_weekday(rooms: list[Room]) -> int:
    return sum((12 * 60) // PITCH[room.kind] for room in rooms)


def _history_days(sizes: Sizes, rooms: list[Room]) -> int:
    """Calendar days of history so that ~90% filled weekdays (capped at half
    the patients a day) hold the wanted appointments, less what the future
    weeks (filled 85% thinning to 25%) hold."""
    per_weekday = min(_slots_per_weekday(rooms), sizes.patients / 2)
    future = per_weekday * 0.55 * FUTURE_DAYS * 5 / 7
    weekdays = max(
        5, (sizes.appointments - future) / min(per_weekday * 0.9, sizes.patients / 2)
    )
    return int(weekdays * 7 / 5) + 1


def _patients_and_consents(
    rng: random.Random, sizes: Sizes, clinic: Clinic, write: Callable[[str], None]
) -> None:
    first_id = _next_id(Patient)
    created = clinic.now
    patient_writer = RowWriter(
        Patient,
        [
            "id",
            "public_id",
            "mrn",
            "given_name",
            "family_name",
            "search_name",
            "date_of_birth",
            "sex",
            "phone",
            "email",
            "address",
            "emergency_contact_name",
            "emergency_contact_relationship",
            "emergency_contact_phone",
            "allergies",
            "history_notes",
            "active",
            "deactivated_at",
            "deactivation_reason",
            "created_at",
            "updated_at",
            "created_by_id",
        ],
    )
    first_mrn = MrnCounter.objects.filter(pk=1).values_list("last_value", flat=True)
    mrn_base = (first_mrn.first() or 0) + 1

    def patient_rows() -> Iterator[tuple[Any, ...]]:
        for n in range(sizes.patients):
            given, family = rng.choice(GIVEN), rng.choice(FAMILY)
            born = clinic.today - dt.timedelta(days=rng.randint(18 * 365, 90 * 365))
            yield (
                first_id + n,
                _uuid(rng),
                format_mrn(mrn_base + n),
                given,
                family,
                fold(f"{given} {family}"),
                born,
                rng.choices(SEXES, SEX_WEIGHTS)[0],
                f"+1212555{n % 10000:04d}",
                f"patient{n}@example.org",
                f"{n % 900 + 100} Elm Street",
                "",
                "",
                "",
                rng.choice(["", "", "", "Penicillin", "Latex"]),
                "",
                True,
                None,
                "",
                created,
                created,
                clinic.desk_id,
            )

    progress = Progress(write, "patients", sizes.patients)
    for chunk in _chunks(patient_rows(), BATCH):
        progress.add(patient_writer.write(chunk))
    progress.close()
    MrnCounter.objects.update_or_create(
        pk=1, defaults={"last_value": mrn_base + sizes.patients - 1}
    )
    _reset_sequence(Patient)

    first_consent = _next_id(SignedConsent)
    signed = _noon(clinic.first_day - dt.timedelta(days=30))
    consent_writer = RowWriter(
        SignedConsent,
        [
            "id",
            "public_id",
            "patient_id",
            "form_id",
            "signed_at",
            "signed_by",
            "representative_name",
            "representative_relationship",
            "witness_id",
            "expires_at",
            "withdrawn_at",
            "withdrawal_reason",
            "withdrawn_by_id",
            "created_at",
            "created_by_id",
        ],
    )
    progress = Progress(write, "consents", sizes.patients)
    rows = (
        (
            first_consent + n,
            _uuid(rng),
            first_id + n,
            clinic.form.pk,
            signed,
            "patient",
            "",
            "",
            clinic.desk_id,
            None,
            None,
            "",
            None,
            created,
            clinic.desk_id,
        )
        for n in range(sizes.patients)
    )
    for chunk in _chunks(rows, BATCH):
        progress.add(consent_writer.write(chunk))
    progress.close()
    _reset_sequence(SignedConsent)
    clinic.patient_ids = range(first_id, first_id + sizes.patients)
    clinic.consent_of = lambda patient_id: first_consent + (patient_id - first_id)


@dataclass(frozen=True)
class Visit:
    """A completed treatment visit: where administrations come from."""

    appointment_id: int
    patient_id: int
    practitioner_user_id: int
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    observation_minutes: int


def _appointments(
    rng: random.Random, sizes: Sizes, clinic: Clinic, write: Callable[[str], None]
) -> list[Visit]:
    """Day by day from the first day of history to FUTURE_DAYS ahead: each
    staffed room's grid is filled at random (90% in the past, thinning out in
    the future); no patient twice a day."""
    first_id = _next_id(Appointment)
    writer = RowWriter(
        Appointment,
        [
            "id",
            "public_id",
            "patient_id",
            "practitioner_id",
            "room_id",
            "type_id",
            "starts_at",
            "ends_at",
            "blocks_until",
            "status",
            "notes",
            "cancellation_reason",
            "override_reason",
            "created_by_id",
            "created_at",
            "updated_at",
        ],
    )
    types_of = {
        kind: [t for t in clinic.types.values() if t.room_kind == kind]
        for kind in PITCH
    }
    tz_of = {
        loc.pk: loc.tz
        for loc in Location.objects.filter(pk__in={r.location_id for r in clinic.rooms})
    }
    per_day_cap = sizes.patients // 2
    visits: list[Visit] = []
    progress = Progress(write, "appointments", sizes.appointments)
    counter = itertools.count(first_id)
    made = 0

    def rows() -> Iterator[tuple[Any, ...]]:
        nonlocal made
        day = clinic.first_day
        last_day = clinic.today + dt.timedelta(days=FUTURE_DAYS)
        while day <= last_day and made < sizes.appointments:
            weekday = day.weekday()
            future = day > clinic.today
            if weekday >= 5:
                day += dt.timedelta(days=1)
                continue
            fill = 0.9 if not future else 0.85 - 0.6 * (day - clinic.today).days / 28
            seen: set[int] = set()
            # Rooms in a shuffled order: when the day is capped (few
            # patients), every kind of room still gets its share.
            for room in rng.sample(clinic.rooms, len(clinic.rooms)):
                staff = clinic.staffed.get((room.pk, weekday))
                if staff is None:
                    continue
                practitioner_id, user_id = staff
                tz = tz_of[room.location_id]
                for start_minute in range(0, 12 * 60, PITCH[room.kind]):
                    if made >= sizes.appointments or len(seen) >= per_day_cap:
                        break
                    if rng.random() > fill:
                        continue
                    patient_id = rng.choice(clinic.patient_ids)
                    while patient_id in seen:
                        patient_id = rng.choice(clinic.patient_ids)
                    seen.add(patient_id)
                    kind_type = rng.choice(types_of[room.kind])
                    starts = _at(day, start_minute, tz)
                    ends = starts + kind_type.default_duration
                    status, reason = _status(rng, starts, clinic.now)
                    appointment_id = next(counter)
                    made += 1
                    if status == "completed" and room.kind in TREATMENT_KINDS:
                        visits.append(
                            Visit(
                                appointment_id,
                                patient_id,
                                user_id,
                                room.kind,
                                starts,
                                ends,
                                kind_type.observation_minutes,
                            )
                        )
                    booked_at = min(
                        clinic.now, starts - dt.timedelta(days=rng.randint(1, 30))
                    )
                    yield (
                        appointment_id,
                        _uuid(rng),
                        patient_id,
                        practitioner_id,
                        room.pk,
                        kind_type.pk,
                        starts,
                        ends,
                        ends + kind_type.buffer_after,
                        status,
                        "",
                        reason,
                        "",
                        clinic.desk_id,
                        booked_at,
                        min(ends, clinic.now),
                    )
            day += dt.timedelta(days=1)

    for chunk in _chunks(rows(), BATCH):
        progress.add(writer.write(chunk))
    progress.close()
    _reset_sequence(Appointment)
    return visits


def _status(
    rng: random.Random, starts: dt.datetime, now: dt.datetime
) -> tuple[str, str]:
    if starts >= now:
        return "booked", ""
    draw = rng.random()
    if draw < 0.05:
        return "cancelled", "Patient called to cancel."
    if draw < 0.09:
        return "no_show", ""
    return "completed", ""


def _release(day: dt.date, clinic: Clinic) -> dict[str, Any]:
    if day >= clinic.today:
        return {"status": Lot.Status.QUARANTINED}
    return {
        "status": Lot.Status.RELEASED,
        "released_at": _noon(day),
        "released_by_id": clinic.manager_id,
    }


def _lots_and_administrations(
    rng: random.Random,
    sizes: Sizes,
    clinic: Clinic,
    visits: list[Visit],
    write: Callable[[str], None],
) -> None:
    """Lots of each product in consecutive windows over the history; each
    completed treatment visit gets one administration (some a second one, by
    another product, until the wanted count), from the lot whose window holds
    the visit, with its ledger line. Lots receive what they give plus spare."""
    span_start = clinic.first_day
    span_end = clinic.today + dt.timedelta(days=FUTURE_DAYS + 1)
    per_product = max(2, sizes.lots // len(clinic.products))
    window = dt.timedelta(days=max(1, (span_end - span_start).days // per_product + 1))
    lots: list[list[Lot]] = []
    serial = itertools.count(1)
    for p_index, product in enumerate(clinic.products):
        product_lots = []
        for n in range(per_product):
            opens = span_start + window * n
            made = opens - dt.timedelta(days=30)
            number = f"SC{p_index}-{next(serial):05d}"
            product_lots.append(
                Lot(
                    product=product,
                    lot_number=number,
                    supplier_code=f"W4219 {made:%y} {100000 + n:06d} A0",
                    manufactured_on=made,
                    expires_on=opens + window + dt.timedelta(days=60),
                    received_on=made + dt.timedelta(days=10),
                    particles_per_ml=[2_000_000_000_000, 500_000_000_000][n % 2],
                    modal_size_nm=Decimal("112.0") + n % 20,
                    vial_volume_ml=Decimal("5.00"),
                    coa_reference=f"COA-{number}",
                    created_by_id=clinic.manager_id,
                    # Released 12 days after manufacture, if that is past.
                    **_release(made + dt.timedelta(days=12), clinic),
                )
            )
        lots.append(Lot.objects.bulk_create(product_lots))

    def lot_for(product_index: int, day: dt.date) -> Lot:
        return lots[product_index][min((day - span_start) // window, per_product - 1)]

    plan: list[tuple[Visit, int, str, str]] = []
    for visit in visits:
        if len(plan) >= sizes.administrations:
            break
        product_index, route, site = rng.choice(TREATMENTS[visit.kind])
        plan.append((visit, product_index, route, site))
    extra = iter(v for v in visits if v.kind == "procedure_room")
    while len(plan) < sizes.administrations:
        spare = next(extra, None)
        if spare is None:
            break
        plan.append((spare, 2, Route.SUBCUTANEOUS, "Abdomen"))

    first_id = _next_id(Administration)
    first_move = _next_id(StockMovement)
    given: dict[int, int] = {}
    admin_writer = RowWriter(
        Administration,
        [f.column for f in Administration._meta.concrete_fields if f.column],
    )
    move_columns = [
        "id",
        "lot_id",
        "kind",
        "vials",
        "at",
        "by_id",
        "witness_id",
        "reason",
        "administration_id",
        "created_at",
    ]
    move_writer = RowWriter(StockMovement, move_columns)
    moves: list[tuple[Any, ...]] = []
    fields = Administration._meta.concrete_fields
    progress = Progress(write, "administrations", len(plan))

    def admin_rows() -> Iterator[tuple[Any, ...]]:
        for n, (visit, product_index, route, site) in enumerate(plan):
            lot = lot_for(product_index, visit.starts_at.date())
            given[lot.pk] = given.get(lot.pk, 0) + 1
            at = visit.starts_at + dt.timedelta(minutes=5 + 5 * (n % 2))
            infusion = route == Route.INTRAVENOUS
            dose = Decimal("5.00") if infusion else Decimal("1.00")
            infusion_end = at + dt.timedelta(minutes=60) if infusion else None
            record = Administration(
                id=first_id + n,
                public_id=_uuid(rng),
                patient_id=visit.patient_id,
                lot_id=lot.pk,
                route=route,
                route_snomed=ROUTE_SNOMED[route],
                body_site=site,
                dose_volume_ml=dose,
                vials_used=1,
                particle_count=dosing.particle_count(
                    particles_per_ml=lot.particles_per_ml, dose_volume_ml=dose
                ),
                administered_at=at,
                administered_by_id=visit.practitioner_user_id,
                appointment_id=visit.appointment_id,
                observation_ends_at=observation_end_from(
                    administered_at=at,
                    infusion_ended_at=infusion_end,
                    observation_minutes=visit.observation_minutes,
                ),
                infusion_started_at=at if infusion else None,
                infusion_ended_at=infusion_end,
                infusion_rate_ml_per_h=Decimal("5.00") if infusion else None,
                indication=rng.choice(INDICATIONS),
                indication_detail="",
                consent_id=clinic.consent_of(visit.patient_id),
                notes="Tolerated well.",
                status=Administration.Status.SIGNED,
                signed_by_id=visit.practitioner_user_id,
                signed_at=visit.ends_at,
                signature_meaning="performed",
                signature_scheme=Administration.DIGEST_SCHEME,
                entered_in_error_reason="",
                created_at=at,
                updated_at=visit.ends_at,
                created_by_id=visit.practitioner_user_id,
            )
            record.signature_digest = record.compute_digest()
            moves.append(
                (
                    first_move + n,
                    lot.pk,
                    "administered",
                    -1,
                    at,
                    visit.practitioner_user_id,
                    None,
                    "",
                    first_id + n,
                    at,
                )
            )
            yield tuple(getattr(record, f.attname) for f in fields)

    for chunk in _chunks(admin_rows(), BATCH):
        progress.add(admin_writer.write(chunk))
    progress.close()
    _reset_sequence(Administration)

    received_id = first_move + len(plan)
    received = [
        (
            received_id + n,
            lot.pk,
            "received",
            given.get(lot.pk, 0) + 20,
            _noon(lot.received_on),
            clinic.manager_id,
            None,
            "",
            None,
            clinic.now,
        )
        for n, lot in enumerate(lot for product_lots in lots for lot in product_lots)
    ]
    progress = Progress(write, "stock ledger", len(moves) + len(received))
    for chunk in _chunks(itertools.chain(received, moves), BATCH):
        progress.add(move_writer.write(chunk))
    progress.close()
    _reset_sequence(StockMovement)
