"""Fixtures: the tool's database (SQLite and PostgreSQL), a demo LMS with the tool registered, and
the worker's runtime pointed at both."""
from __future__ import annotations

import os

import pytest

from demo_lms.testing import start_demo_lms
from lti_tool.core.db import make_engine, make_session_factory
from sync.runtime import build_runtime
from sync.settings import sync_settings
from tests.conftest import empty_tables

from .helpers import JwksServer, make_tool_key, register_tool, seed_tool_side

# DEV_MODE: the demo LMS speaks plain http on loopback, which the outbound guard allows only then.
FAST = {"DEV_MODE": True, "SYNC_BACKOFF_BASE_SECONDS": 0.2, "SYNC_BACKOFF_MAX_SECONDS": 1.0, "SYNC_CONNECT_TIMEOUT": 2.0,
        "SYNC_READ_TIMEOUT": 2.0, "SYNC_PER_PLATFORM_CONCURRENCY": 4, "SYNC_NRPS_PAGE_SIZE": 7,
        "SYNC_LEASE_SECONDS": 30, "SYNC_DRAIN_SECONDS": 20.0,
        "SYNC_LINEITEM_SETTLE_SECONDS": 6.0}


@pytest.fixture
def sessions(database_url):
    """A session factory on a clean database of the current backend."""
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()
    empty_tables(database_url)


@pytest.fixture(scope="session")
def lms(tmp_path_factory):
    """One demo LMS for the run; tests make their own courses and reset faults."""
    server = start_demo_lms(data_dir=tmp_path_factory.mktemp("lms"))
    yield server
    server.stop()


@pytest.fixture
def tool(sessions, lms, database_url):
    """The tool registered at the LMS (fresh client_id and key), a course on both sides, a runtime."""
    with sessions.begin() as s:
        key = make_tool_key(s)
        jwk = key.public_jwk
    jwks = JwksServer({"keys": [jwk]})
    client_id = "tutornet-" + os.urandom(4).hex()
    register_tool(lms, client_id, jwks.url)
    lms.set_faults()
    lms_course = lms.create_course(title="Сетевой курс", label="SYNC", learners=0)
    with sessions.begin() as s:
        ids = seed_tool_side(s, lms.url, client_id, lms_course["id"])
    settings = sync_settings({"DATABASE_URL": database_url, "REDIS_URL": None, **FAST})
    rt = build_runtime(settings, sessions)
    yield ToolContext(lms=lms, client_id=client_id, lms_course_id=lms_course["id"], rt=rt, **ids)
    lms.set_faults()
    jwks.stop()


class ToolContext:
    def __init__(self, **kw):
        self.__dict__.update(kw)
