"""Fixtures of the admin tests: a loopback platform over real HTTP, development mode on."""
from __future__ import annotations

import re

import pytest

from .platform import LoopbackPlatform


@pytest.fixture
def platform():
    """A Moodle-like platform on 127.0.0.1 serving its OpenID configuration and registration."""
    server = LoopbackPlatform()
    yield server
    server.stop()


@pytest.fixture
def dev_app(app):
    """The app with DEV_MODE on: http on loopback is allowed, as for a developer's machine."""
    app.config["DEV_MODE"] = True
    app.config["OUTBOUND_TIMEOUT"] = 2.0
    return app


def hidden_fields(html: str) -> dict[str, str]:
    """name → value of the hidden inputs of a page (the signed registration state)."""
    fields = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and 'type="hidden"' in tag:
            fields[name.group(1)] = value.group(1) if value else ""
    return fields
