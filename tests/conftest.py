"""Shared fixtures: an app per database backend, a client, a session, and signed-in actors.

Every test that takes `app` (or `client`, `db_session`) runs on SQLite and, when the server is
reachable, on PostgreSQL. Tables are created once per backend and emptied after each test.
"""
from __future__ import annotations

import os
import tempfile

import pytest
import sqlalchemy as sa

# Isolate instance files (secret key, embedded broker) before the app package reads them.
os.environ.setdefault("TUTORNET_INSTANCE", tempfile.mkdtemp(prefix="tutornet-test-instance-"))

from lti_tool import create_app  # noqa: E402
from lti_tool.core.accounts import Network, User  # noqa: E402
from lti_tool.core.db import make_engine  # noqa: E402
from lti_tool.models import Base  # noqa: E402
from lti_tool.web.auth import ADMIN, METHODIST, SESSION_KEY, TEACHER, TUTOR, Actor, store_actor  # noqa: E402
from tests import backends  # noqa: E402

BACKENDS = ["sqlite", "postgresql"]


def pytest_report_header(config):
    pg = backends.postgres_url()
    redis = backends.redis_url()
    return (
        "backends: sqlite=yes, "
        f"postgresql={'yes (' + pg + ')' if pg else 'NOT REACHABLE - skipped'}, "
        f"redis={'yes (' + redis + ')' if redis else 'NOT REACHABLE - skipped'}"
    )


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory):
    """Lazily created empty schemas per backend for the whole run."""
    created: dict[str, str] = {}
    server = backends.postgres_url()

    def get(backend: str) -> str:
        if backend not in created:
            if backend == "sqlite":
                url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
            else:
                if server is None:
                    pytest.skip("PostgreSQL is not reachable")
                url = backends.create_postgres_database(server)
            engine = make_engine(url)
            Base.metadata.create_all(engine)
            engine.dispose()
            created[backend] = url
        return created[backend]

    yield get
    if server:
        for backend, url in created.items():
            if backend == "postgresql":
                backends.drop_postgres_database(server, url)


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """The database backend of this test run ('sqlite' or 'postgresql')."""
    return request.param


@pytest.fixture
def database_url(backend, database_urls) -> str:
    return database_urls(backend)


def empty_tables(url: str) -> None:
    """Remove every row (fast on both backends), keeping the schema."""
    engine = make_engine(url)
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(sa.text(f'DELETE FROM "{table}"'))
    engine.dispose()


@pytest.fixture
def app(database_url):
    """The app on a clean database of the current backend."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "CELERY_BROKER_URL": "memory://",
            "TOOL_BASE_URL": "https://tool.test",
            "SERVER_NAME": None,
        }
    )
    yield app
    app.extensions["tutornet_db"][0].dispose()
    empty_tables(database_url)


@pytest.fixture
def client(app):
    """A test client speaking https (the tool's cookies are Secure)."""
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    return client


@pytest.fixture
def db_session(app):
    """A database session for arranging and checking rows directly, inside an app context.

    The context belongs to a twin app (same config, same database): Flask reuses an already
    pushed context of the *same* app for test-client requests, which would share `g` and the
    session with the test; with a twin, every request gets its own context as in production,
    while services called directly from the test still have `current_app` and translations.
    """
    twin = create_app(dict(app.config))
    with twin.app_context():
        from lti_tool.web.extensions import db

        yield db.session
    twin.extensions["tutornet_db"][0].dispose()


class Auth:
    """Sign a client in as an actor of a network, the way a launch would leave the session."""

    def __init__(self, app, client):
        self.app = app
        self.client = client

    def network(self, name: str = "Ассоциация муниципальных сетевых тьюторов", slug: str | None = None) -> int:
        from lti_tool.web.extensions import db

        with self.app.app_context():
            net = Network(name=name, slug=slug or f"net-{os.urandom(4).hex()}")
            db.session.add(net)
            db.session.commit()
            return net.id

    def user(self, name: str = "Иванова Мария Петровна", email: str | None = None) -> int:
        from lti_tool.web.extensions import db

        with self.app.app_context():
            user = User(issuer="https://lms.test", sub=os.urandom(6).hex(), name=name, email=email)
            db.session.add(user)
            db.session.commit()
            return user.id

    def login(self, *roles: str, network_id: int | None = None, user_id: int | None = None,
              course_id: int | None = None, name: str = "Иванова Мария Петровна") -> Actor:
        """Put an actor into the client's session; creates the network and user when not given."""
        network_id = network_id or self.network()
        user_id = user_id or self.user(name=name)
        actor = Actor(user_id=user_id, network_id=network_id, roles=frozenset(roles or (TEACHER,)),
                      course_id=course_id, name=name)
        with self.client.session_transaction() as sess:
            sess[SESSION_KEY] = signed_in(self.app, actor)
        return actor

    def logout(self) -> None:
        with self.client.session_transaction() as sess:
            sess.clear()


def signed_in(app, actor: Actor) -> str:
    """A server-side session for `actor` (as a launch leaves it); the token for the cookie."""
    with app.test_request_context("/"):
        return store_actor(actor)


def session_actor(client) -> dict | None:
    """The actor the client's session stands for now, read back as the app reads it (or None)."""
    from lti_tool.web.auth import _read_actor

    with client.session_transaction() as sess:
        token = sess.get(SESSION_KEY)
    with client.application.test_request_context("/"):
        actor = _read_actor(token)
        return actor.to_session() if actor else None


@pytest.fixture
def auth(app, client) -> Auth:
    return Auth(app, client)


__all__ = ["ADMIN", "METHODIST", "TEACHER", "TUTOR"]
