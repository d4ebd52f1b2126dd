"""Fixtures of the events tests."""
from __future__ import annotations

import pytest

from .world import World, build_world


@pytest.fixture
def world(db_session) -> World:
    """The standard small network (4 enrolled teachers, capacity 10)."""
    return build_world(db_session)
