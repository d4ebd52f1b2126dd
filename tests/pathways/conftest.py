"""Fixtures of the pathways tests."""
from __future__ import annotations

import pytest

from .world import World, build_world


@pytest.fixture
def world(db_session) -> World:
    """Three topics, one tutor, four teachers; no offerings or needs yet."""
    return build_world(db_session)
