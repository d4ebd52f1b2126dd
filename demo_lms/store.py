"""SQLite storage for a threaded server.

The tool calls back into the LMS (token, NRPS, AGS) while the LMS may be waiting on the tool,
so the server is threaded. SQLite copes with that when: WAL lets readers run beside a writer,
``busy_timeout`` makes a blocked connection wait instead of failing, and a process-wide lock
serialises our own read-modify-write transactions (a deferred SQLite transaction that reads and
then writes fails with SQLITE_BUSY if another connection committed in between, and busy_timeout
does not help in that case).

Hot paths (bearer checks and score posts, thousands a second in the sync benchmark) avoid the
ORM: :meth:`Store.cached` keeps small read results (line items, gradable users of a course) until
the next :meth:`Store.write` commits, and :meth:`Store.execute_write` runs one short statement
(a score upsert) under the lock without invalidating them.
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, NamedTuple, TypeVar

from sqlalchemy import create_engine, delete, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from .models import AccessToken, Base

T = TypeVar("T")
_MISSING = object()


class Bearer(NamedTuple):
    tool_id: int
    scopes: tuple[str, ...]
    expires: float


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
        # Read cache, replaced (not cleared) after every committed write(): a reader that loaded a
        # value from an older snapshot stores it into the dict it started with, which is then
        # already discarded, so a stale value never outlives the write that changed it.
        self._cache: dict[Any, Any] = {}
        self._load_lock = threading.Lock()
        self._raw = None  # one sqlite3 connection for execute_write, used under self.lock
        self._tokens: dict[str, Bearer] = {}  # access tokens (also persisted), see bearer()
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
                self.invalidate()

    def invalidate(self) -> None:
        """Forget every cached read (done after each write(); call it after other writes)."""
        self._cache = {}

    def cached(self, key: Any, load: Callable[[Session], T]) -> T:
        """``load(session)`` once per key until the next write() (None results are cached too)."""
        value = self._cache.get(key, _MISSING)
        if value is _MISSING:
            with self._load_lock:  # one loader at a time: no stampede of identical loads
                cache = self._cache
                value = cache.get(key, _MISSING)
                if value is _MISSING:
                    with self.read() as s:
                        value = load(s)
                    cache[key] = value
        return value  # type: ignore[return-value]

    def remember_token(self, token: str, tool_id: int, scopes: list[str], expires: float) -> None:
        """Keep an issued (and already stored) access token in memory."""
        tokens = self._tokens
        if len(tokens) > 10000:  # drop expired ones now and then
            now = time.time()
            for key in [k for k, v in tokens.items() if v.expires < now]:
                tokens.pop(key, None)
        tokens[token] = Bearer(tool_id, tuple(scopes), expires)

    def bearer(self, token: str) -> Bearer | None:
        """The access token's tool, scopes and expiry (memory first, then the database)."""
        tok = self._tokens.get(token)
        if tok is None and token:
            with self.read() as s:
                row = s.get(AccessToken, token)
            if row is not None:
                tok = self._tokens[token] = Bearer(row.tool_id, tuple(row.scopes or ()), row.expires)
        return tok

    def revoke_token(self, token: str) -> None:
        """Revoke an access token (as an LMS admin or a security incident would): from now on 401."""
        with self.write() as s:
            s.execute(delete(AccessToken).where(AccessToken.token == token))
        self._tokens.pop(token, None)

    def execute_write(self, sql: str, params: dict[str, Any] | tuple = ()) -> int:
        """One SQL statement in its own short transaction, serialised with write(); returns the
        number of changed rows. Cached reads stay valid: use it only for tables never cached."""
        with self.lock:
            if self._raw is None:
                self._raw = self.engine.raw_connection()
            conn = self._raw
            try:
                cur = conn.cursor()
                cur.execute(sql, params)
                n = cur.rowcount
                cur.close()
                conn.commit()
            except BaseException:
                conn.rollback()
                raise
            return n

    def reset(self) -> None:
        """Drop and recreate every table (used by the control API before a reseed)."""
        with self.lock:
            if self._raw is not None:
                self._raw.close()
                self._raw = None
            Base.metadata.drop_all(self.engine)
            Base.metadata.create_all(self.engine)
            self._tokens = {}
            self.invalidate()


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()
