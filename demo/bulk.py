"""Writing many rows fast, for ``seed_trust``: PostgreSQL's COPY, else ``bulk_create`` in batches.

Rows are tuples in the order of ``columns`` (the models' column names: ``school_id``, not
``school``), holding every value: COPY runs no model code, so defaults, ``auto_now_add`` and
derived fields are the caller's to fill, as the services would.
"""

import json
from collections import Counter

from django.db import connection, models

BATCH_SIZE = 5000


class KeyMismatch(Exception):
    """A written row's foreign key points at no row."""


class BulkWriter:
    def __init__(self):
        self.postgres = connection.vendor == "postgresql"
        self.rows = Counter()  # table → rows written
        self.tables = {}  # table → model, in the order first written
        self.deferred_keys = False

    def start(self):
        """Inside the load's transaction. PostgreSQL checks each foreign key row by row, queued
        to the commit (Django's keys are deferred): for millions of rows that queue costs more
        than the load. Where the role may, triggers are off for this transaction (as pg_restore
        --disable-triggers does) and ``check_keys`` checks every key in one query per key."""
        if not self.postgres:
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if cursor.fetchone()[0]:
                cursor.execute("SET LOCAL session_replication_role = replica")
                self.deferred_keys = True

    def check_keys(self):
        """Every foreign key of every table written points at a row: raises ``KeyMismatch``
        naming the first that does not (the transaction then rolls back)."""
        if not self.deferred_keys:
            return
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for table, model in self.tables.items():
                for f in model._meta.concrete_fields:
                    if not f.is_relation or not f.db_constraint:
                        continue
                    parent = f.related_model._meta
                    target = parent.get_field(f.target_field.name).column
                    cursor.execute(
                        f"SELECT count(*) FROM {quote(table)} c WHERE c.{quote(f.column)} IS NOT "  # noqa: S608
                        f"NULL AND NOT EXISTS (SELECT 1 FROM {quote(parent.db_table)} p "
                        f"WHERE p.{quote(target)} = c.{quote(f.column)})"
                    )
                    missing = cursor.fetchone()[0]
                    if missing:
                        raise KeyMismatch(f"{table}.{f.column}: {missing} rows point at nothing")
            cursor.execute("SET LOCAL session_replication_role = origin")

    def write(self, model, columns, rows):
        rows = list(rows)
        table = model._meta.db_table
        self.tables.setdefault(table, model)
        if not rows:
            return
        fields = {f.column: f for f in model._meta.concrete_fields}
        json_at = [i for i, c in enumerate(columns) if isinstance(fields[c], models.JSONField)]
        if self.postgres:
            self._copy(table, columns, rows, json_at)
        else:
            names = [fields[c].attname for c in columns]
            model.objects.bulk_create(
                [model(**dict(zip(names, row, strict=True))) for row in rows],
                batch_size=BATCH_SIZE,
            )
        self.rows[table] += len(rows)

    def _copy(self, table, columns, rows, json_at):
        quote = connection.ops.quote_name
        statement = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            for row in rows:
                if json_at:
                    row = list(row)
                    for i in json_at:
                        if row[i] is not None and not isinstance(row[i], str):
                            row[i] = json.dumps(row[i])
                copy.write_row(row)

    def vacuum_analyze(self):
        """Leave the tables just filled as autovacuum would in a database that has run for a
        while (PostgreSQL): statistics for the planner (until then it plans for empty tables, and
        a page over them can take ten times as long), and the visibility map, without which an
        index-only scan (a count over a school's audit rows) still reads every row from the
        table. Inside a transaction (a test), where VACUUM cannot run, the statistics only."""
        if self.postgres:
            quote = connection.ops.quote_name
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            with connection.cursor() as cursor:
                cursor.execute(f"{command} {', '.join(quote(t) for t in self.tables)}")

    def counts(self) -> list[tuple[str, int]]:
        """Every table written to with the rows it now holds (counted in the database)."""
        quote = connection.ops.quote_name
        result = []
        with connection.cursor() as cursor:
            for table in self.tables:
                cursor.execute(f"SELECT count(*) FROM {quote(table)}")  # noqa: S608 - table names
                result.append((table, cursor.fetchone()[0]))
        return result
