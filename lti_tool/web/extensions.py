"""Flask extensions, created once and wired with `init_app` in the factory."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, current_app
from flask.globals import app_ctx
from flask_babel import Babel
from flask_wtf import CSRFProtect
from sqlalchemy import orm

from ..core.db import make_engine, make_session_factory


def pool_options(config) -> dict:
    """PostgreSQL's pool from DATABASE_POOL_SIZE / DATABASE_MAX_OVERFLOW (at least the request
    threads of one process: a request that waits for a connection waits in an unfair queue)."""
    options = {}
    if config.get("DATABASE_POOL_SIZE") and not config["DATABASE_URL"].startswith("sqlite"):
        options["pool_size"] = int(config["DATABASE_POOL_SIZE"])
        if config.get("DATABASE_MAX_OVERFLOW") is not None:
            options["max_overflow"] = int(config["DATABASE_MAX_OVERFLOW"])
    return options


class Database:
    """Per-app engine and an app-context-scoped session (`db.session`), removed at teardown."""

    def init_app(self, app: Flask) -> None:
        engine = make_engine(app.config["DATABASE_URL"], **pool_options(app.config))
        factory = make_session_factory(engine)
        # One session per app context (not per thread): a request, a CLI command or a test's
        # `with app.app_context()` each get their own, closed when that context ends.
        scoped = orm.scoped_session(factory, scopefunc=lambda: id(app_ctx._get_current_object()))
        app.extensions["tutornet_db"] = (engine, scoped)

        @app.teardown_appcontext
        def _remove_session(_exc):
            app.extensions["tutornet_db"][1].remove()

    @property
    def engine(self) -> sa.Engine:
        return current_app.extensions["tutornet_db"][0]

    @property
    def session(self) -> orm.Session:
        return current_app.extensions["tutornet_db"][1]()


db = Database()
babel = Babel()
csrf = CSRFProtect()
