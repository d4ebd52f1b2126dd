"""What routes do when other areas announce something: an event's participant completed it.

Runs inside the grading transaction: it only adds and flushes, never commits or calls the network.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..core.clock import utcnow
from ..events.models import Event
from ..events.signals import participation_completed
from .models import Route, RouteStep

OPEN = ("planned", "in_progress")
BY_TOPIC_KINDS = ("offering", "event")  # self-education is the teacher's own work, never closed by an event


def on_event_completed(session: Session, event_id: int, person_ids: list[int]) -> None:
    """Mark done these people's open route steps for this event or for the offering it delivers; a
    person with neither gets her earliest open step on the event's topic (an offering or event step
    that names no other event) done instead. Two queries for everyone who completed it in this save."""
    event = session.get(Event, event_id)
    if event is None or not person_ids:
        return
    match = RouteStep.event_id == event.id
    if event.offering_id is not None:
        match = sa.or_(match, sa.and_(RouteStep.event_id.is_(None), RouteStep.offering_id == event.offering_id))
    if event.topic_id is not None:
        match = sa.or_(match, sa.and_(RouteStep.event_id.is_(None), RouteStep.topic_id == event.topic_id,
                                      RouteStep.kind.in_(BY_TOPIC_KINDS)))
    rows = session.execute(
        sa.select(RouteStep, Route.person_id).join(Route, Route.id == RouteStep.route_id)
        .where(Route.person_id.in_(person_ids), Route.network_id == event.network_id,
               Route.year_id == event.year_id, RouteStep.status.in_(OPEN), match)
        .order_by(Route.person_id, RouteStep.planned_start.is_(None), RouteStep.planned_start,
                  RouteStep.position, RouteStep.id)).all()
    exact: dict[int, list[RouteStep]] = {}
    by_topic: dict[int, RouteStep] = {}
    for step, person_id in rows:
        if step.event_id == event.id or (event.offering_id is not None and step.offering_id == event.offering_id):
            exact.setdefault(person_id, []).append(step)
        else:
            by_topic.setdefault(person_id, step)
    now = utcnow()
    for person_id in set(exact) | set(by_topic):
        for step in exact.get(person_id) or [by_topic[person_id]]:
            step.status, step.completed_at, step.event_id = "done", now, event.id
    session.flush()


def connect_signals() -> None:
    """Subscribe routes to the events area's completions (the app factory calls this; connecting
    again is harmless: blinker keeps one connection per receiver)."""
    participation_completed.connect(on_event_completed)
