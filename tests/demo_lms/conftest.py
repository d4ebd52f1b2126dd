"""Fixtures: a fake tool and a demo LMS wired to it, each on a free port."""
from __future__ import annotations

import pytest
import requests

from demo_lms.testing import start_demo_lms

from .fake_tool import FakeTool


@pytest.fixture(scope="session")
def tool():
    t = FakeTool()
    yield t
    t.stop()


@pytest.fixture
def lms(tool, tmp_path):
    server = start_demo_lms(tool_base_url=tool.url, data_dir=tmp_path / "lms")
    tool.lms_url = server.url
    tool.redirect_uri_override = None
    yield server
    server.stop()


@pytest.fixture
def http():
    with requests.Session() as s:
        yield s
