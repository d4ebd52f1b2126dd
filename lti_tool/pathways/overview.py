"""The planner page's lists at region size: routes a page at a time, teachers found by name.

A region has 20,000 routes: the page shows 50 of them (sorted by name, filtered by part of a
name) with their step counts from one aggregate query, and the teacher pickers show the first
matches of a name search instead of every person of the network.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..core.people import name_matches
from ..core.reference import Organization, Person
from .models import Route, RouteStep

PER_PAGE = 50
FOUND = 20
MIN_LENGTH = 2


@dataclass(frozen=True)
class RouteRow:
    """One route of the list: its teacher, status and steps (active, done)."""

    route_id: int
    teacher: str
    status: str
    steps: int
    done: int

    @property
    def progress(self) -> float | None:
        """Share of active steps done (None without steps), as `Route.progress`."""
        return self.done / self.steps if self.steps else None


@dataclass(frozen=True)
class RoutePage:
    """A page of the year's routes and where it is in the whole list."""

    rows: list[RouteRow]
    total: int
    page: int
    pages: int


def route_page(session: Session, network_id: int, year_id: int, query: str = "", page: int = 1) -> RoutePage:
    """The year's routes by teacher name, `PER_PAGE` at a time (two queries whatever the size)."""
    where = [Route.network_id == network_id, Route.year_id == year_id]
    if len(query.strip()) >= MIN_LENGTH:
        where.append(name_matches(Person.full_name, query))
    total = session.scalar(sa.select(sa.func.count()).select_from(Route)
                           .join(Person, Person.id == Route.person_id).where(*where)) or 0
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(page, 1), pages)
    active = RouteStep.status != "cancelled"
    steps = (sa.select(RouteStep.route_id, sa.func.count().label("steps"),
                       sa.func.sum(sa.case((RouteStep.status == "done", 1), else_=0)).label("done"))
             .where(active).group_by(RouteStep.route_id).subquery())
    rows = session.execute(
        sa.select(Route.id, Person.full_name, Route.status, sa.func.coalesce(steps.c.steps, 0),
                  sa.func.coalesce(steps.c.done, 0))
        .join(Person, Person.id == Route.person_id).outerjoin(steps, steps.c.route_id == Route.id)
        .where(*where).order_by(Person.full_name, Route.id).offset((page - 1) * PER_PAGE).limit(PER_PAGE))
    return RoutePage([RouteRow(*row) for row in rows], total, page, pages)


def find_teachers(session: Session, network_id: int, query: str, limit: int = FOUND) -> list[tuple[int, str]]:
    """(person id, label) of the first people of the network whose name contains `query`.

    The label is the name with the organization («Орлова Дарья Олеговна — МАДОУ № 8»), so that
    namesakes can be told apart; namesakes of one organization get their position too.
    """
    if len(query.strip()) < MIN_LENGTH:
        return []
    rows = session.execute(
        sa.select(Person.id, Person.full_name, Organization.name, Person.position)
        .outerjoin(Organization, Organization.id == Person.organization_id)
        .where(Person.network_id == network_id, Person.retired_at.is_(None), name_matches(Person.full_name, query))
        .order_by(Person.full_name, Person.id).limit(limit)).all()
    labels = [f"{name} — {org}" if org else name for _pid, name, org, _pos in rows]
    repeated = {label for label in labels if labels.count(label) > 1}
    return [(pid, f"{label}, {position}" if label in repeated and position else label)
            for (pid, _name, _org, position), label in zip(rows, labels)]
