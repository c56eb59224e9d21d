"""Writing many rows fast, for ``seed_trust``: PostgreSQL's COPY, else ``bulk_create`` in batches.

Rows are tuples in the order of ``columns`` (the models' column names: ``school_id``, not
``school``), holding every value: COPY runs no model code, so defaults, ``auto_now_add`` and
derived fields are the caller's to fill, as the services would.
"""

import json
from collections import Counter

from django.db import connection, models

BATCH_SIZE = 5000


class BulkWriter:
    def __init__(self):
        self.postgres = connection.vendor == "postgresql"
        self.rows = Counter()  # table → rows written
        self.tables = {}  # table → model, in the order first written

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

    def counts(self) -> list[tuple[str, int]]:
        """Every table written to with the rows it now holds (counted in the database)."""
        quote = connection.ops.quote_name
        result = []
        with connection.cursor() as cursor:
            for table in self.tables:
                cursor.execute(f"SELECT count(*) FROM {quote(table)}")  # noqa: S608 - table names
                result.append((table, cursor.fetchone()[0]))
        return result
