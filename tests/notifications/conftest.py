"""Fixtures of the notifications tests: the events tests' small world."""
from __future__ import annotations

import pytest

from tests.events.world import World, build_world


@pytest.fixture
def world(db_session) -> World:
    """A network with a published event (capacity 1), its tutor and four teachers."""
    return build_world(db_session, capacity=1)
