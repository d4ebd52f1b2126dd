"""Routes (ИПОМ) by hand: steps added, cancelled and progressed, goals, tutors and comments.

Plain functions over a `Session`: they add and flush, the view (or the demo loader) commits.
A step a methodist adds or cancels becomes ``source = manual`` (shown as "methodist"); a step the
teacher adds to her own route is ``source = self``. Re-planning keeps both (see planning.py).
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

from ..core.clock import utcnow
from ..core.db import is_sqlite
from ..core.member_roles import tutor_person_ids
from ..core.reference import Person, Topic
from ..events.models import Event
from ..resource_map.models import Offering
from .models import SELF_KINDS, STEP_STATUSES, Route, RouteStep, RouteTutor, StepComment
from .planning import seats_held
from .signals import routes_published, step_commented

TEACHER_STATUSES = ("planned", "in_progress", "done")  # a teacher may not cancel a step
SOURCES = ("planner", "manual", "self")  # the optimiser, a methodist by hand, the teacher herself
HAND_SOURCES = ("manual", "self")  # re-planning keeps these


def is_overdue(step: RouteStep, today: date) -> bool:
    """A step still "planned" whose planned dates are over (its end, else its start, is before today)."""
    last = step.planned_end or step.planned_start
    return step.status == "planned" and last is not None and last < today


def _source(source: str) -> str:
    if source not in HAND_SOURCES:
        raise PathwayError(_l("Unknown source of the step."))
    return source


class PathwayError(ValueError):
    """A request the rules of routes refuse; `message` is translated and shown to the user."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def get_route(session: Session, network_id: int, route_id: int) -> Route | None:
    """A route of the network, or None."""
    route = session.get(Route, route_id)
    return route if route is not None and route.network_id == network_id else None


def route_for(session: Session, network_id: int, person_id: int, year_id: int, *,
              create: bool = False, created_by_id: int | None = None) -> Route | None:
    """The person's route of the year (created as a draft when asked), its steps with their topics and
    comments loaded with it (the timeline shows them all)."""
    route = session.scalar(sa.select(Route).where(Route.person_id == person_id, Route.year_id == year_id)
                           .options(selectinload(Route.steps).selectinload(RouteStep.comments)
                                    .selectinload(StepComment.author),
                                    selectinload(Route.steps).selectinload(RouteStep.topic)))
    if route is None and create:
        person = session.get(Person, person_id)
        if person is None or person.network_id != network_id:
            raise PathwayError(_l("Unknown teacher."))
        route = Route(network_id=network_id, person_id=person_id, year_id=year_id, created_by_id=created_by_id)
        session.add(route)
        session.flush()
    return route


def lock_offerings(session: Session, offering_ids) -> None:
    """Serialise seat counting: row locks on PostgreSQL; SQLite takes its write lock on the first write."""
    ids = sorted(set(offering_ids))
    if ids and not is_sqlite(session):
        session.execute(sa.select(Offering.id).where(Offering.id.in_(ids)).order_by(Offering.id).with_for_update())


def over_capacity(session: Session, year_id: int, offering_ids) -> list[Offering]:
    """Offerings whose published routes hold more seats than the capacity allows."""
    ids = set(offering_ids)
    if not ids:
        return []
    held = seats_held(session, year_id, offering_ids=ids)
    offerings = session.scalars(sa.select(Offering).where(Offering.id.in_(ids)).order_by(Offering.id))
    return [o for o in offerings if o.capacity is not None and held[o.id] > o.capacity]


def _touch(session: Session, route: Route) -> None:
    """A write on the route first: on SQLite it takes the database write lock before seats are counted."""
    route.updated_at = utcnow()
    session.flush()


def _next_position(route: Route) -> int:
    return max((s.position or 0 for s in route.steps), default=0) + 1


def add_offering_step(session: Session, route: Route, offering_id: int, *, source: str = "manual") -> RouteStep:
    """Add an offering of the resource map to the route by hand (a methodist's ``manual`` or the
    teacher's ``self``), if a seat is free; the offering must be of the route's school year."""
    source = _source(source)
    offering = session.get(Offering, offering_id)
    if offering is None or offering.network_id != route.network_id or offering.retired_at is not None:
        raise PathwayError(_l("Unknown offering."))
    if offering.year_id != route.year_id:
        raise PathwayError(_l("The offering belongs to another school year."))
    if any(s.offering_id == offering_id and s.status != "cancelled" for s in route.steps):
        raise PathwayError(_l("This offering is already in the route."))
    _touch(session, route)
    lock_offerings(session, [offering_id])
    if offering.capacity is not None:
        taken = seats_held(session, route.year_id, offering_ids=[offering_id])[offering_id]
        if taken >= offering.capacity:
            raise PathwayError(_l("No free seats left in this offering."))
    old = next((s for s in route.steps if s.offering_id == offering_id), None)
    # Computed before the new step joins `route.steps`: the query would autoflush a half-built step.
    position = _next_position(route)
    step = old or RouteStep(kind="offering", offering_id=offering_id)
    step.topic_id, step.form = offering.topic_id, offering.form
    step.title = offering.title or offering.topic.name
    step.planned_start, step.planned_end = offering.starts_on, offering.ends_on
    step.status, step.source, step.position = "planned", source, position
    if old is None:
        route.steps.append(step)
    session.add(step)
    session.flush()
    return step


def add_event_step(session: Session, route: Route, event_id: int, *, source: str = "manual") -> RouteStep:
    """Add an event of the route's year to the route by hand (its seats are the event's own sign-up)."""
    source = _source(source)
    event = session.get(Event, event_id)
    if event is None or event.network_id != route.network_id or event.status in ("draft", "cancelled"):
        raise PathwayError(_l("Unknown event."))
    if event.year_id != route.year_id:
        raise PathwayError(_l("The event belongs to another school year."))
    if any(s.event_id == event_id and s.status != "cancelled" for s in route.steps):
        raise PathwayError(_l("This event is already in the route."))
    first = event.sessions[0].on_date if event.sessions else None
    last = event.sessions[-1].on_date if event.sessions else None
    step = RouteStep(route=route, kind="event", event_id=event.id, topic_id=event.topic_id, form=event.form,
                     title=event.title, planned_start=first, planned_end=last, source=source,
                     position=_next_position(route))
    session.add(step)
    session.flush()
    return step


def add_self_step(session: Session, route: Route, self_kind: str, title: str, *, topic_id: int | None = None,
                  planned_start: date | None = None, planned_end: date | None = None,
                  source: str = "manual") -> RouteStep:
    """Add a self-education task: reading, project, portfolio item, publication or talk."""
    source = _source(source)
    if self_kind not in SELF_KINDS:
        raise PathwayError(_l("Unknown kind of self-education."))
    if not (title or "").strip():
        raise PathwayError(_l("Give the task a title."))
    step = RouteStep(route=route, kind="self_education", self_kind=self_kind, title=title.strip()[:512],
                     topic_id=topic_id, form="self_education", planned_start=planned_start,
                     planned_end=planned_end, source=source, position=_next_position(route))
    session.add(step)
    session.flush()
    return step


def cancel_step(session: Session, step: RouteStep) -> RouteStep:
    """Cancel a step by hand; re-planning will not propose the same offering to this teacher again."""
    step.status, step.source = "cancelled", "manual"
    session.flush()
    return step


def update_progress(session: Session, step: RouteStep, *, status: str, evidence: str | None,
                    reflection: str | None) -> RouteStep:
    """The teacher's progress on a step: status, evidence (a link or a note), reflection."""
    if status not in TEACHER_STATUSES or step.status == "cancelled":
        raise PathwayError(_l("This status cannot be set."))
    if status == "done" and step.status != "done":
        step.completed_at = utcnow()
    elif status != "done":
        step.completed_at = None
    step.status = status
    step.evidence = (evidence or "").strip() or None
    step.reflection = (reflection or "").strip() or None
    session.flush()
    return step


def set_goals(session: Session, route: Route, goals: str | None, topic_ids: list[int]) -> Route:
    """The route's goals: free text and the chosen topics."""
    route.goals = (goals or "").strip() or None
    wanted = {int(t) for t in topic_ids}
    route.goal_topic_ids = sorted(session.scalars(sa.select(Topic.id).where(
        Topic.network_id == route.network_id, Topic.id.in_(wanted)))) if wanted else []
    session.flush()
    return route


def attach_tutor(session: Session, route: Route, tutor_id: int) -> RouteTutor:
    """Attach a tutor of the network (the map's tutor mark, or an LMS Instructor, TA or Mentor) to the
    route (idempotent)."""
    tutor = session.get(Person, tutor_id)
    if tutor is None or tutor.network_id != route.network_id or tutor_id not in tutor_person_ids(session, route.network_id):
        raise PathwayError(_l("Unknown tutor."))
    row = next((t for t in route.tutors if t.tutor_id == tutor_id), None)
    if row is None:
        row = RouteTutor(route=route, tutor_id=tutor_id)
        session.add(row)
        session.flush()
    return row


def detach_tutor(session: Session, route: Route, tutor_id: int) -> None:
    """Detach a tutor from the route."""
    for row in list(route.tutors):
        if row.tutor_id == tutor_id:
            route.tutors.remove(row)
    session.flush()


def add_comment(session: Session, step: RouteStep, author_id: int, text: str) -> StepComment:
    """A comment on a step."""
    text = (text or "").strip()
    if not text:
        raise PathwayError(_l("The comment is empty."))
    comment = StepComment(step=step, author_id=author_id, text=text[:4000])
    session.add(comment)
    session.flush()
    step_commented.send(session, step_id=step.id, comment_id=comment.id)
    return comment


def publish_route(session: Session, route: Route) -> Route:
    """Publish one route edited by hand; refused when its steps would overbook an offering."""
    _touch(session, route)
    ids = [s.offering_id for s in route.active_steps if s.offering_id]
    lock_offerings(session, ids)
    was = route.status
    route.status, route.published_at = "published", route.published_at or utcnow()
    session.flush()
    full = over_capacity(session, route.year_id, ids)
    if full:
        route.status = was
        session.flush()
        raise PathwayError(_l("No free seats left in: %(names)s.", names=", ".join(o.title or str(o.id) for o in full)))
    if was != "published":
        routes_published.send(session, route_ids=[route.id])
    return route


def tutor_routes(session: Session, network_id: int, tutor_id: int, year_id: int | None = None) -> list[Route]:
    """Routes a tutor is attached to."""
    query = (sa.select(Route).join(RouteTutor, RouteTutor.route_id == Route.id)
             .where(Route.network_id == network_id, RouteTutor.tutor_id == tutor_id))
    if year_id is not None:
        query = query.where(Route.year_id == year_id)
    return list(session.scalars(query.order_by(Route.id).options(selectinload(Route.person))))


def is_attached(route: Route, person_id: int) -> bool:
    """True when the person is a tutor attached to the route."""
    return any(t.tutor_id == person_id for t in route.tutors)


__all__ = ["STEP_STATUSES", "PathwayError", "add_comment", "add_event_step", "add_offering_step", "add_self_step",
           "attach_tutor", "cancel_step", "get_route", "publish_route", "route_for", "set_goals", "update_progress"]
