"""The SQLAlchemy base, engine and session factory, shared by the web app and the sync worker.

Nothing here imports Flask: `sync/` builds its own sessions from the same functions.
"""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy import event, orm

# Stable constraint names so that Alembic migrations (and SQLite batch mode) can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Timezone-aware now, the only clock the models use."""
    return datetime.now(timezone.utc)


class Base(orm.DeclarativeBase):
    """Declarative base of every TutorNet model."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: sa.DateTime(timezone=True)}


def make_engine(url: str, **kwargs) -> sa.Engine:
    """Create an engine; SQLite gets foreign keys, WAL and a busy timeout for several processes."""
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30})
        engine = sa.create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            # With WAL, NORMAL keeps the database consistent after a crash and saves an fsync per commit.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return sa.create_engine(url, **kwargs)


def make_session_factory(engine: sa.Engine) -> orm.sessionmaker[orm.Session]:
    """Sessions that keep loaded objects usable after commit (views render after committing)."""
    return orm.sessionmaker(bind=engine, expire_on_commit=False)


def is_sqlite(session_or_engine) -> bool:
    """True when the bound database is SQLite (a few queries need a portable variant)."""
    bind = session_or_engine.get_bind() if isinstance(session_or_engine, orm.Session) else session_or_engine
    return bind.dialect.name == "sqlite"
