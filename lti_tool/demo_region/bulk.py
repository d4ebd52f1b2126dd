"""Bulk writes for the region generator: ids allocated in blocks, rows streamed with COPY.

Inserting 1.7 million answers through ORM objects takes many minutes; PostgreSQL's `COPY … FROM
STDIN` through psycopg takes seconds. Rows are tuples in the order of the column names given.
Tables are those of the models' metadata (looked up by name), so the generator needs no model
class. Other databases (SQLite in tests) get executemany INSERTs of the same rows.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from itertools import islice

import sqlalchemy as sa
from sqlalchemy.orm import Session

CHUNK = 5000  # rows per executemany batch on databases without COPY


class Bulk:
    """Writes rows into the tables of `metadata` inside the session's transaction."""

    def __init__(self, session: Session, metadata: sa.MetaData):
        self.session = session
        self.metadata = metadata
        self.postgres = session.get_bind().dialect.name == "postgresql"
        self.counts: dict[str, int] = {}
        self._next: dict[str, int] = {}

    def table(self, name: str) -> sa.Table:
        """The table called `name`."""
        return self.metadata.tables[name]

    def ids(self, name: str, count: int) -> range:
        """`count` fresh primary keys of table `name`, reserved in one step."""
        if count <= 0:
            return range(0)
        if self.postgres:
            sequence = self.session.execute(sa.text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": name}).scalar()
            first = self.session.execute(sa.text("SELECT nextval(:s)"), {"s": sequence}).scalar()
            self.session.execute(sa.text("SELECT setval(:s, :last)"), {"s": sequence, "last": first + count - 1})
        else:  # no sequences: after the highest id written or handed out so far
            first = max((self.session.execute(sa.select(sa.func.max(self.table(name).c.id))).scalar() or 0) + 1,
                        self._next.get(name, 0))
            self._next[name] = first + count
        return range(first, first + count)

    def insert(self, name: str, columns: Sequence[str], rows: Iterable[tuple]) -> int:
        """Write `rows` (tuples in `columns` order, any iterable: streamed) into table `name`; returns how many."""
        table = self.table(name)
        self.session.flush()
        if self.postgres:
            written = self._copy(table, columns, rows)
        else:
            written, batches = 0, iter(rows)
            while batch := list(islice(batches, CHUNK)):
                self.session.execute(table.insert(), [dict(zip(columns, row)) for row in batch])
                written += len(batch)
        self.counts[name] = self.counts.get(name, 0) + written
        return written

    def _copy(self, table: sa.Table, columns: Sequence[str], rows: Iterable[tuple]) -> int:
        # JSON columns travel as text; psycopg adapts the other Python values itself.
        as_json = [isinstance(table.c[c].type, sa.JSON) for c in columns]
        has_json = any(as_json)
        cursor = self.session.connection().connection.dbapi_connection.cursor()
        names = ", ".join(f'"{c}"' for c in columns)
        written = 0
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                if has_json:
                    row = [json.dumps(v, ensure_ascii=False) if j and v is not None else v for v, j in zip(row, as_json)]
                copy.write_row(row)
                written += 1
        cursor.close()
        return written

    def analyze(self) -> None:
        """Fresh planner statistics after the load (PostgreSQL estimates rows from them)."""
        if self.postgres:
            for name in self.counts:
                self.session.execute(sa.text(f'ANALYZE "{name}"'))
