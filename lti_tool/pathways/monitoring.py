"""Progress of published routes across a network: steps done of planned, by topic, organization, tutor."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..core.reference import Organization, Person, Topic
from .models import Route, RouteStep, RouteTutor


@dataclass
class Row:
    """One line of a breakdown: active steps, steps done, distinct teachers."""

    label: str
    steps: int = 0
    done: int = 0
    teacher_ids: set = field(default_factory=set)

    @property
    def teachers(self) -> int:
        return len(self.teacher_ids)

    @property
    def progress(self) -> float | None:
        return self.done / self.steps if self.steps else None

    def add(self, teacher_id: int, done: bool) -> None:
        self.steps += 1
        self.done += done
        self.teacher_ids.add(teacher_id)


@dataclass
class Progress:
    """The network's figures for one year."""

    routes: int
    total: Row
    by_topic: list[Row]
    by_organization: list[Row]
    by_tutor: list[Row]
    by_status: dict[str, int]


def network_progress(session: Session, network_id: int, year_id: int, *, no_topic: str = "—",
                     no_organization: str = "—") -> Progress:
    """Steps of published routes (cancelled ones left out) broken down three ways."""
    rows = session.execute(
        sa.select(Route.id, Route.person_id, RouteStep.status, Topic.name, Organization.name)
        .join(RouteStep, RouteStep.route_id == Route.id)
        .join(Person, Person.id == Route.person_id)
        .outerjoin(Topic, Topic.id == RouteStep.topic_id)
        .outerjoin(Organization, Organization.id == Person.organization_id)
        .where(Route.network_id == network_id, Route.year_id == year_id, Route.status == "published")).all()
    tutors = defaultdict(list)
    for route_id, name in session.execute(
            sa.select(RouteTutor.route_id, Person.full_name).join(Person, Person.id == RouteTutor.tutor_id)
            .join(Route, Route.id == RouteTutor.route_id)
            .where(Route.network_id == network_id, Route.year_id == year_id)):
        tutors[route_id].append(name)
    total, by_status = Row(""), defaultdict(int)
    topics: dict[str, Row] = {}
    orgs: dict[str, Row] = {}
    by_tutor: dict[str, Row] = {}
    routes = set()
    for route_id, person_id, status, topic, org in rows:
        by_status[status] += 1
        routes.add(route_id)
        if status == "cancelled":
            continue
        done = status == "done"
        total.add(person_id, done)
        topics.setdefault(topic or no_topic, Row(topic or no_topic)).add(person_id, done)
        orgs.setdefault(org or no_organization, Row(org or no_organization)).add(person_id, done)
        for name in tutors.get(route_id, ()):
            by_tutor.setdefault(name, Row(name)).add(person_id, done)
    order = lambda d: sorted(d.values(), key=lambda r: (-r.steps, r.label))  # noqa: E731
    return Progress(len(routes), total, order(topics), order(orgs), order(by_tutor), dict(by_status))
