"""One lock order for the whole project.

Every row lock goes through `lock()` (a test fails on a `select_for_update`
anywhere else). Within one transaction, kinds of row are locked in the order
of LOCK_ORDER; two transactions that both follow it may wait for each other
but never deadlock. Before it existed, moving an appointment (appointment,
then patient) and recording an administration (patient, then appointment)
could deadlock on PostgreSQL.

The order is by kind: the record a request addresses and whose ETag is
checked comes early (appointments, working hours), the rows a booking holds
(practitioner, room, patient) next, treatment records after patients, and
the lot, whose lock serialises every take of its vials, last.

Locks are FOR NO KEY UPDATE: the project never changes a primary key, and
FOR UPDATE would also block the foreign-key check of every insert that
references the locked row (it takes KEY SHARE), a second, hidden lock order.

This module imports no domain app: kinds are named by model label.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import QuerySet
from django.db.transaction import TransactionManagementError

LOCK_ORDER: tuple[str, ...] = (
    "clinic.Location",
    "clinic.AppointmentType",
    "clinic.WorkingHours",
    "clinic.ScheduleException",
    "clinic.Appointment",
    "clinic.Practitioner",
    "clinic.Room",
    "patients.MrnCounter",
    "patients.ConsentForm",
    "patients.Patient",
    "patients.SignedConsent",
    "treatments.Product",
    "treatments.Administration",
    "treatments.FollowUpNote",
    "treatments.AdverseEvent",
    "treatments.Lot",
)

M = TypeVar("M", bound=models.Model)

# Per connection, while the test suite runs: the transaction being checked,
# the latest rank it locked, and the rows it holds.
_HELD = "_clinic_locks_held"
_BATCH = "_clinic_lock_batch"


class LockOrderViolation(RuntimeError):
    """A programming error: a transaction locked a kind of row after one that
    LOCK_ORDER puts later."""


def lock(source: "QuerySet[M] | type[M]", pk: Any) -> M:
    """The row `pk` of `source` (a model, or a queryset of it to read related
    rows along), read and locked FOR NO KEY UPDATE until the transaction
    ends. Raises DoesNotExist like `get()`.

    Refuses a lock outside a transaction (PostgreSQL would refuse it only
    when the query runs, SQLite never), a kind LOCK_ORDER does not list, and,
    while the test suite runs, a kind locked after a later one in the same
    transaction (LockOrderViolation). Locking a row already held is fine.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise TransactionManagementError("Rows are locked inside a transaction.")
    queryset = source if isinstance(source, QuerySet) else source._default_manager.all()
    label = queryset.model._meta.label
    if label not in LOCK_ORDER:
        raise LockOrderViolation(
            f"{label} has no place in clinic.core.locking.LOCK_ORDER."
        )
    _check_order(connection, label, pk)
    return queryset.select_for_update(no_key=True, of=("self",)).get(pk=pk)


@contextmanager
def batch_transaction() -> Iterator[None]:
    """One transaction around a batch of service calls that runs alone, such
    as seeding the demo clinic: its services lock many kinds in turn, which
    is harmless while nothing else writes, so the order is not checked."""
    with transaction.atomic():
        connection = transaction.get_connection()
        connection.__dict__[_BATCH] = True
        try:
            yield
        finally:
            del connection.__dict__[_BATCH]


def _check_order(connection: Any, label: str, pk: Any) -> None:
    token = _transaction_token(connection)
    if token is None or connection.__dict__.get(_BATCH):
        return
    rank, row = LOCK_ORDER.index(label), (label, str(pk))
    held = connection.__dict__.get(_HELD)
    if held is None or held[0] != token:
        held = connection.__dict__[_HELD] = [token, rank, set()]
    if row not in held[2]:
        if rank < held[1]:
            raise LockOrderViolation(
                f"{label} locked after {LOCK_ORDER[held[1]]}; see clinic.core.locking."
            )
        held[1] = rank
        held[2].add(row)


def _transaction_token(connection: Any) -> tuple[Any, str] | None:
    """Something that tells one transaction from the next, where that is
    cheap: inside a test case, the outermost atomic block of the code under
    test is a savepoint whose id is unique within the test's transaction
    (and the test's own first block, kept alive here, tells tests apart).
    Elsewhere (production, transactional tests) None: the order is then
    held by review, this module's docstring and the PostgreSQL deadlock
    tests, not checked at run time."""
    blocks = connection.atomic_blocks
    for index, block in enumerate(blocks):
        if not getattr(block, "_from_testcase", False):
            if index == 0:
                return None
            savepoint = connection.savepoint_ids[index - 1]
            return None if savepoint is None else (blocks[0], savepoint)
    return None
