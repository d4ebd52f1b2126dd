"""Fixtures of the security reproductions (issue 18): loopback servers, two networks, the worker.

The worker's fixtures (a demo LMS with the tool registered, the worker's runtime) and the admin
area's loopback platform are the ones those areas' tests use.
"""
from __future__ import annotations

import time

import pytest

from tests.admin.platform import LoopbackPlatform
from tests.core.outbound_servers import Server
from tests.sync.conftest import lms, sessions, tool  # noqa: F401  (fixtures shared with the worker tests)


@pytest.fixture
def evil():
    """A plain-http server on 127.0.0.1 standing for an internal service or a hostile host."""
    server = Server()
    yield server
    server.stop()


@pytest.fixture
def loopback_platform():
    """A Moodle-like platform on 127.0.0.1 (OpenID configuration, registration endpoint, JWKS)."""
    server = LoopbackPlatform()
    yield server
    server.stop()


@pytest.fixture
def dev_app(app):
    """Development settings (http on loopback), short fetch deadlines."""
    app.config.update(DEV_MODE=True, OUTBOUND_TIMEOUT=1.0)
    return app


def wait_until(condition, seconds: float = 10.0) -> bool:
    """Poll `condition` until it holds or `seconds` pass (servers finish in their own threads)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return condition()
