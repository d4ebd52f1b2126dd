"""What a methodist reviews before publishing: figures, seats per offering, each teacher's steps and
the needs left open with the planner's reason.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..core.reference import Organization, Person, Topic
from ..resource_map.models import Offering
from .labels import reason_label
from .models import PlanRun


@dataclass
class TeacherRow:
    """One teacher in the proposal."""

    person_id: int
    name: str
    organization: str
    needs: list[tuple[str, float]]
    steps: list[dict] = field(default_factory=list)  # {offering, title, topic, form, fixed, manual}
    unmet: list[tuple[str, float, str]] = field(default_factory=list)  # (topic, need, reason)
    no_response: bool = False


@dataclass
class OfferingRow:
    """Seats of one offering: capacity, held by routes outside the run, proposed by the run."""

    offering: Offering
    held: int
    proposed: int

    @property
    def free(self) -> int | None:
        cap = self.offering.capacity
        return None if cap is None else cap - self.held - self.proposed


PER_PAGE = 50


@dataclass
class Review:
    """The proposal as a whole, one page of its teachers, and the teacher looked at (if any)."""

    figures: dict
    teachers: list[TeacherRow]  # this page
    offerings: list[OfferingRow]
    reasons: list[tuple[str, int]]  # open needs per reason
    without_steps: int  # teachers of the proposal without any step
    total: int  # teachers listed (all, or those without steps)
    page: int
    pages: int
    selected: TeacherRow | None = None
    topic_names: dict[int, str] = field(default_factory=dict)


def build_review(session: Session, run: PlanRun, *, page: int = 1, without_steps: bool = False,
                 teacher: int | None = None) -> Review:
    """What the review page shows: the figures, the open needs by reason, seats per offering, and
    `PER_PAGE` teachers by name (only those without steps, if asked) with their steps and open needs.

    Rows are built for the page only: a region's proposal holds 20,000 teachers.
    """
    p = run.proposal
    scope = set(p.get("teachers", []))
    topics = dict(session.execute(sa.select(Topic.id, Topic.name).where(Topic.network_id == run.network_id)).all())
    steps: dict[int, list[dict]] = {}
    for s in p.get("steps", []):
        steps.setdefault(s["teacher"], []).append(s)
    unmet: dict[int, list] = {}
    reasons: Counter = Counter()
    for row in p.get("unmet", []):
        reasons[reason_label(row[3])] += 1
        unmet.setdefault(row[0], []).append(row)
    names = {pid: name for pid, name in session.execute(
        sa.select(Person.id, Person.full_name).where(Person.network_id == run.network_id)) if pid in scope}
    listed = sorted((pid for pid in scope if not without_steps or not steps.get(pid)),
                    key=lambda pid: (names.get(pid, ""), pid))
    pages = max(1, -(-len(listed) // PER_PAGE))
    page = min(max(page, 1), pages)
    wanted = listed[(page - 1) * PER_PAGE: page * PER_PAGE]
    rows = _rows(session, p, wanted + ([teacher] if teacher in scope else []), steps, unmet, topics)
    seats, held = Counter(dict(p.get("seats", []))), Counter(dict(p.get("base_seats", [])))
    offerings = session.scalars(sa.select(Offering).where(Offering.id.in_(set(seats) | set(held))))
    offering_rows = sorted((OfferingRow(o, held[o.id], seats[o.id]) for o in offerings),
                           key=lambda r: (topics.get(r.offering.topic_id, ""), r.offering.form, r.offering.id))
    return Review(run.figures, [rows[pid] for pid in wanted], offering_rows, reasons.most_common(),
                  sum(1 for pid in scope if not steps.get(pid)), len(listed), page, pages,
                  rows.get(teacher) if teacher is not None else None, topics)


def _rows(session: Session, p: dict, person_ids: list[int], steps: dict, unmet: dict,
          topics: dict) -> dict[int, TeacherRow]:
    """Teacher rows of these people: names and organizations, needs, steps with titles, open needs."""
    people = {pid: (name, org or "") for pid, name, org in session.execute(
        sa.select(Person.id, Person.full_name, Organization.name)
        .outerjoin(Organization, Organization.id == Person.organization_id).where(Person.id.in_(person_ids)))}
    needs = {t: n for t, n in p.get("needs", []) if t in people}
    no_response = set(p.get("no_response", []))
    mine = [s for pid in people for s in steps.get(pid, [])]
    titles = dict(session.execute(sa.select(Offering.id, Offering.title)
                                  .where(Offering.id.in_({s["offering"] for s in mine}))).all())
    rows = {pid: TeacherRow(pid, *people.get(pid, (str(pid), "")),
                            needs=[(topics.get(k, str(k)), n) for k, n in needs.get(pid, [])],
                            no_response=pid in no_response) for pid in people}
    for s in sorted(mine, key=lambda s: (s["teacher"], s["order"])):
        rows[s["teacher"]].steps.append({**s, "title": titles.get(s["offering"]) or topics.get(s["topic"], ""),
                                         "topic_name": topics.get(s["topic"], "")})
    for teacher, topic, need, reason in (u for pid in people for u in unmet.get(pid, [])):
        rows[teacher].unmet.append((topics.get(topic, "—") if topic else "—", need, reason_label(reason)))
    return rows
