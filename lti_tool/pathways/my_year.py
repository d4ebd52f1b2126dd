"""A teacher's year on one page ("my year") and a tutor's teachers ("my teachers").

"My year" ties together what the areas keep about her: the steps of her published route in date
order with who added them, her sign-ups with attendance, scores, tutors' comments, hours and
certificates (`events.records`), the surveys she answered and her own competence dynamics
(`surveys.personal`). "My teachers" lists the routes a tutor supports with their progress, what is
overdue and what comes next. Both run a fixed number of queries whatever the network's size.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from ..core.reference import AcademicYear, Person
from ..events.records import Record, person_records, year_hours
from ..surveys.personal import Answered, MyDynamics, answered_surveys, my_dynamics
from .models import Route, RouteStep, RouteTutor
from .services import is_overdue


def step_day(step: RouteStep) -> date | None:
    """The day a step sits at in the year: its planned start, else its end, else when it was done."""
    return step.planned_start or step.planned_end or (step.completed_at.date() if step.completed_at else None)


def dated_steps(route: Route) -> list[RouteStep]:
    """The route's steps (cancelled ones last) in date order; undated steps after the dated ones."""
    return sorted(route.steps, key=lambda s: (s.status == "cancelled", step_day(s) is None,
                                              step_day(s) or date.max, s.position, s.id))


@dataclass
class MyYear:
    """Everything of one teacher's school year."""

    person: Person
    year: AcademicYear | None
    route: Route | None = None
    steps: list[RouteStep] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    surveys: list[Answered] = field(default_factory=list)
    dynamics: MyDynamics | None = None

    @property
    def hours(self) -> float:
        return year_hours(self.records)

    @property
    def certificates(self) -> list[Record]:
        return [r for r in self.records if r.completed]

    @property
    def attended(self) -> int:
        return sum(r.attended for r in self.records)


def my_year(session: Session, network_id: int, person: Person, year: AcademicYear | None) -> MyYear:
    """Her year: the published route (steps in date order), records, answered surveys, dynamics."""
    result = MyYear(person, year)
    if year is None:
        return result
    route = session.scalar(sa.select(Route).where(Route.person_id == person.id, Route.year_id == year.id,
                                                  Route.status == "published")
                           .options(selectinload(Route.steps).selectinload(RouteStep.topic),
                                    selectinload(Route.steps).selectinload(RouteStep.comments),
                                    selectinload(Route.tutors).selectinload(RouteTutor.tutor)))
    if route is not None:
        result.route, result.steps = route, dated_steps(route)
    result.records = person_records(session, network_id, person.id, year.id)
    result.surveys = answered_surveys(session, network_id, person.id, year.id)
    result.dynamics = my_dynamics(session, network_id, person.id, year.id)
    return result


@dataclass(frozen=True)
class Tutee:
    """One teacher a tutor supports: her route and where it stands today."""

    route: Route
    done: int
    active: int
    overdue: int
    next_step: RouteStep | None


def my_teachers(session: Session, network_id: int, tutor_id: int, year_id: int, today: date) -> list[Tutee]:
    """The published routes of the year the tutor is attached to, by teacher's name, with progress."""
    routes = session.scalars(
        sa.select(Route).join(RouteTutor, RouteTutor.route_id == Route.id).join(Person, Person.id == Route.person_id)
        .where(Route.network_id == network_id, Route.year_id == year_id, RouteTutor.tutor_id == tutor_id,
               Route.status == "published")
        .order_by(Person.full_name, Route.id)
        .options(selectinload(Route.person).selectinload(Person.organization), selectinload(Route.steps)))
    result = []
    for route in routes:
        active = route.active_steps
        upcoming = [s for s in dated_steps(route) if s.status in ("planned", "in_progress") and not is_overdue(s, today)]
        result.append(Tutee(route, sum(s.status == "done" for s in active), len(active),
                            sum(is_overdue(s, today) for s in active), upcoming[0] if upcoming else None))
    return result
