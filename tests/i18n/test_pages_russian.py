"""The pages of the teacher, tutor and methodist paths show no untranslated English string in `ru`.

The test client signs in as each role on demo-like data (the areas' own `load_demo`), crawls the
tool's pages from the role's start pages, and compares every visible text node (and the
aria-label, title, placeholder and alt attributes) with the English msgids that have a Russian
translation different from the msgid. A match is an English string a Russian user would see.
"""
from __future__ import annotations

import random
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import pytest
import sqlalchemy as sa
from babel.messages.pofile import read_po

from lti_tool import translations_tool as tt

START = {
    "teacher": ["/", "/pathways/", "/events/", "/surveys/", "/resource-map/", "/events/calendar"],
    "tutor": ["/", "/pathways/", "/events/", "/surveys/", "/resource-map/", "/pathways/portfolio"],
    "methodist": ["/", "/reports/", "/reports/yearly", "/reports/clusters", "/pathways/planner",
                  "/pathways/monitoring", "/events/", "/events/scales", "/surveys/", "/surveys/dynamics",
                  "/resource-map/", "/resource-map/matrix", "/resource-map/organizations", "/resource-map/people",
                  "/resource-map/clusters", "/resource-map/topics", "/resource-map/years", "/commission/",
                  "/surveys/offers", "/year/plan", "/year/archive", "/year/open"],
}
SKIP = re.compile(r"\.(xlsx|ics|csv|json|png|svg)$|/static/|/lti/|/admin/|/preview$")
MAX_PAGES = 70  # per role: every kind of page, not every row
IGNORED_TAGS = {"script", "style", "code", "pre", "option", "textarea"}
ATTRS = ("aria-label", "title", "placeholder", "alt")


@pytest.fixture
def backend() -> str:
    """SQLite only: the walk is about templates and catalogues, not the database."""
    return "sqlite"


def english_msgids() -> dict[str, str]:
    """English strings with a different Russian translation → the catalogue that holds them."""
    result = {}
    for po_path in tt.PACKAGE.glob("**/translations/ru/LC_MESSAGES/messages.po"):
        with po_path.open("rb") as fh:
            for m in read_po(fh, locale="ru"):
                if not m.id:
                    continue
                ids = m.id if isinstance(m.id, tuple) else (m.id,)
                strings = m.string if isinstance(m.string, tuple) else (m.string,)
                for msgid in ids:
                    if msgid not in strings and "%" not in msgid and re.search("[A-Za-z]{2}", msgid):
                        result[msgid.strip()] = str(po_path.relative_to(tt.PROJECT_ROOT))
    return result


class VisibleText(HTMLParser):
    """Visible text nodes and label-like attributes; links to follow."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in IGNORED_TAGS or "hidden" in a or a.get("lang", "ru") not in ("ru", ""):
            self._skip += tag not in ("input", "br", "img")
        for name in ATTRS:
            if a.get(name):
                self.texts.append(a[name])
        if tag == "input" and a.get("type") in ("submit", "button") and a.get("value"):
            self.texts.append(a["value"])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])

    def handle_endtag(self, tag):
        if self._skip and tag in IGNORED_TAGS | {"div", "span", "p", "section", "li"}:
            self._skip -= 1

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self._skip:
            self.texts.append(text)


def _demo(db_session, network_id: int) -> None:
    """The areas' demo loaders, in `flask demo load`'s order."""
    from lti_tool.demo_data import DEMO_LOADERS

    for area, load_demo in DEMO_LOADERS:
        load_demo(db_session, network_id, random.Random(f"2025:{area}"))
        db_session.commit()


def _person_user(db_session, auth, network_id: int, tutor: bool, names: dict) -> int:
    """A user linked to a demo person with data (a route for a teacher, an event for a tutor)."""
    from lti_tool.core.reference import Person
    from lti_tool.pathways.models import Route

    query = sa.select(Person).where(Person.network_id == network_id, Person.is_tutor.is_(tutor)).order_by(Person.id)
    if not tutor:
        query = query.join(Route, Route.person_id == Person.id)
    person = db_session.scalars(query).first()
    user_id = auth.user(name=person.full_name, email=person.email)
    names["tutor" if tutor else "teacher"] = person.full_name
    db_session.execute(sa.update(Person).where(Person.id == person.id).values(user_id=user_id))
    db_session.commit()
    return user_id


def crawl(client, starts: list[str]) -> dict[str, list[str]]:
    """GET pages breadth-first from `starts` (same site, no downloads); {path: visible texts}."""
    seen, queue, pages = set(), list(starts), {}
    kinds = set()
    while queue and len(pages) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen or SKIP.search(urlparse(path).path):
            continue
        seen.add(path)
        kind = re.sub(r"\d+", "N", urlparse(path).path)
        if kind in kinds and path not in starts:
            continue  # one page of each kind (/events/N …)
        kinds.add(kind)
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.content_type:
            continue
        parser = VisibleText()
        parser.feed(response.get_data(as_text=True))
        pages[path] = parser.texts
        for href in parser.links:
            url = urlparse(urljoin(path, href))
            if not url.netloc or url.netloc == "localhost":
                queue.append(url.path + (f"?{url.query}" if url.query else ""))
    return pages


def test_pages_of_the_three_paths_show_no_english(app, client, auth, db_session):
    from lti_tool.web.auth import METHODIST, TEACHER, TUTOR
    from lti_tool.web.i18n import LOCALE_KEY

    network_id = auth.network(slug="demo-i18n")
    _demo(db_session, network_id)
    english = english_msgids()
    names = {"methodist": "Горбунова Людмила Викторовна"}
    users = {"teacher": _person_user(db_session, auth, network_id, tutor=False, names=names),
             "tutor": _person_user(db_session, auth, network_id, tutor=True, names=names),
             "methodist": auth.user(name=names["methodist"])}
    roles = {"teacher": TEACHER, "tutor": TUTOR, "methodist": METHODIST}
    found, walked = [], 0
    for who, starts in START.items():
        auth.login(roles[who], network_id=network_id, user_id=users[who], name=names[who])
        with client.session_transaction() as sess:
            sess[LOCALE_KEY] = "ru"
        pages = crawl(client, starts)
        walked += len(pages)
        for path, texts in pages.items():
            for text in texts:
                if text in english:
                    found.append(f"{who} {path}: {text!r} (in {english[text]})")
    assert walked >= 15, f"only {walked} pages could be opened"
    assert not found, "English strings on Russian pages:\n" + "\n".join(sorted(set(found)))


def test_the_walk_does_see_english_in_the_en_locale(app, client, auth, db_session):
    """The detector works: the same pages in English are full of the catalogues' msgids."""
    from lti_tool.web.auth import TEACHER
    from lti_tool.web.i18n import LOCALE_KEY

    network_id = auth.network(slug="demo-i18n-en")
    _demo(db_session, network_id)
    names: dict = {}
    user_id = _person_user(db_session, auth, network_id, tutor=False, names=names)
    auth.login(TEACHER, network_id=network_id, user_id=user_id, name=names["teacher"])
    with client.session_transaction() as sess:
        sess[LOCALE_KEY] = "en"
    english = english_msgids()
    pages = crawl(client, ["/pathways/", "/events/"])
    seen = {t for texts in pages.values() for t in texts if t in english}
    assert {"My route", "Events"} <= seen, sorted(seen)[:20]
