"""Fixtures of the browser tests: the running stack (once per run), Chromium, a page per test.

Skipped with a reason when /usr/bin/chromium or PostgreSQL is missing (TEST_DATABASE_URL set
makes PostgreSQL mandatory, see tests/backends.py). The grade delivery test also needs Redis.
"""
from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from tests import backends

from .stack import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, start_stack


def _clone(server: str, template: str) -> str:
    """A fresh copy of a database that already holds the demo data (quicker reruns by hand)."""
    import uuid

    name = f"tutornet_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    admin.dispose()
    return sa.make_url(server).set(database=name).render_as_string(hide_password=False)


def _create_unmigrated_tables(url: str) -> None:
    """Tables of an area whose migration is not written yet (work in progress in the tree).

    tests/core/test_migrations.py is what fails on a missing migration; the browser tests
    should report what a person sees, not stop at the schema.
    """
    from lti_tool.core.db import make_engine
    from lti_tool.models import Base

    engine = make_engine(url)
    missing = [t for t in Base.metadata.sorted_tables if not sa.inspect(engine).has_table(t.name)]
    if missing:
        import warnings

        Base.metadata.create_all(engine, tables=missing)
        warnings.warn(f"no migration creates {', '.join(t.name for t in missing)}: created from the models",
                      pytest.PytestWarning, stacklevel=1)
    engine.dispose()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing: run scripts/install-browser (Debian's chromium package)")
    return CHROMIUM


@pytest.fixture(scope="session")
def stack(chromium_path, tmp_path_factory):
    """PostgreSQL + demo data, the demo LMS, the tool (gunicorn), a Celery worker when Redis is up."""
    from lti_tool.cli import upgrade

    from .scenario import arrange

    server = backends.postgres_url()
    if server is None:
        pytest.skip("PostgreSQL is not reachable (set TEST_DATABASE_URL)")
    broker = backends.private_redis_url(13)
    template = os.environ.get("TUTORNET_BROWSER_TEMPLATE_DB")
    url = _clone(server, template) if template else backends.create_postgres_database(server)
    running = None
    try:
        upgrade(url)
        _create_unmigrated_tables(url)
        running = start_stack(tmp_path_factory.mktemp("stack"), url, broker, demo_loaded=bool(template))
        running.ids = arrange(running)
        running.broker = broker
        if broker:
            running.start_worker(broker)
        yield running
    finally:
        if running is not None:
            running.stop()
        backends.drop_postgres_database(server, url)


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    try:
        instance = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True,
                                      timeout=30_000)
        yield instance
        instance.close()
    finally:
        pw.stop()


@pytest.fixture
def page(browser, request):
    """A fresh browser profile per test (no cookies carried over), Russian, 1280×800."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="ru-RU")
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    yield page
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "screenshots" / f"FAILED-{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item (the page fixture screenshots failures)."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def course_links(stack, browser):
    """The methodist places the survey, the tutorial and the route in the course by deep linking
    (in the browser, inside the LMS frame); returns {kind: demo LMS link id}."""
    from .helpers import deep_link

    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="ru-RU")
    try:
        page = context.new_page()
        return deep_link(page, stack, [f"survey:{stack.ids['survey_id']}", f"event:{stack.ids['event_id']}",
                                       "route:", "resource_map:", "dashboard:"])
    finally:
        context.close()


@pytest.fixture(scope="session")
def teacher_signed_up(stack, course_links):
    """The course's teacher has launched the tutorial's link and is registered for it (the teacher
    test does this in the browser; this makes the tutor test independent of it)."""
    import requests

    from demo_lms.testing import launch

    from .scenario import sign_up_lti_user

    with requests.Session() as http:
        launch(http, stack.lms_url, course_links["event"], "teacher")  # provisions user, enrolment, link
    sign_up_lti_user(stack, stack.ids["teacher"]["user_id"], stack.ids["event_id"])
    return stack.ids["teacher"]
