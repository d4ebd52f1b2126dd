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


@dataclass
class Review:
    """The whole proposal."""

    figures: dict
    teachers: list[TeacherRow]
    offerings: list[OfferingRow]
    reasons: list[tuple[str, int]]  # open needs per reason
    without_steps: list[TeacherRow]


def build_review(session: Session, run: PlanRun) -> Review:
    """Everything the review page shows, from the stored proposal and the current names."""
    p = run.proposal
    scope = p.get("teachers", [])
    people = {pid: (name, org or "") for pid, name, org in session.execute(
        sa.select(Person.id, Person.full_name, Organization.name)
        .outerjoin(Organization, Organization.id == Person.organization_id).where(Person.id.in_(scope)))}
    topics = dict(session.execute(sa.select(Topic.id, Topic.name).where(Topic.network_id == run.network_id)).all())
    seats, held = Counter(dict(p.get("seats", []))), Counter(dict(p.get("base_seats", [])))
    used_ids = set(seats) | set(held)
    offerings = {o.id: o for o in session.scalars(sa.select(Offering).where(Offering.id.in_(used_ids)))}
    needs = dict((t, n) for t, n in p.get("needs", []))
    no_response = set(p.get("no_response", []))
    rows = {pid: TeacherRow(pid, *people.get(pid, (str(pid), "")),
                            needs=[(topics.get(k, str(k)), n) for k, n in needs.get(pid, [])],
                            no_response=pid in no_response) for pid in scope}
    for s in sorted(p.get("steps", []), key=lambda s: (s["teacher"], s["order"])):
        o = offerings.get(s["offering"])
        rows[s["teacher"]].steps.append({**s, "title": (o.title if o else None) or topics.get(s["topic"], ""),
                                         "topic_name": topics.get(s["topic"], "")})
    reasons: Counter = Counter()
    for teacher, topic, need, reason in p.get("unmet", []):
        label = reason_label(reason)
        reasons[label] += 1
        rows[teacher].unmet.append((topics.get(topic, "—") if topic else "—", need, label))
    ordered = sorted(rows.values(), key=lambda r: (r.name, r.person_id))
    offering_rows = sorted((OfferingRow(o, held[o.id], seats[o.id]) for o in offerings.values()),
                           key=lambda r: (topics.get(r.offering.topic_id, ""), r.offering.form, r.offering.id))
    return Review(run.figures, ordered, offering_rows, reasons.most_common(),
                  [r for r in ordered if not r.steps])
