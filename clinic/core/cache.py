"""The default cache when Redis is not configured: Django's database cache with
an increment that does not lose counts.

Django's `DatabaseCache.incr` is a read followed by a write (`BaseCache.incr`),
so two workers counting the same login attempt window both read 7 and both
write 8; it also resets the entry's expiry to the default timeout. The login
throttle (clinic.core.throttling) needs neither, so `incr` here locks the row
(`SELECT ... FOR UPDATE` on PostgreSQL; SQLite's IMMEDIATE transactions,
configured in clinic.core.env.env_database, serialise writers) and rewrites only the
value.

The row lock is not taken through clinic.core.locking.lock(): the cache table is
no model and nothing references it, and a cache row is locked alone, last,
for one statement's worth of time, so it cannot join a lock-order cycle.
"""

import base64
import pickle
from typing import Any

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.core.management import call_command
from django.db import connections, models, router, transaction
from django.utils.timezone import now as tz_now


class DatabaseCache(DjangoDatabaseCache):
    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote_name = connection.ops.quote_name
        # Set by Django's BaseDatabaseCache, private, so not in django-stubs.
        table = quote_name(self._table)  # type: ignore[attr-defined]
        cache_key = quote_name("cache_key")
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with transaction.atomic(using=db), connection.cursor() as cursor:
            # The table name comes from settings, not from input.
            cursor.execute(
                f"SELECT {quote_name('value')}, {quote_name('expires')}"  # noqa: S608
                f" FROM {table} WHERE {cache_key} = %s{lock}",
                [key],
            )
            row = cursor.fetchone()
            if row is None or self._expired(connection, row[1]):
                raise ValueError(f"Key '{key}' not found.")
            stored = connection.ops.process_clob(row[0])
            value: int = pickle.loads(base64.b64decode(stored.encode())) + delta  # noqa: S301 - our own rows
            encoded = base64.b64encode(
                pickle.dumps(value, self.pickle_protocol)
            ).decode("latin1")
            cursor.execute(
                f"UPDATE {table} SET {quote_name('value')} = %s"  # noqa: S608
                f" WHERE {cache_key} = %s",
                [encoded, key],
            )
        return value

    @staticmethod
    def _expired(connection: Any, expires: Any) -> bool:
        # The same conversion DatabaseCache.get_many applies to the column.
        expression = models.Expression(output_field=models.DateTimeField())
        converters = connection.ops.get_db_converters(
            expression
        ) + expression.get_db_converters(connection)
        for converter in converters:
            expires = converter(expires, expression, connection)
        expired: bool = expires < tz_now()
        return expired


def create_cache_tables(using: str, verbosity: int = 1, **kwargs: Any) -> None:
    """post_migrate handler: `migrate` on a fresh database leaves it with the
    cache table the default cache needs (a no-op when it exists or when the
    cache is Redis)."""
    # Quiet at the default verbosity: "already exists" on every migrate is noise.
    call_command("createcachetable", database=using, verbosity=max(0, verbosity - 1))
