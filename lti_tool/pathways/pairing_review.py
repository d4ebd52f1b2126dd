"""A page of a stored pairing proposal: 50 pairs (or unmatched tutees) and 50 tutors with their load,
with the people and topics of that page loaded in one query each (the proposal is JSON)."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from ..core.reference import Person, Topic
from .models import PairingRun
from .tutoring import loads

PAGE = 50


@dataclass
class PairingPage:
    """What the page shows: rows of the chosen list, tutors with loads, people and topics by id."""

    rows: list[dict]
    rows_total: int
    tutors: list[dict]
    tutors_total: int
    people: dict[int, Person]
    topics: dict[int, str]
    pages: int
    tutor_pages: int


def _pages(total: int) -> int:
    return max(1, -(-total // PAGE))


def build_page(session: Session, run: PairingRun, *, show: str = "pairs", page: int = 1,
               tutor_page: int = 1) -> PairingPage:
    """show: "pairs", "young" (pairs of young specialists), "manual" or "unmatched"."""
    proposal = run.proposal
    young_years = run.settings.get("young_years", 3)
    if show == "unmatched":
        rows = [{"tutee": t, "reason": r} for t, r in proposal["unmatched"]]
    else:
        rows = proposal["pairs"]
        if show == "manual":
            rows = [p for p in rows if p["manual"] or p["kept"]]
    tutor_ids = sorted(int(k) for k in proposal["limits"])
    load = loads(run)
    ids = set()
    if show == "young":
        # Whether a tutee is young is the person's experience: filter in the database, page in Python.
        paired = {p["tutee"]: p for p in rows}
        young = set(session.scalars(sa.select(Person.id).where(
            Person.network_id == run.network_id, Person.experience_years < young_years,
            Person.id.in_(list(paired))))) if paired else set()
        rows = [p for p in rows if p["tutee"] in young]
    start = (max(1, page) - 1) * PAGE
    shown = rows[start:start + PAGE]
    tstart = (max(1, tutor_page) - 1) * PAGE
    tutors = [{"tutor": t, "limit": proposal["limits"][str(t)], "load": load[t]}
              for t in tutor_ids[tstart:tstart + PAGE]]
    ids = {r["tutee"] for r in shown} | {r["tutor"] for r in shown if "tutor" in r} | {t["tutor"] for t in tutors}
    people = {p.id: p for p in session.scalars(sa.select(Person).where(Person.id.in_(ids))
                                                .options(selectinload(Person.organization)))} if ids else {}
    topic_ids = {k for r in shown for k in r.get("topics", [])}
    topics = dict(session.execute(sa.select(Topic.id, Topic.name).where(Topic.id.in_(topic_ids))).all()) if topic_ids else {}
    return PairingPage(shown, len(rows), tutors, len(tutor_ids), people, topics, _pages(len(rows)),
                       _pages(len(tutor_ids)))
