"""Open a page of a generated region as its representative person and count its SQL statements.

`count_statements(engine)` records every statement the engine sends to the database
(SQLAlchemy's `before_cursor_execute`, all threads) while the block runs. `open_page` signs a
fresh test client in as the page's role, the way a launch leaves the session, and returns the
status, the statements, the wall time and the size of the answer. Used by the statement-count
tests and by benchmarks/bench_region_pages.py.
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa

from lti_tool.web.auth import ADMIN, METHODIST, SESSION_KEY, TEACHER, TUTOR, Actor, store_actor
from lti_tool.web.pages import forget_platform_origins
from lti_tool.demo_region.journeys import Page, Picks

ROLES = {"teacher": {TEACHER}, "tutor": {TUTOR}, "methodist": {METHODIST}, "admin": {ADMIN, METHODIST}}


@contextmanager
def count_statements(engine: sa.Engine):
    """Yield a list that collects the SQL of every statement executed inside the block."""
    statements: list[str] = []

    def before(_conn, _cursor, statement, _parameters, _context, _executemany):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


@dataclass(frozen=True)
class Opened:
    """What one request did."""

    status: int
    statements: list[str]
    seconds: float
    size: int
    location: str | None


def client_as(app, picks: Picks, role: str):
    """A test client (https) whose session holds the role's representative actor."""
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    actor = Actor(user_id=picks.users[role], network_id=picks.network_id, roles=frozenset(ROLES[role]),
                  course_id=picks.ids.get("course"), name=role)
    with client.session_transaction() as sess:
        with app.test_request_context("/"):
            sess[SESSION_KEY] = store_actor(actor)
    return client


def open_page(app, picks: Picks, page: Page, client=None) -> Opened:
    """Request `page` as its role; statements counted on the app's engine."""
    client = client or client_as(app, picks, page.role)
    engine = app.extensions["tutornet_db"][0]
    # The CSP's platform origins are cached for seconds per process: start every page cold, so
    # each page counts their one query whatever the time since the previous page.
    with app.app_context():
        forget_platform_origins()
    with count_statements(engine) as statements:
        t0 = time.perf_counter()
        if page.method == "POST":
            from werkzeug.datastructures import MultiDict

            response = client.post(page.path, data=MultiDict(list(page.form)))
        else:
            response = client.get(page.path)
        body = response.get_data()
        seconds = time.perf_counter() - t0
    return Opened(response.status_code, list(statements), seconds, len(body), response.headers.get("Location"))
