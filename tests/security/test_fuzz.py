"""Fuzz every route with every form and query parameter the code reads, as each role: no 500.

The parameter names are read from the source (every `request.args/form.get("…")`, helpers'
`form.get("…")` and WTForms fields) of the route's area; the values are what breaks naive code:
ids past 64 bits, other networks' ids, dates out of range, control characters, formulas, long
text, several values for one name. The world is the demo network (every area's demo data) plus a
second network whose rows must stay out of reach. Hypothesis draws the requests and shrinks a
failing one to its simplest form.
"""
from __future__ import annotations

import ast
import os
import re
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from lti_tool.web.auth import ADMIN, METHODIST, SESSION_KEY, TEACHER, TUTOR, Actor, store_actor
from lti_tool.demo_data import load_all
from lti_tool.web.extensions import db
from lti_tool.core.reference import AcademicYear, Organization, Person, Topic
from lti_tool.core.accounts import Network, User

PACKAGE = Path(__file__).resolve().parents[2] / "lti_tool"
HUGE = "9" * 25
# The normal suite sweeps every route with the values below: a methodist (who reaches nearly every
# page) with all of QUICK_SWEEP, a teacher and an anonymous visitor with the first two — about a
# minute on an idle machine, on PostgreSQL (the stricter backend: integers, text lengths, NUL).
# TUTORNET_FUZZ_FULL=1 runs every role with the whole SWEEP, then TUTORNET_FUZZ_EXAMPLES (default
# 3) mixes drawn by Hypothesis per route, method and role, on both backends (many minutes).
FULL = bool(os.environ.get("TUTORNET_FUZZ_FULL"))
EXAMPLES = int(os.environ.get("TUTORNET_FUZZ_EXAMPLES", "3")) if FULL else 0
SKIP = {"static", "admin.static", "lti.static"}
ID_VALUES = ["1", "2", "3", "5", "8", "13", "21", "40", "77", "0", "-1", str(2**31), str(2**63), HUGE, "1.5", "x"]
TEXT_VALUES = ["", " ", "=1+2", '=HYPERLINK("https://evil.test","x")', "/\t/evil.example", "//evil.example",
               "a\x00b", "a\x01b", "line\r\nSet-Cookie: x=1", "9999-12-31", "0001-01-01", "2025-02-30",
               "2025-09-01", "23:59", "25:61", "on", "new", "join", "open", "closed", "published", "delete", "up",
               "single", "multiple", "topic_matrix", "scale", "number", "text", "teacher", "tutor", "present",
               "absent", "ru", "en", "https://evil.test/", "http://127.0.0.1:1/", "1e309", "NaN", "-0"]


def harvested_names() -> dict[str, set[str]]:
    """Per area package: the request parameter names its code reads."""
    names: dict[str, set[str]] = defaultdict(set)
    for path in PACKAGE.rglob("*.py"):
        area = path.relative_to(PACKAGE).parts[0] if len(path.relative_to(PACKAGE).parts) > 1 else ""
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args \
                    and node.func.attr in ("get", "getlist") and isinstance(node.args[0], ast.Constant) \
                    and isinstance(node.args[0].value, str) and _reads_request(node.func.value):
                names[area].add(node.args[0].value)
            elif isinstance(node, ast.ClassDef):
                for stmt in node.body:
                    if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call) \
                            and getattr(stmt.value.func, "id", "").endswith("Field"):
                        names[area].update(t.id for t in stmt.targets if isinstance(t, ast.Name))
    return names


def _reads_request(value: ast.AST) -> bool:
    if isinstance(value, ast.Attribute):
        return value.attr in ("args", "form", "values", "files")
    return isinstance(value, ast.Name) and value.id in ("form", "args", "data", "values")


NAMES = harvested_names()
VALUE = st.one_of(st.sampled_from(ID_VALUES), st.sampled_from(TEXT_VALUES), st.text(max_size=30),
                  st.just("я" * 5000))
ARGUMENT = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>")


def _url(rule: str, data) -> str:
    def value(match):
        converter, args = match.group(1), match.group(2)
        if converter == "int":
            return data.draw(st.sampled_from(ID_VALUES[:14] + [HUGE]))
        if converter == "any":
            return data.draw(st.sampled_from([a.strip() for a in args.split(",")]))
        return data.draw(st.sampled_from(["x", "token", "..", "%00", HUGE]))
    return ARGUMENT.sub(value, rule)


def _world(session) -> dict:
    """The demo network with users for each role, and a second network's rows."""
    network = load_all(session, echo=lambda *_: None)
    people = session.scalars(sa.select(Person).where(Person.network_id == network.id).order_by(Person.id)).all()
    users = {}
    for role, person in ((TEACHER, next(p for p in people if not p.is_tutor)),
                         (TUTOR, next(p for p in people if p.is_tutor)), (METHODIST, None), (ADMIN, None)):
        user = User(issuer="https://lms.test", sub=f"fuzz-{role}", name=f"Fuzz {role}")
        session.add(user)
        session.flush()
        if person is not None:
            person.user_id = user.id
        users[role] = user.id
    other = Network(name="Чужая сеть", slug="fuzz-other")
    session.add(other)
    session.flush()
    session.add_all([Topic(network_id=other.id, name="Чужая тема"),
                     AcademicYear(network_id=other.id, title="Чужой год", starts_on=date(2025, 9, 1),
                                  ends_on=date(2026, 8, 31)),
                     Organization(network_id=other.id, name="Чужой ДОУ")])
    session.commit()
    return {"network_id": network.id, "users": users}


def test_no_route_answers_500_to_any_parameter(app, client, auth, backend):
    if backend != "postgresql" and not FULL:
        pytest.skip("the quick sweep runs on PostgreSQL, the stricter backend; TUTORNET_FUZZ_FULL=1 runs both")
    with app.test_request_context("/"):
        world = _world(db.session)
        world["tokens"] = {role: store_actor(Actor(user_id=world["users"][role], network_id=world["network_id"],
                                                   roles=frozenset({role}), name=f"Fuzz {role}"))
                           for role in (TEACHER, TUTOR, METHODIST, ADMIN)}
    failures: list[str] = []
    rules = [r for r in app.url_map.iter_rules() if r.endpoint not in SKIP]
    for role in (None, TEACHER, TUTOR, METHODIST, ADMIN) if FULL else (None, TEACHER, METHODIST):
        for rule in rules:
            area = app.view_functions[rule.endpoint].__module__.split(".")[1]
            names = sorted(NAMES.get(area, set()) | NAMES.get("", set())) or ["q"]
            for method in sorted(rule.methods & {"GET", "POST"}):
                failure = _fuzz(client, auth, world, role, rule.rule, method, names)
                if failure:
                    failures.append(failure)
    assert not failures, "\n".join(failures)


SWEEP = [HUGE, str(2**31), "-1", "x", "", "9999-12-31", "a\x00\x01b", "=1+2", "/\t/evil.example", "я" * 5000]
QUICK_SWEEP = [HUGE, "я" * 300 + "\x00\x01", "-1", "x", "9999-12-31", "/\t/evil.example"]


def _fuzz(client, auth, world, role, rule: str, method: str, names: list[str]) -> str | None:
    """The first request of this route, method and role that answers 500: every name set to each
    value of SWEEP in turn, then mixes drawn by Hypothesis."""
    def send(url: str, multi: MultiDict) -> str | None:
        with client.session_transaction() as sess:  # one stored session per role, reused
            sess.clear()
            if role is not None:
                sess[SESSION_KEY] = world["tokens"][role]
        response = client.get(url, query_string=multi) if method == "GET" else client.post(url, data=multi)
        if response.status_code >= 500:
            shown = {k: [v[:40] for v in vs] for k, vs in multi.lists()}
            return f"{role or 'anonymous'} {method} {url[:120]} {shown!r} -> {response.status_code}"
        return None

    sweep = SWEEP if FULL else QUICK_SWEEP if role == METHODIST else QUICK_SWEEP[:2]
    for value in sweep:
        url = ARGUMENT.sub(lambda m: _sweep_argument(m, value), rule)
        failure = send(url, MultiDict([(name, value) for name in names]))
        if failure:
            return failure
    found: list[str] = []

    @settings(max_examples=max(EXAMPLES, 1), deadline=None, database=None, derandomize=True, phases=(Phase.generate,),
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def run(data):
        params = data.draw(st.dictionaries(st.sampled_from(names), st.lists(VALUE, min_size=1, max_size=2),
                                           max_size=min(len(names), 12)))
        failure = send(_url(rule, data), MultiDict([(k, v) for k, values in params.items() for v in values]))
        if failure:
            found.append(failure)
            raise AssertionError(failure)

    if not EXAMPLES:
        return None
    try:
        run()
    except AssertionError:
        return found[0] if found else f"{role} {method} {rule}: failed"
    return None


def _sweep_argument(match, value: str) -> str:
    converter, args = match.group(1), match.group(2)
    if converter == "any":
        return args.split(",")[0].strip()
    if converter == "int":
        return value if value.isdigit() else "1"
    return value.replace("/", "") or "x"
