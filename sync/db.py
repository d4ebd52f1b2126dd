"""One engine and session factory per worker process, built from DATABASE_URL.

Celery forks its pool processes: an engine created before the fork must not be shared, so the
factory is keyed by process id and rebuilt in each child.
"""
from __future__ import annotations

import os
import threading

from sqlalchemy import orm

from lti_tool.db import make_engine, make_session_factory

_lock = threading.Lock()
_factories: dict[tuple[int, str], orm.sessionmaker] = {}


def session_factory(database_url: str) -> orm.sessionmaker:
    """The process's session factory for `database_url` (created on first use)."""
    key = (os.getpid(), database_url)
    with _lock:
        factory = _factories.get(key)
        if factory is None:
            # A pool large enough for the push threads that write back results concurrently.
            kwargs = {} if database_url.startswith("sqlite") else {"pool_size": 10, "max_overflow": 10}
            factory = make_session_factory(make_engine(database_url, **kwargs))
            _factories[key] = factory
        return factory


def dispose_all() -> None:
    """Close every pooled connection of this process (tests, worker shutdown)."""
    with _lock:
        for (pid, _url), factory in list(_factories.items()):
            if pid == os.getpid():
                factory.kw["bind"].dispose()
        _factories.clear()
