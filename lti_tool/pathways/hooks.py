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


def on_event_completed(session: Session, event_id: int, person_ids: list[int]) -> None:
    """Mark done these people's open route steps for this event, or for the offering it realises
    (one query for everyone who completed it in this save)."""
    event = session.get(Event, event_id)
    if event is None:
        return
    match = RouteStep.event_id == event.id
    if event.offering_id is not None:
        match = sa.or_(match, sa.and_(RouteStep.event_id.is_(None), RouteStep.offering_id == event.offering_id))
    steps = session.scalars(
        sa.select(RouteStep).join(Route, Route.id == RouteStep.route_id)
        .where(Route.person_id.in_(person_ids), Route.network_id == event.network_id, RouteStep.status.in_(OPEN),
               match))
    now = utcnow()
    for step in steps:
        step.status, step.completed_at, step.event_id = "done", now, event.id
    session.flush()


def connect_signals() -> None:
    """Subscribe routes to the events area's completions (the app factory calls this; connecting
    again is harmless: blinker keeps one connection per receiver)."""
    participation_completed.connect(on_event_completed)
