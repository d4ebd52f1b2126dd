"""What several pathways views share: a route's goal topics and events, going back with a message."""
from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect
from sqlalchemy.orm import selectinload

from ..core.reference import Topic
from ..events.models import Event, Participant
from ..resource_map.models import Offering
from ..web.extensions import db
from .models import Route
from .services import PathwayError


def goal_topics(route: Route) -> list[Topic]:
    """The topics chosen as the route's goals."""
    if not route.goal_topic_ids:
        return []
    return list(db.session.scalars(sa.select(Topic).where(Topic.network_id == route.network_id,
                                                          Topic.id.in_(route.goal_topic_ids)).order_by(Topic.name)))


def fail(exc: PathwayError, target: str):
    """Roll back, show the rule's message, go back."""
    db.session.rollback()
    flash(str(exc.message), "error")
    return redirect(target)


def step_events(route: Route, person_id: int) -> tuple[dict, dict]:
    """Published events per step (its event, or events realising its offering) and the person's sign-ups."""
    offering_ids = {s.offering_id for s in route.steps if s.offering_id}
    event_ids = {s.event_id for s in route.steps if s.event_id}
    events = list(db.session.scalars(sa.select(Event).where(
        Event.network_id == route.network_id, Event.status.in_(("published", "held")),
        sa.or_(Event.offering_id.in_(offering_ids), Event.id.in_(event_ids))).order_by(Event.id)))
    by_step = {s.id: [e for e in events if e.id == s.event_id or (not s.event_id and e.offering_id == s.offering_id
                                                                   and s.offering_id)] for s in route.steps}
    mine = dict(db.session.execute(sa.select(Participant.event_id, Participant.status).where(
        Participant.person_id == person_id, Participant.event_id.in_([e.id for e in events]))).all())
    return by_step, mine


def addable(route: Route) -> tuple[list, list]:
    """The offerings of the route's year and its published events, for adding a step by hand."""
    offerings = list(db.session.scalars(sa.select(Offering).where(
        Offering.network_id == route.network_id, Offering.year_id == route.year_id, Offering.retired_at.is_(None))
        .order_by(Offering.id).options(selectinload(Offering.topic))))
    events = list(db.session.scalars(sa.select(Event).where(
        Event.network_id == route.network_id, Event.year_id == route.year_id,
        Event.status == "published").order_by(Event.title)))
    return offerings, events
