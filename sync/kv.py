"""Shared expiring key-value storage for the worker: Redis when REDIS_URL is set, else `cache_entry`.

The same interface as the web app's shared cache (get / set with ttl / pop / add_if_absent), so
tokens fetched by one worker process serve every other process and the web app.
"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.dialects import postgresql, sqlite

from lti_tool.db import utcnow
from lti_tool.lti.models import CacheEntry


class DbKV:
    """Entries in the `cache_entry` table; expired rows are ignored and overwritten."""

    def __init__(self, session_factory: orm.sessionmaker):
        self.sessions = session_factory

    def get(self, key: str) -> str | None:
        """The live value of `key`, or None."""
        with self.sessions() as s:
            return s.scalar(sa.select(CacheEntry.value).where(CacheEntry.key == key, CacheEntry.expires_at > utcnow()))

    def set(self, key: str, value: str, ttl: float) -> None:
        """Store `value` for `ttl` seconds (upsert)."""
        with self.sessions.begin() as s:
            s.execute(self._upsert(s, key, value, ttl, overwrite=True))

    def add_if_absent(self, key: str, value: str, ttl: float) -> bool:
        """Store `value` unless a live entry exists; True if stored (a lock taken)."""
        with self.sessions.begin() as s:
            # Expired entries count as absent: drop this one first, inside the same transaction.
            s.execute(sa.delete(CacheEntry).where(CacheEntry.key == key, CacheEntry.expires_at <= utcnow()))
            stmt = self._upsert(s, key, value, ttl, overwrite=False).returning(CacheEntry.key)
            return s.execute(stmt).scalar() is not None

    def pop(self, key: str, expected: str | None = None) -> None:
        """Delete `key` (only when it still holds `expected`, if given)."""
        with self.sessions.begin() as s:
            query = sa.delete(CacheEntry).where(CacheEntry.key == key)
            if expected is not None:
                query = query.where(CacheEntry.value == expected)
            s.execute(query)

    @staticmethod
    def _upsert(s: orm.Session, key: str, value: str, ttl: float, overwrite: bool):
        dialect = postgresql if s.get_bind().dialect.name == "postgresql" else sqlite
        row = {"key": key, "value": value, "expires_at": utcnow() + timedelta(seconds=ttl)}
        stmt = dialect.insert(CacheEntry).values(row)
        if overwrite:
            return stmt.on_conflict_do_update(index_elements=["key"],
                                              set_={"value": row["value"], "expires_at": row["expires_at"]})
        return stmt.on_conflict_do_nothing(index_elements=["key"])


class RedisKV:
    """Entries in Redis with native expiry."""

    def __init__(self, url: str, prefix: str = "tutornet:"):
        import redis

        self.redis = redis.Redis.from_url(url, decode_responses=True)
        self.prefix = prefix

    def get(self, key: str) -> str | None:
        return self.redis.get(self.prefix + key)

    def set(self, key: str, value: str, ttl: float) -> None:
        self.redis.set(self.prefix + key, value, px=max(int(ttl * 1000), 1))

    def add_if_absent(self, key: str, value: str, ttl: float) -> bool:
        return bool(self.redis.set(self.prefix + key, value, px=max(int(ttl * 1000), 1), nx=True))

    def pop(self, key: str, expected: str | None = None) -> None:
        if expected is None or self.redis.get(self.prefix + key) == expected:
            self.redis.delete(self.prefix + key)


def make_kv(settings: dict, session_factory: orm.sessionmaker):
    """Redis when REDIS_URL is configured, else the database."""
    if settings.get("REDIS_URL"):
        return RedisKV(settings["REDIS_URL"])
    return DbKV(session_factory)
