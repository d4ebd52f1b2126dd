"""The SQLAlchemy base, engine and session factory, shared by the web app and the sync worker.

Nothing here imports Flask: `sync/` builds its own sessions from the same functions.
"""
from __future__ import annotations

import time
from datetime import datetime

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

        drop_nul_characters(engine)
        return engine
    engine = sa.create_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        ping_when_idle(engine)
    drop_nul_characters(engine)
    return engine


def _no_nul(value):
    return value.replace("\x00", "") if isinstance(value, str) and "\x00" in value else value


def _params_without_nul(params):
    if isinstance(params, dict):
        if any(isinstance(v, str) and "\x00" in v for v in params.values()):
            return {key: _no_nul(value) for key, value in params.items()}
        return params
    if isinstance(params, (list, tuple)) and any(isinstance(v, str) and "\x00" in v for v in params):
        return type(params)(_no_nul(value) for value in params)
    return params


def drop_nul_characters(engine: sa.Engine) -> None:
    """Remove NUL characters from every string parameter of every statement.

    PostgreSQL text cannot hold U+0000 (the driver raises, so one name from a form or an LTI claim
    with a NUL answered 500), and no user means one; SQLite would store it and break the exports.
    Dropping it here covers forms, launches, imports and the worker alike, on both backends.
    """
    @event.listens_for(engine, "before_cursor_execute", retval=True)
    def _strip(_conn, _cursor, statement, parameters, _context, executemany):
        if executemany and isinstance(parameters, (list, tuple)):
            parameters = type(parameters)(_params_without_nul(p) for p in parameters)
        else:
            parameters = _params_without_nul(parameters)
        return statement, parameters


PING_AFTER_IDLE_SECONDS = 5.0


def ping_when_idle(engine: sa.Engine, idle: float = PING_AFTER_IDLE_SECONDS) -> None:
    """Ping a pooled connection at checkout only if it sat idle in the pool for `idle` seconds.

    `pool_pre_ping` pings at every checkout: one extra round trip per request, the price of
    a whole statement on a busy tool. A connection used a moment ago is almost surely alive; when
    it is not (the server restarted within those seconds), that request fails and SQLAlchemy's
    disconnect handling invalidates the rest of the pool, so the next requests reconnect.
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy):
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < idle:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # a dead connection: the pool replaces it and checks out again
            raise sa.exc.DisconnectionError(str(exc)) from exc


def make_session_factory(engine: sa.Engine) -> orm.sessionmaker[orm.Session]:
    """Sessions that keep loaded objects usable after commit (views render after committing)."""
    return orm.sessionmaker(bind=engine, expire_on_commit=False)


def is_sqlite(session_or_engine) -> bool:
    """True when the bound database is SQLite (a few queries need a portable variant)."""
    bind = session_or_engine.get_bind() if isinstance(session_or_engine, orm.Session) else session_or_engine
    return bind.dialect.name == "sqlite"
