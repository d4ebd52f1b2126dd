"""Surveys benchmark: the analytical report over 10,000 responses of a 40-question survey.

    python benchmarks/bench_surveys.py                       # SQLite in a temporary file
    python benchmarks/bench_surveys.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres

For PostgreSQL the script creates its own database beside the given one and drops it at the end.
Prints: data generation time, the tally rebuild (what migration 0010 does for existing answers), the
report service time (and, before it, the first implementation's from tests/surveys/legacy_report.py),
the report page time (Flask test client, service + template), the XLSX export time, and the median
time to record one submission; best / median / worst wall time and the best CPU time of the repeats,
the load average, and the "before" figures of the first implementation. Target: report ≤ 1 s.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TUTORNET_INSTANCE", tempfile.mkdtemp(prefix="tutornet-bench-"))

from lti_tool import create_app  # noqa: E402
from lti_tool.core.accounts import Network, User  # noqa: E402
from lti_tool.core.clock import utcnow  # noqa: E402
from lti_tool.core.db import make_engine, make_session_factory
from lti_tool.core.reference import Organization, Person, Topic  # noqa: E402
from lti_tool.models import Base  # noqa: E402
from lti_tool.resource_map.catalog import SEED_TOPICS_RU  # noqa: E402
from lti_tool.surveys import (  # noqa: E402
    answering,
    reports,  # noqa: E402
    services,
    tally,
)
from lti_tool.surveys.builder import QuestionData, add_question  # noqa: E402
from lti_tool.surveys.models import SurveyAnswer, SurveyResponse, SurveyTally  # noqa: E402
from lti_tool.surveys.reports import build_report  # noqa: E402
from lti_tool.web.auth import METHODIST, SESSION_KEY, Actor, store_actor  # noqa: E402
from tests.surveys import legacy_report  # noqa: E402

# 40 questions: what a long needs assessment looks like.
MIX = [("topic_matrix", 1), ("single", 12), ("multiple", 8), ("likert", 10), ("number", 5),
       ("short_text", 2), ("long_text", 2)]


def own_database(url: str) -> tuple[str, callable]:
    """(URL to use, cleanup): a fresh PostgreSQL database, or a temporary SQLite file."""
    if url.startswith("sqlite"):
        return url, lambda: None
    name = f"tutornet_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return sa.make_url(url).set(database=name).render_as_string(hide_password=False), drop


def generate(session, responses: int, extra_people: int, rng: random.Random):
    """A network, 21 topics, 40 organizations, people, the survey and `responses` submitted responses."""
    network = Network(name="Бенчмарк", slug=f"bench-{uuid.uuid4().hex[:6]}")
    session.add(network)
    session.flush()
    session.add_all([Topic(network_id=network.id, name=name) for name in SEED_TOPICS_RU])
    session.add_all([Organization(network_id=network.id, number=f"№ {i}", name=f"МАДОУ № {i}") for i in range(1, 41)])
    session.flush()
    orgs = list(session.scalars(sa.select(Organization.id).where(Organization.network_id == network.id)))
    topics = [t.id for t in services.active_topics(session, network.id)]
    people = responses + extra_people
    session.execute(sa.insert(Person), [{"network_id": network.id, "full_name": f"Педагог {i}",
                                         "organization_id": orgs[i % len(orgs)], "is_tutor": i % 7 == 0}
                                        for i in range(people)])
    person_ids = list(session.scalars(sa.select(Person.id).where(Person.network_id == network.id).order_by(Person.id)))
    survey = services.create_survey(session, network.id, "Анкета (бенчмарк)", "needs")
    for qtype, count in MIX:
        for i in range(count):
            options = [f"Вариант {k}" for k in range(5)] if qtype in ("single", "multiple") else []
            add_question(session, survey, survey.sections[0].id, QuestionData(
                type=qtype, text=f"{qtype} {i}", options=options, min_value=0, max_value=60,
                allow_other=qtype == "multiple"))
    services.set_status(session, survey, "open")
    questions = answering.ordered_questions(survey)
    session.execute(sa.insert(SurveyResponse), [
        {"survey_id": survey.id, "person_id": pid, "status": "submitted", "submitted_at": utcnow(),
         "organization_id": orgs[i % len(orgs)], "role": "tutor" if i % 7 == 0 else "teacher"}
        for i, pid in enumerate(person_ids[:responses])])
    response_ids = list(session.scalars(sa.select(SurveyResponse.id).where(SurveyResponse.survey_id == survey.id)))
    batch: list[dict] = []
    for rid in response_ids:
        for q in questions:
            batch.extend(_answer_rows(rid, q, topics, rng))
        if len(batch) > 50_000:
            session.execute(sa.insert(SurveyAnswer), batch)
            batch = []
    if batch:
        session.execute(sa.insert(SurveyAnswer), batch)
    session.commit()
    return network.id, survey.id, person_ids[responses:], topics


def _answer_rows(rid: int, q, topics: list[int], rng: random.Random) -> list[dict]:
    base = {"response_id": rid, "question_id": q.id, "option_id": None, "topic_id": None, "rating": None,
            "number": None, "text": None}
    if q.type == "topic_matrix":
        return [dict(base, topic_id=t, rating=rng.randint(1, 5)) for t in topics]
    if q.type == "single":
        return [dict(base, option_id=rng.choice(q.options).id)]
    if q.type == "multiple":
        rows = [dict(base, option_id=o.id) for o in rng.sample(q.options, rng.randint(1, 3))]
        return rows + ([dict(base, text="Коучинг")] if rng.random() < 0.05 else [])
    if q.type == "likert":
        return [dict(base, rating=rng.randint(1, 5))]
    if q.type == "number":
        return [dict(base, number=float(rng.randint(0, 40)))]
    return [dict(base, text=f"Ответ {rng.randint(1, 10**6)}")] if rng.random() < 0.4 else []


# Figures of the first implementation (openpyxl cells, no tally), measured 2026-11-30 on the shared
# 2-CPU machine under load average ~6. The report service and page "before" are re-measured live
# with tests/surveys/legacy_report.py unless --no-legacy.
BEFORE = {"sqlite": {"xlsx": 62.2, "submit": 0.0232},
          "postgresql": {"xlsx": 28.0, "submit": 0.032}}


@dataclass
class Timing:
    wall: list[float]
    cpu: list[float]  # this process's CPU time: less sensitive to the machine's load than wall time

    def __str__(self) -> str:
        w = sorted(self.wall)
        return (f"best {w[0] * 1000:.0f} ms, median {statistics.median(w) * 1000:.0f}, worst {w[-1] * 1000:.0f} "
                f"(CPU best {min(self.cpu) * 1000:.0f} ms; {len(w)} runs)")


def timed(fn, repeat: int) -> tuple[Timing, object]:
    """Wall and CPU seconds of `repeat` runs, and the last result."""
    timing, result = Timing([], []), None
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        result = fn()
        timing.wall.append(time.perf_counter() - start)
        timing.cpu.append(time.process_time() - cpu)
    return timing, result


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--responses", type=int, default=10_000)
    parser.add_argument("--submits", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-legacy", dest="legacy", action="store_false",
                        help="skip timing the first implementation of the report (the 'before' figure)")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='tutornet-bench-')}/bench.db"
    url, cleanup = own_database(url)
    try:
        return run(url, args)
    finally:
        cleanup()


def run(url: str, args) -> int:
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    session = make_session_factory(engine)()
    start = time.perf_counter()
    network_id, survey_id, spare, topics = generate(session, args.responses, args.submits, random.Random(args.seed))
    answers = session.scalar(sa.select(sa.func.count()).select_from(SurveyAnswer))
    print(f"backend: {engine.dialect.name}; {args.responses} responses × 40 questions = {answers} answer rows "
          f"(generated in {time.perf_counter() - start:.1f} s)")
    from lti_tool.surveys.models import Survey

    survey = session.get(Survey, survey_id)
    start = time.perf_counter()
    tally.rebuild(session, survey)  # what migration 0010 does for answers stored before it
    session.commit()
    print(f"tally rebuilt from the answers in {time.perf_counter() - start:.1f} s "
          f"({session.scalar(sa.select(sa.func.count()).select_from(SurveyTally))} rows); load average {loadavg()}")
    before = BEFORE.get(engine.dialect.name, {})
    if args.legacy:
        old, _r = timed(lambda: legacy_report.build_report(session, survey), args.repeat)
        print(f"BEFORE report service (answer scans): {old}")
    service, report = timed(lambda: build_report(session, survey), args.repeat)
    print(f"report service: {service}; {report.responses} responses")

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True, "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    user = User(issuer="https://lms.bench", sub="methodist", name="Методист")
    session.add(user)
    session.commit()
    with client.session_transaction() as sess, app.test_request_context("/"):
        sess[SESSION_KEY] = store_actor(Actor(user_id=user.id, network_id=network_id, roles=frozenset({METHODIST})))
    client.get(f"/surveys/{survey_id}/report")  # compiles the templates once
    if args.legacy:
        current = reports.build_report
        reports.build_report = legacy_report.build_report  # the view calls reports.build_report
        try:
            old, _r = timed(lambda: client.get(f"/surveys/{survey_id}/report"), args.repeat)
        finally:
            reports.build_report = current
        print(f"BEFORE report page (answer scans): {old}")
    page, response = timed(lambda: client.get(f"/surveys/{survey_id}/report"), args.repeat)
    assert response.status_code == 200, response.status_code
    print(f"report page (service + template): {page}; {len(response.data) // 1024} KiB HTML")
    org_id = session.scalar(sa.select(Organization.id).where(Organization.network_id == network_id).limit(1))
    org, _r = timed(lambda: client.get(f"/surveys/{survey_id}/report?organization={org_id}"), args.repeat)
    print(f"report page filtered by organization: {org}")
    xlsx, response = timed(lambda: client.get(f"/surveys/{survey_id}/report.xlsx"), max(1, args.repeat // 2))
    print(f"XLSX export (raw + summary): {xlsx}; {len(response.data) // 1024} KiB "
          f"[before: {before.get('xlsx', '?')} s]")

    rng = random.Random(args.seed + 1)
    questions = answering.ordered_questions(survey)
    submit_times = []
    for person_id in spare:
        person = session.get(Person, person_id)
        values = _form_values(questions, topics, rng)
        t0 = time.perf_counter()
        answering.submit(session, survey, person, values, topics)
        session.commit()
        submit_times.append(time.perf_counter() - t0)
    print(f"record one submission (validate + insert + tally + commit): {statistics.median(submit_times) * 1000:.1f} ms "
          f"(median of {len(submit_times)}, best {min(submit_times) * 1000:.1f}) "
          f"[before: {before.get('submit', 0) * 1000:.0f} ms]; load average {loadavg()}")
    session.close()
    app.extensions["tutornet_db"][0].dispose()
    engine.dispose()
    target = "OK" if max(min(service.wall), min(page.wall)) <= 1.0 else "ABOVE TARGET"
    print(f"target report ≤ 1 s (best page and service): {target}")
    return 0


def _form_values(questions, topics: list[int], rng: random.Random) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for q in questions:
        key = f"q{q.id}"
        if q.type == "topic_matrix":
            values.update({f"{key}_t{t}": [str(rng.randint(1, 5))] for t in topics})
        elif q.type in ("single", "multiple"):
            values[key] = [str(rng.choice(q.options).id)]
        elif q.type in ("likert", "number"):
            values[key] = [str(rng.randint(1, 5))]
        else:
            values[key] = ["Текст ответа"]
    return values


if __name__ == "__main__":
    sys.exit(main())
