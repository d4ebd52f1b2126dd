"""Shared expiring storage: OIDC state, deep-linking launch data, platform JWKS, access tokens.

Every process of the tool (and the sync worker) sees the same entries, so a login handled by one
process can be finished by another. The database table `cache_entry` is used unless REDIS_URL is
set. Values are JSON. Single use is atomic on both backends: `pop` deletes and returns in one
statement (DELETE … RETURNING / GETDEL) and `add_if_absent` is an insert-or-fail.

The database variant runs each call in its own short transaction on its own connection; on SQLite
do not call it while the same thread holds an open write transaction (it would wait on itself).
"""
from __future__ import annotations

import json
import random
import typing as t
from datetime import timedelta

import sqlalchemy as sa
from pylti1p3.launch_data_storage.base import LaunchDataStorage
from sqlalchemy.dialects import postgresql, sqlite

from ..db import utcnow
from .models import CacheEntry

_table = CacheEntry.__table__


class SharedCache:
    """The API every backend offers (values are anything JSON can hold; ttl in seconds)."""

    def get(self, key: str) -> t.Any | None:
        raise NotImplementedError

    def set(self, key: str, value: t.Any, ttl: int) -> None:
        raise NotImplementedError

    def add_if_absent(self, key: str, value: t.Any, ttl: int) -> bool:
        """Store only if no live entry exists; True for the one caller that stored it."""
        raise NotImplementedError

    def pop(self, key: str) -> t.Any | None:
        """Remove and return a live entry; concurrent callers: exactly one gets it."""
        raise NotImplementedError

    def delete(self, key: str) -> None:
        raise NotImplementedError


class DatabaseCache(SharedCache):
    """`cache_entry` rows; expired rows are ignored and purged now and then."""

    PURGE_PROBABILITY = 0.01

    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self._insert = sqlite.insert if engine.dialect.name == "sqlite" else postgresql.insert

    def get(self, key: str) -> t.Any | None:
        with self.engine.connect() as conn:
            value = conn.scalar(sa.select(_table.c.value).where(_table.c.key == key, _table.c.expires_at > utcnow()))
        return None if value is None else json.loads(value)

    def set(self, key: str, value: t.Any, ttl: int) -> None:
        stmt = self._insert(_table).values(key=key, value=json.dumps(value), expires_at=_expiry(ttl))
        stmt = stmt.on_conflict_do_update(
            index_elements=[_table.c.key], set_={"value": stmt.excluded.value, "expires_at": stmt.excluded.expires_at}
        )
        with self.engine.begin() as conn:
            conn.execute(stmt)
            if random.random() < self.PURGE_PROBABILITY:
                conn.execute(sa.delete(_table).where(_table.c.expires_at <= utcnow()))

    def add_if_absent(self, key: str, value: t.Any, ttl: int) -> bool:
        # An expired entry under the same key is replaced; a live one makes the insert fail.
        now = utcnow()
        stmt = self._insert(_table).values(key=key, value=json.dumps(value), expires_at=_expiry(ttl))
        stmt = stmt.on_conflict_do_update(
            index_elements=[_table.c.key],
            set_={"value": stmt.excluded.value, "expires_at": stmt.excluded.expires_at},
            where=_table.c.expires_at <= now,
        )
        with self.engine.begin() as conn:
            return conn.execute(stmt).rowcount == 1

    def pop(self, key: str) -> t.Any | None:
        stmt = sa.delete(_table).where(_table.c.key == key).returning(_table.c.value, _table.c.expires_at)
        with self.engine.begin() as conn:
            row = conn.execute(stmt).first()
        if row is None or _aware(row.expires_at) <= utcnow():
            return None
        return json.loads(row.value)

    def delete(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.delete(_table).where(_table.c.key == key))

    def purge_expired(self) -> int:
        """Delete expired rows; returns how many (for a periodic task)."""
        with self.engine.begin() as conn:
            return conn.execute(sa.delete(_table).where(_table.c.expires_at <= utcnow())).rowcount


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
    """The configured backend: Redis when a URL is given, else the database."""
    return RedisCache(redis_url) if redis_url else DatabaseCache(database_engine)


def get_cache() -> SharedCache:
    """The shared cache of the current Flask app (created once per app)."""
    from flask import current_app

    from ..extensions import db

    ext = current_app.extensions.setdefault("tutornet_lti", {})
    if "cache" not in ext:
        ext["cache"] = make_cache(db.engine, current_app.config.get("REDIS_URL"))
    return ext["cache"]


class SharedLaunchDataStorage(LaunchDataStorage[t.Any]):
    """pylti1p3 launch-data storage over `SharedCache`, never keyed by a cookie.

    Keys are unguessable (state, launch id), so no session cookie is needed: the launch works
    when the browser blocks third-party cookies.
    """

    def __init__(self, cache: SharedCache, default_ttl: int = 3600):
        super().__init__()
        self._cache = cache
        self._default_ttl = default_ttl

    def get_session_cookie_name(self) -> None:
        return None

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str) -> t.Any:
        return self._cache.get(self._prepare_key(key))

    def set_value(self, key: str, value: t.Any, exp: int | None = None) -> None:
        self._cache.set(self._prepare_key(key), value, exp or self._default_ttl)

    def check_value(self, key: str) -> bool:
        return self.get_value(key) is not None

    def pop_value(self, key: str) -> t.Any:
        """Atomically take a value (single-use state)."""
        return self._cache.pop(self._prepare_key(key))


def _expiry(ttl: int):
    return utcnow() + timedelta(seconds=ttl)


def _aware(value):
    """SQLite hands back naive datetimes: they are UTC."""
    from datetime import timezone

    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
