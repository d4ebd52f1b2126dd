"""A region-sized network for measuring TutorNet at scale (`flask demo region`).

One network with what a region of about 21,000 teachers accumulates by today in the current
school year (1 September – 31 August): organizations and clusters, the resource map, the needs
survey and two self-assessment runs, the events held so far with their grades, the routes the
planner made, the LMS roster and registration, the commission's files. Sizes are options
(`Sizes`); the same seed gives the same region. Bulk rows go in with COPY (`bulk.py`); what the
tool computes itself (offering search text, survey tallies, the planner's proposal) is computed
by the tool's own functions.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from . import commission, events, grades, lms, offerings, pathways, people, responses
from .bulk import Bulk
from .context import Region, Sizes, school_year
from .parts import METADATA

STEPS: tuple[tuple[str, Callable[[Region], None]], ...] = (
    ("organizations", people.organizations),
    ("people", people.plan_people),
    ("LMS registration and course", lms.registration),
    ("LTI users and enrollments", lms.accounts),
    ("persons", people.insert_people),
    ("clusters and internship sites", people.clusters_and_sites),
    ("offerings", offerings.offerings),
    ("surveys, responses, answers, tallies", responses.surveys),
    ("grading scales", grades.scales),
    ("events, sessions, participants", events.events),
    ("attendance, completions, protocols", grades.grades),
    ("event links, gradebook columns, delivered scores", grades.links_and_scores),
    ("planner run and published routes", pathways.routes),
    ("commission", commission.commission),
)


def generate(session: Session, *, sizes: Sizes = Sizes(), seed: int = 26, today: date | None = None,
             slug: str = "region", name: str = "Региональная сеть муниципальных тьюторов",
             issuer: str = "https://lms.region.example", client_id: str = "tutornet-demo", deployment_id: str = "1",
             echo: Callable[[str], None] = print) -> Region:
    """Write a whole region into the session's database and commit; returns what was made."""
    today = today or date.today()
    network = METADATA.tables["network"]
    if session.execute(sa.select(network.c.id).where(network.c.slug == slug)).first():
        raise ValueError(f"a network with the slug «{slug}» exists already")
    region = Region(bulk=Bulk(session, METADATA), sizes=sizes, seed=seed, today=today, slug=slug,
                    issuer=issuer.rstrip("/"), client_id=client_id, deployment_id=deployment_id)
    region.year_start, region.year_end = school_year(today)
    started = time.perf_counter()
    _timed(region, "network, year, topics", lambda r: people.network_and_year(r, name), echo)
    for label, step in STEPS:
        _timed(region, label, step, echo)
    _timed(region, "statistics (ANALYZE)", lambda r: r.bulk.analyze(), echo)
    session.commit()
    echo(f"region «{slug}» (network {region.network_id}) generated in {time.perf_counter() - started:.1f} s: "
         + ", ".join(f"{n:,} {t}" for t, n in sorted(region.bulk.counts.items(), key=lambda kv: -kv[1])[:12]))
    return region


def _timed(region: Region, label: str, step: Callable[[Region], None], echo) -> None:
    before = dict(region.bulk.counts)
    t0 = time.perf_counter()
    step(region)
    seconds = time.perf_counter() - t0
    rows = sum(region.bulk.counts.values()) - sum(before.values())
    region.timings.append((label, seconds, f"{rows:,} rows"))
    echo(f"  {label:<50s} {seconds:7.2f} s  {rows:>10,} rows")


__all__ = ["Region", "Sizes", "generate", "lms", "school_year"]
