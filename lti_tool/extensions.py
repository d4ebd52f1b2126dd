"""Flask extensions, created once and wired with `init_app` in the factory."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, current_app
from flask_babel import Babel
from flask_wtf import CSRFProtect
from sqlalchemy import orm

from .db import make_engine, make_session_factory


class Database:
    """Per-app engine and a request-scoped session (`db.session`), removed at teardown."""

    def init_app(self, app: Flask) -> None:
        engine = make_engine(app.config["DATABASE_URL"])
        factory = make_session_factory(engine)
        app.extensions["tutornet_db"] = (engine, orm.scoped_session(factory))

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
