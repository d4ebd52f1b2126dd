"""Which real services the test run uses: SQLite always, PostgreSQL and Redis when reachable.

TEST_DATABASE_URL / TEST_REDIS_URL name services the run MUST use: if set and unreachable, the
run fails instead of skipping (CI sets them). Unset, 127.0.0.1's default ports are tried.
"""
from __future__ import annotations

import os
import socket
import uuid
from functools import lru_cache
from urllib.parse import urlparse

import sqlalchemy as sa

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


def _reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 0), timeout=1):
            return True
    except OSError:
        return False


@lru_cache(maxsize=None)
def postgres_url() -> str | None:
    """The PostgreSQL server URL to create test databases on, or None (skip)."""
    required = os.environ.get("TEST_DATABASE_URL")
    url = required or DEFAULT_PG
    if _reachable(url):
        return url
    if required:
        raise RuntimeError(f"TEST_DATABASE_URL={required} is unreachable; refusing to skip PostgreSQL tests")
    return None


@lru_cache(maxsize=None)
def redis_url() -> str | None:
    """The Redis URL for broker/cache tests, or None (skip)."""
    required = os.environ.get("TEST_REDIS_URL")
    url = required or DEFAULT_REDIS
    if _reachable(url):
        return url
    if required:
        raise RuntimeError(f"TEST_REDIS_URL={required} is unreachable; refusing to skip Redis tests")
    return None


def private_redis_url(slot: int) -> str | None:
    """The Redis server on a database number of a test module's own (`slot`), or None (skip).

    `TEST_REDIS_DB_OFFSET` shifts every slot, so that two checkouts running their suites on one
    machine do not flush each other's databases.
    """
    base = redis_url()
    if base is None:
        return None
    db = (slot + int(os.environ.get("TEST_REDIS_DB_OFFSET", "0"))) % 16
    return sa.make_url(base).set(database=str(db)).render_as_string(hide_password=False)


def create_postgres_database(server_url: str) -> str:
    """Create a fresh, uniquely named database beside `server_url`'s and return its URL."""
    name = f"tutornet_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return sa.make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(server_url: str, db_url: str) -> None:
    """Drop a database made by `create_postgres_database` (terminating leftover connections)."""
    name = sa.make_url(db_url).database
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
