"""Fixtures of the reports tests: the fixed data set, and a request context for translated labels."""
from __future__ import annotations

import pytest
from flask import current_app

from . import dataset


@pytest.fixture
def data(db_session) -> dataset.Data:
    """The fixed network of `dataset.py`, built inside a Russian request context (labels are translated)."""
    with current_app.test_request_context():
        yield dataset.build(db_session)
