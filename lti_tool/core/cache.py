"""Shared expiring storage: the `cache_entry` table and the backends over it or Redis.

Every process of the tool (and the sync worker) sees the same entries, so a login handled by one
process can be finished by another (OIDC state, deep-linking launch data, platform JWKS, access
tokens, worker leases). The database table `cache_entry` is used unless REDIS_URL is set. Values
are JSON. Single use is atomic on both backends: `pop` deletes and returns in one statement
(DELETE … RETURNING / GETDEL) and `add_if_absent` is an insert-or-fail.

Bound to a session (a web request), the database variant works inside the session's transaction
(the view commits); bound to an engine, each call is its own transaction.
"""
from __future__ import annotations

import json
import random
import typing as t
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from .clock import as_utc, utcnow
from .db import Base


class CacheEntry(Base):
    """Shared key-value storage with expiry (OIDC state, nonces, launch data, access tokens).

    Lives in the database so that any process can finish what another began; Redis is used
    instead when REDIS_URL is set.
    """

    __tablename__ = "cache_entry"

    key: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    value: Mapped[str] = mapped_column(sa.Text)
    expires_at: Mapped[datetime] = mapped_column(index=True)


_table = CacheEntry.__table__
_STATEMENTS: dict = {}  # insert-or-fail statement per dialect's insert()


class SharedCache:
    """The API every backend offers (values are anything JSON can hold; ttl in seconds)."""

    transactional = False  # True when writes join (and roll back with) the request's transaction

    def get(self, key: str) -> t.Any | None:
        raise NotImplementedError

    def set(self, key: str, value: t.Any, ttl: int) -> None:
        raise NotImplementedError

    def add_if_absent(self, key: str, value: t.Any, ttl: int) -> bool:
        """Store only if no live entry exists; True for the one caller that stored it."""
        raise NotImplementedError

    def add_if_absent_parts(self, key: str, value: t.Any, ttl: int):
        """`add_if_absent` as (statement, parameters) that a caller runs inside its own statement
        and transaction, or None when the backend cannot (the caller then calls `add_if_absent`)."""
        return None

    def pop(self, key: str) -> t.Any | None:
        """Remove and return a live entry; concurrent callers: exactly one gets it."""
        raise NotImplementedError

    def delete(self, key: str) -> None:
        raise NotImplementedError


class DatabaseCache(SharedCache):
    """`cache_entry` rows; expired rows are ignored and purged now and then.

    Bound to an engine, each call is its own committed transaction (the sync worker). Bound to a
    session (a web request), calls join the session's transaction and the caller commits: the
    request then needs one connection, not two (two per request exhaust the pool under load),
    and a launch consumes its state in the same transaction that writes its rows.
    """

    PURGE_PROBABILITY = 0.01

    def __init__(self, engine: sa.Engine | None = None, *, session=None):
        self.engine = engine
        self.session = session
        self.transactional = session is not None  # writes roll back with the caller's transaction
        bind = engine if engine is not None else session.get_bind()
        self._insert = sqlite.insert if bind.dialect.name == "sqlite" else postgresql.insert

    def _execute(self, stmt, fetch=lambda result: None, params=None):
        if self.session is not None:
            return fetch(self.session.execute(stmt, params))
        with self.engine.begin() as conn:
            return fetch(conn.execute(stmt, params))

    def get(self, key: str) -> t.Any | None:
        stmt = sa.select(_table.c.value).where(_table.c.key == key, _table.c.expires_at > utcnow())
        value = self._execute(stmt, lambda result: result.scalar())
        return None if value is None else json.loads(value)

    def set(self, key: str, value: t.Any, ttl: int) -> None:
        stmt = self._insert(_table).values(key=key, value=json.dumps(value), expires_at=_expiry(ttl))
        stmt = stmt.on_conflict_do_update(
            index_elements=[_table.c.key], set_={"value": stmt.excluded.value, "expires_at": stmt.excluded.expires_at}
        )
        self._execute(stmt)
        if random.random() < self.PURGE_PROBABILITY:
            self.purge_expired()

    def add_if_absent(self, key: str, value: t.Any, ttl: int) -> bool:
        # An expired entry under the same key is replaced; a live one makes the insert fail.
        # The statement is built once per backend (a launch runs it every time).
        added = self._execute(self._add_if_absent_stmt(), lambda result: result.first() is not None,
                              _add_params(key, value, ttl))
        if random.random() < self.PURGE_PROBABILITY:
            self.purge_expired()
        return added

    def add_if_absent_parts(self, key: str, value: t.Any, ttl: int):
        """The INSERT … RETURNING of `add_if_absent` and its parameters, for a caller that runs it as
        a CTE of its own statement in its own transaction (the launch: one round trip less); the
        CTE returns a row only if this call stored the value. None on SQLite (no data-modifying
        CTEs) and outside a request (no caller's transaction)."""
        if self.session is None or self._insert is not postgresql.insert:
            return None
        return self._add_if_absent_stmt(), _add_params(key, value, ttl)

    def _add_if_absent_stmt(self):
        stmt = _STATEMENTS.get(self._insert)
        if stmt is None:
            insert = self._insert(_table).values(key=sa.bindparam("key"), value=sa.bindparam("value"),
                                                 expires_at=sa.bindparam("expires_at"))
            stmt = _STATEMENTS[self._insert] = insert.on_conflict_do_update(
                index_elements=[_table.c.key],
                set_={"value": insert.excluded.value, "expires_at": insert.excluded.expires_at},
                where=_table.c.expires_at <= sa.bindparam("now"),
            ).returning(_table.c.key)  # a row comes back only if this call stored the value
        return stmt

    def pop(self, key: str) -> t.Any | None:
        stmt = sa.delete(_table).where(_table.c.key == key).returning(_table.c.value, _table.c.expires_at)
        row = self._execute(stmt, lambda result: result.first())
        if row is None or as_utc(row.expires_at) <= utcnow():
            return None
        return json.loads(row.value)

    def delete(self, key: str) -> None:
        self._execute(sa.delete(_table).where(_table.c.key == key))

    def purge_expired(self) -> int:
        """Delete expired rows; returns how many (for a periodic task)."""
        return self._execute(sa.delete(_table).where(_table.c.expires_at <= utcnow()), lambda r: r.rowcount)


class RedisCache(SharedCache):
    """Redis keys under a prefix; expiry is Redis's own."""

    def __init__(self, url: str, prefix: str = "tutornet:"):
        import redis  # optional dependency, only when REDIS_URL is set

        self.client = redis.Redis.from_url(url)
        self.prefix = prefix

    def get(self, key: str) -> t.Any | None:
        raw = self.client.get(self.prefix + key)
        return None if raw is None else json.loads(raw)

    def set(self, key: str, value: t.Any, ttl: int) -> None:
        self.client.set(self.prefix + key, json.dumps(value), ex=max(1, int(ttl)))

    def add_if_absent(self, key: str, value: t.Any, ttl: int) -> bool:
        return bool(self.client.set(self.prefix + key, json.dumps(value), ex=max(1, int(ttl)), nx=True))

    def pop(self, key: str) -> t.Any | None:
        raw = self.client.getdel(self.prefix + key)
        return None if raw is None else json.loads(raw)

    def delete(self, key: str) -> None:
        self.client.delete(self.prefix + key)


def make_cache(database_engine: sa.Engine, redis_url: str | None = None) -> SharedCache:
    """The configured backend for code outside a request (the sync worker): Redis or the database."""
    return RedisCache(redis_url) if redis_url else DatabaseCache(database_engine)


def _add_params(key: str, value: t.Any, ttl: int) -> dict:
    now = utcnow()
    return {"key": key, "value": json.dumps(value), "expires_at": now + timedelta(seconds=ttl), "now": now}


def _expiry(ttl: int):
    return utcnow() + timedelta(seconds=ttl)
