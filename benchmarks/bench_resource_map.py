"""Server time of the resource map's list and matrix for a big year.

Generates 300 organizations, 1,500 people and 2,000 offerings (bulk inserts), then times the list
page and the matrix page through the Flask test client (median and p95 over repeated requests) and
the service functions alone. SQLite in a temporary file by default; `--database-url` for PostgreSQL
(the schema is created there and the tables are emptied afterwards — use a scratch database).

    .venv/bin/python benchmarks/bench_resource_map.py [--database-url URL] [--repeat 30]
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("TUTORNET_INSTANCE", tempfile.mkdtemp(prefix="tutornet-bench-"))

import sqlalchemy as sa  # noqa: E402

from lti_tool import create_app  # noqa: E402
from lti_tool.core.accounts import Network, User  # noqa: E402
from lti_tool.core.db import make_engine  # noqa: E402
from lti_tool.core.reference import Organization, Person  # noqa: E402
from lti_tool.models import Base  # noqa: E402
from lti_tool.resource_map import queries, services  # noqa: E402
from lti_tool.resource_map.catalog import FORMS  # noqa: E402
from lti_tool.resource_map.models import Offering
from lti_tool.resource_map.search_text import refresh_search_text  # noqa: E402
from lti_tool.web.auth import SESSION_KEY, Actor, store_actor  # noqa: E402


def generate(session, orgs=300, people=1500, offerings=2000) -> tuple[int, int]:
    """A network with one big year; returns (network_id, year_id)."""
    rng = random.Random(1)
    net = Network(name="Бенчмарк", slug=f"bench-{os.urandom(3).hex()}")
    session.add(net)
    session.flush()
    year = services.save_year(session, net.id, title="2025/2026", starts_on=date(2025, 9, 1),
                              ends_on=date(2026, 8, 31), is_current=True)
    services.seed_topics(session, net.id)
    topics = [t.id for t in services.list_topics(session, net.id)][:-3]  # three topics stay uncovered
    session.execute(sa.insert(Organization), [
        {"network_id": net.id, "kind": "kindergarten", "name": f"МАДОУ № {i}", "number": str(i),
         "municipality": rng.choice(["г. Томск", "г. Северск", "Томский район"]), "address": f"ул. Ленина, {i}",
         "latitude": 56.4 + rng.random() / 5, "longitude": 84.9 + rng.random() / 5} for i in range(1, orgs + 1)])
    org_ids = list(session.scalars(sa.select(Organization.id).where(Organization.network_id == net.id)))
    session.execute(sa.insert(Person), [
        {"network_id": net.id, "full_name": f"Иванова Мария {i}", "email": f"user{i}@example.ru",
         "organization_id": rng.choice(org_ids), "is_tutor": i % 3 == 0} for i in range(people)])
    tutor_ids = list(session.scalars(sa.select(Person.id).where(Person.network_id == net.id, Person.is_tutor)))
    rows = []
    for i in range(offerings):
        by_org = i % 4 == 0
        rows.append({"network_id": net.id, "year_id": year.id, "topic_id": rng.choice(topics),
                     "form": rng.choice(list(FORMS)), "person_id": None if by_org else rng.choice(tutor_ids),
                     "organization_id": rng.choice(org_ids) if by_org else None, "title": f"Занятие {i}",
                     "capacity": 15, "delivery": "in_person"})
    session.execute(sa.insert(Offering), rows)
    refresh_search_text(session, net.id)
    session.commit()
    return net.id, year.id


def timed(fn, repeat: int) -> tuple[float, float]:
    """Median and p95 in milliseconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='rm-bench-')}/bench.db"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
    try:
        with app.test_request_context("/"):
            from lti_tool.web.extensions import db

            started = time.perf_counter()
            network_id, year_id = generate(db.session)
            print(f"backend {engine.dialect.name}: generated in {time.perf_counter() - started:.1f} s")
            user = User(issuer="https://bench", sub="m", name="Методист")
            db.session.add(user)
            db.session.commit()
            user_id = user.id
            counts = {m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m).where(
                m.network_id == network_id)) for m in (Organization, Person, Offering)}
            print("rows:", counts)
            for name, fn in [
                ("service list_offerings (page 1)", lambda: queries.list_offerings(db.session, network_id, year_id)),
                ("service list_offerings (q='занятие 1')", lambda: queries.list_offerings(
                    db.session, network_id, year_id, queries.OfferingFilter(q="ЗАНЯТИЕ 1"))),
                ("service topic_matrix", lambda: queries.topic_matrix(db.session, network_id, year_id)),
            ]:
                median, p95 = timed(fn, args.repeat)
                print(f"{name:45s} median {median:7.1f} ms   p95 {p95:7.1f} ms")
        client = app.test_client()
        client.environ_base["wsgi.url_scheme"] = "https"
        with client.session_transaction() as sess, app.test_request_context("/"):
            sess[SESSION_KEY] = store_actor(Actor(user_id=user_id, network_id=network_id,
                                                  roles=frozenset({"methodist"})))
        for name, path in [("GET /resource-map/ (list)", "/resource-map/"),
                           ("GET /resource-map/?q=ЭКОЛОГ&page=2", "/resource-map/?q=ЭКОЛОГ&page=2"),
                           ("GET /resource-map/?municipality=г. Томск", "/resource-map/?municipality=г.%20Томск"),
                           ("GET /resource-map/matrix", "/resource-map/matrix")]:
            assert client.get(path).status_code == 200
            median, p95 = timed(lambda: client.get(path), args.repeat)
            print(f"{name:45s} median {median:7.1f} ms   p95 {p95:7.1f} ms")
    finally:
        app.extensions["tutornet_db"][0].dispose()
        if args.database_url:
            Base.metadata.drop_all(engine)
        engine.dispose()


if __name__ == "__main__":
    main()
