"""SQLite storage for a threaded server.

The tool calls back into the LMS (token, NRPS, AGS) while the LMS may be waiting on the tool,
so the server is threaded. SQLite copes with that when: WAL lets readers run beside a writer,
``busy_timeout`` makes a blocked connection wait instead of failing, and a process-wide lock
serialises our own read-modify-write transactions (a deferred SQLite transaction that reads and
then writes fails with SQLITE_BUSY if another connection committed in between, and busy_timeout
does not help in that case).
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from .models import Base


class Store:
    def __init__(self, data_dir: Path):
        self.path = data_dir / "demo_lms.sqlite3"
        self.engine: Engine = create_engine(
            f"sqlite:///{self.path}",
            connect_args={"timeout": 30, "check_same_thread": False},
            pool_size=20,
            max_overflow=40,
        )
        event.listen(self.engine, "connect", _sqlite_pragmas)
        self._factory = sessionmaker(self.engine, expire_on_commit=False)
        self.lock = threading.RLock()
        Base.metadata.create_all(self.engine)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading (never commits)."""
        session = self._factory()
        try:
            yield session
        finally:
            session.close()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A serialised read-modify-write transaction, committed on success."""
        with self.lock:
            session = self._factory()
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()

    def reset(self) -> None:
        """Drop and recreate every table (used by the control API before a reseed)."""
        with self.lock:
            Base.metadata.drop_all(self.engine)
            Base.metadata.create_all(self.engine)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()
