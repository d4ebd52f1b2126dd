"""Alembic environment: metadata of every TutorNet model, URL from the caller or the environment."""
from __future__ import annotations

from alembic import context

from lti_tool.core.config import load_config
from lti_tool.core.db import make_engine
from lti_tool.models import Base

config = context.config
url = config.attributes.get("url") or load_config()["DATABASE_URL"]
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=url.startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(url)
    with engine.connect() as connection:
        # Batch mode lets the same ALTERs run on SQLite (copy-and-move) and PostgreSQL.
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=connection.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
