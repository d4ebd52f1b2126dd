"""Alembic migrations create exactly the models' schema on SQLite and PostgreSQL, and revert."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from lti_tool.cli import downgrade, upgrade
from lti_tool.core.db import make_engine
from lti_tool.models import Base
from tests import backends


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrate.db'}"
        return
    server = backends.postgres_url()
    if server is None:
        pytest.skip("PostgreSQL is not reachable")
    url = backends.create_postgres_database(server)
    yield url
    backends.drop_postgres_database(server, url)


def test_upgrade_matches_models_and_downgrade_empties(empty_database):
    upgrade(empty_database)
    engine = make_engine(empty_database)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], f"models and migrations differ: {diff}"
    downgrade(empty_database, "base")
    tables = set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    engine.dispose()
    assert tables == set()
