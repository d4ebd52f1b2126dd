"""The app's shared cache (`lti_tool.core.cache`) and pylti1p3's launch-data storage over it."""
from __future__ import annotations

import typing as t

from flask import current_app
from pylti1p3.launch_data_storage.base import LaunchDataStorage

from ..core.cache import DatabaseCache, RedisCache, SharedCache
from ..web.extensions import db


def get_cache() -> SharedCache:
    """The shared cache of the current Flask app: Redis, or the database through the request's
    session (`db.session`; the view commits)."""
    ext = current_app.extensions.setdefault("tutornet_lti", {})
    if "cache" not in ext:
        redis_url = current_app.config.get("REDIS_URL")
        ext["cache"] = RedisCache(redis_url) if redis_url else DatabaseCache(session=_RequestSession(db))
    return ext["cache"]


class _RequestSession:
    """Resolves `db.session` at each call, so one cache object serves every request."""

    def __init__(self, database):
        self._db = database

    def execute(self, stmt, params=None):
        return self._db.session.execute(stmt, params)

    def get_bind(self):
        return self._db.engine


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
