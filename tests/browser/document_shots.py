"""Screenshots of the documents' print pages for docs/documents.md:
`.venv/bin/python -m tests.browser.document_shots`.

A fresh PostgreSQL database with the demo data (`flask demo load`) and a commission meeting with two
decisions; the tool served on loopback by werkzeug; headless Chromium (Debian's) opens each print page
as the demo methodist (the session cookie a launch would leave) and writes 1280-wide PNGs of the
document's first screen to docs/screenshots/document-*.png.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import threading
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from .stack import CHROMIUM, CHROMIUM_ARGS, ROOT

OUT = ROOT / "docs" / "screenshots"


def _arrange(app) -> dict:
    """Demo data, a commission meeting with decisions, and the ids of the pages to shoot."""
    from lti_tool.commission import services as commission
    from lti_tool.core.accounts import User
    from lti_tool.core.clock import utcnow
    from lti_tool.core.reference import Person
    from lti_tool.demo_data import load_all
    from lti_tool.events.models import Event
    from lti_tool.surveys.models import Survey
    from lti_tool.web.extensions import db

    with app.test_request_context("/"):
        s = db.session
        network = load_all(s, echo=lambda *_: None)
        methodist = User(issuer="https://lms.example", sub="shots-methodist", name="Кузнецова Елена Павловна")
        s.add(methodist)
        s.flush()
        tutees = list(s.scalars(sa.select(Person).where(Person.network_id == network.id,
                                                        Person.is_tutor.is_(False)).order_by(Person.id).limit(3)))
        meeting = commission.create_meeting(
            s, network.id, (utcnow() - timedelta(days=3)).date(), "Весеннее заседание",
            [{"name": "Кузнецова Елена Павловна", "role": "chair"}, {"name": "Орлова Ирина Сергеевна", "role": "secretary"},
             {"name": "Петрова Анна Викторовна", "role": "member"}])
        for person, outcome in zip(tutees, ("awarded", "postponed", "awarded")):
            file = commission.open_candidacy(s, network.id, person.id, methodist.id)
            for item in file.criteria[:7 if outcome == "awarded" else 4]:
                commission.assess_criterion(s, file, item.code, True, "Подтверждено документами")
            commission.record_decision(s, file, meeting, outcome, "По итогам рассмотрения критериев п. 3.3.",
                                       methodist.id)
        event = s.scalar(sa.select(Event).where(Event.network_id == network.id, Event.protocol_number.is_not(None))
                         .order_by(Event.id))
        survey = s.scalar(sa.select(Survey).where(Survey.network_id == network.id, Survey.kind == "needs")
                          .order_by(Survey.id))
        s.commit()
        return {"network_id": network.id, "user_id": methodist.id, "event_id": event.id, "survey_id": survey.id,
                "meeting_id": meeting.id}


def make(out: Path = OUT) -> list[Path]:
    """Build the data, serve the tool, shoot each document's print page, clean up."""
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from lti_tool import create_app
    from lti_tool.cli import upgrade
    from lti_tool.web.auth import METHODIST, SESSION_KEY, Actor, store_actor
    from tests import backends

    server_url = backends.postgres_url()
    if server_url is None:
        raise SystemExit("PostgreSQL is not reachable (TEST_DATABASE_URL)")
    url = backends.create_postgres_database(server_url)
    out.mkdir(parents=True, exist_ok=True)
    http = None
    try:
        upgrade(url)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": os.urandom(16).hex(), "TESTING": False})
        ids = _arrange(app)
        client = app.test_client()
        actor = Actor(user_id=ids["user_id"], network_id=ids["network_id"], roles=frozenset({METHODIST}),
                      course_id=None, name="Кузнецова Елена Павловна")
        with client.session_transaction() as session, app.test_request_context("/"):
            session[SESSION_KEY] = store_actor(actor)  # a server-side session (issue 18, finding 10)
        cookie = client.get_cookie("tutornet_session")
        http = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=http.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{http.server_port}"
        pages = {
            "document-protocol": f"/events/{ids['event_id']}/protocol/document",
            "document-spravka": f"/surveys/{ids['survey_id']}/spravka",
            "document-yearly": "/reports/yearly/document",
            "document-commission": f"/commission/meetings/{ids['meeting_id']}/protocol",
        }
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            context = browser.new_context(viewport={"width": 1280, "height": 1100}, locale="ru-RU")
            context.add_cookies([{"name": "tutornet_session", "value": cookie.value, "url": base}])
            page = context.new_page()
            for name, path in pages.items():
                response = page.goto(base + path)
                assert response is not None and response.status == 200, (path, response and response.status)
                page.screenshot(path=str(out / f"{name}.png"), full_page=False)
            page.goto(base + pages["document-yearly"])  # the narrative the methodist edits
            top = page.evaluate("document.getElementById('narrative-thanks').getBoundingClientRect().top + window.scrollY")
            page.screenshot(path=str(out / "document-yearly-narrative.png"), full_page=True,
                            clip={"x": 0, "y": max(0, top - 60), "width": 1280, "height": 1100})
            browser.close()
    finally:
        if http is not None:
            http.shutdown()
        backends.drop_postgres_database(server_url, url)
    return sorted(out.glob("document-*.png"))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    os.environ.setdefault("TUTORNET_INSTANCE", tempfile.mkdtemp(prefix="tutornet-shots-instance-"))
    for path in make(args.out):
        print(f"{path.relative_to(ROOT)}\t{path.stat().st_size // 1024} KiB")
