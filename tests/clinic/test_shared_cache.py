"""The default cache is shared by all workers: a database table (created by
`migrate`) or Redis; its increment loses no counts."""

import threading

import pytest
import time_machine
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection, connections

from clinic.core.cache import DatabaseCache
from clinic.core.env import env_cache


def test_without_redis_url_the_cache_is_a_database_table():
    config = env_cache("REDIS_URL", key_prefix="clinic", environ={})

    assert config["BACKEND"] == "clinic.core.cache.DatabaseCache"
    assert config["LOCATION"] == "clinic_cache"


@pytest.mark.parametrize(
    "url", ["redis://127.0.0.1:6379/0", "rediss://:pw@cache.internal:6380/2"]
)
def test_with_redis_url_the_cache_is_django_redis_cache(url):
    config = env_cache("REDIS_URL", key_prefix="clinic", environ={"REDIS_URL": url})

    assert config["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert config["LOCATION"] == url


@pytest.mark.parametrize(
    "url", ["http://:s3cret@cache:6379", "127.0.0.1:6379", "", "redis://"]
)
def test_a_bad_redis_url_is_refused_without_repeating_it(url):
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL must be") as refused:
        env_cache("REDIS_URL", key_prefix="clinic", environ={"REDIS_URL": url})

    assert "s3cret" not in str(refused.value)


def test_the_suite_runs_on_the_database_cache():
    # So every throttle test here exercises the shared table, not memory.
    assert isinstance(caches["default"], DatabaseCache)


@pytest.mark.django_db
def test_migrate_creates_the_cache_table():
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE clinic_cache")
    assert "clinic_cache" not in connection.introspection.table_names()

    # Nothing left to migrate, yet post_migrate still runs.
    call_command("migrate", verbosity=0)

    assert "clinic_cache" in connection.introspection.table_names()


@pytest.mark.django_db
def test_incr_adds_and_keeps_the_expiry():
    cache = caches["default"]
    with time_machine.travel("2026-03-02 09:00:00Z", tick=False):
        cache.add("counter", 1, timeout=60)
        assert cache.incr("counter") == 2
        assert cache.incr("counter", 5) == 7
        assert cache.get("counter") == 7
    # Django's own incr would have re-set the entry with the default timeout
    # (300 s); this one keeps the 60 s it was added with.
    with time_machine.travel("2026-03-02 09:01:01Z", tick=False):
        assert cache.get("counter") is None
        with pytest.raises(ValueError, match="not found"):
            cache.incr("counter")


@pytest.mark.django_db
def test_incr_of_a_missing_key_is_a_value_error():
    with pytest.raises(ValueError, match="not found"):
        caches["default"].incr("never-added")


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_increments_are_all_counted():
    caches["default"].add("race", 0, timeout=60)
    threads, per_thread = 4, 25
    barrier = threading.Barrier(threads)
    failures = []

    def bump():
        try:
            barrier.wait()
            for _ in range(per_thread):
                caches["default"].incr("race")
        except Exception as exc:  # reported below, in the test thread
            failures.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=bump) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert failures == []
    assert caches["default"].get("race") == threads * per_thread
    caches["default"].delete("race")
