"""What only PostgreSQL can show: the trigram index and real concurrency."""

import datetime as dt
import threading

import pytest
from django.db import connection

from clinic.core.errors import DomainError
from patients.models import Patient
from patients.services import patient_register
from tests.factories.patients import PatientFactory

pytestmark = pytest.mark.postgres_only


@pytest.mark.django_db
def test_name_search_uses_the_trigram_index():
    PatientFactory.create_batch(20)
    sql, params = Patient.objects.search("nune").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "patient_search_name_trgm" in plan


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_of_one_person_create_exactly_one(front_desk):
    threads_count = 10
    barrier = threading.Barrier(threads_count)
    outcomes: list[str] = []
    lock = threading.Lock()

    def register() -> None:
        try:
            barrier.wait()
            patient_register(
                actor=front_desk,
                given_name="Ana",
                family_name="Lima",
                date_of_birth=dt.date(1970, 1, 1),
                sex="female",
            )
            result = "created"
        except DomainError as exc:
            result = exc.code
        except Exception as exc:
            result = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=register) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["created"] + ["duplicate_patient"] * (threads_count - 1)
    assert Patient.objects.filter(search_name="ana lima").count() == 1
    assert len(set(Patient.objects.values_list("mrn", flat=True))) == 1
