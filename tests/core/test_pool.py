"""Pooled PostgreSQL connections: pinged only after sitting idle, and a dead one never lingers."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from lti_tool.core.db import make_engine, ping_when_idle
from tests import backends


@pytest.fixture
def pg_url():
    url = backends.postgres_url()
    if url is None:
        pytest.skip("PostgreSQL is not reachable")
    return url


def _backend_pid(engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(sa.text("SELECT pg_backend_pid()"))


def _terminate(pg_url: str, pid: int) -> None:
    killer = sa.create_engine(pg_url, poolclass=sa.pool.NullPool)
    with killer.connect() as connection:
        assert connection.scalar(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    killer.dispose()


def test_idle_connection_is_pinged_and_replaced(pg_url):
    """A connection killed while idle in the pool (server restart, idle timeout) is never handed out."""
    engine = sa.create_engine(pg_url, pool_size=1, max_overflow=0)
    ping_when_idle(engine, idle=0)
    try:
        first = _backend_pid(engine)
        _terminate(pg_url, first)
        second = _backend_pid(engine)  # no error: the ping found it dead, the pool reconnected
        assert second != first
    finally:
        engine.dispose()


def _count_pings(engine) -> list:
    pings = []
    ping = engine.dialect.do_ping
    engine.dialect.do_ping = lambda dbapi_connection: (pings.append(1), ping(dbapi_connection))[1]
    return pings


def test_recently_used_connection_is_not_pinged(pg_url):
    """Within the idle window no ping is sent: a request costs no extra round trip."""
    engine = make_engine(pg_url, pool_size=1, max_overflow=0)
    pings = _count_pings(engine)
    try:
        for _ in range(3):
            _backend_pid(engine)
        assert pings == []
    finally:
        engine.dispose()


def test_idle_connection_is_pinged(pg_url):
    engine = sa.create_engine(pg_url, pool_size=1, max_overflow=0)
    ping_when_idle(engine, idle=0)
    pings = _count_pings(engine)
    try:
        for _ in range(3):
            _backend_pid(engine)
        assert len(pings) == 2  # every checkout after the first (a new connection needs none)
    finally:
        engine.dispose()


def test_connection_killed_within_the_window_fails_once_then_recovers(pg_url):
    """The cost of skipping the ping: one failed request, then the pool has reconnected."""
    engine = make_engine(pg_url, pool_size=2, max_overflow=0)
    try:
        first = _backend_pid(engine)
        _terminate(pg_url, first)
        with pytest.raises(sa.exc.OperationalError):
            _backend_pid(engine)
        assert _backend_pid(engine) != first
    finally:
        engine.dispose()
