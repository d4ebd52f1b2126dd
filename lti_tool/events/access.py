"""Loading events for a request: network scope (404 elsewhere) and who may manage or grade."""
from __future__ import annotations

from flask import abort

from ..web.auth import METHODIST, TUTOR, Actor, check_network, current_person, require_actor
from ..web.extensions import db
from .models import Event, EventMeeting, Participant
from .services import can_grade


def can_manage(actor: Actor) -> bool:
    """Methodists (and administrators) manage every event of their network."""
    return actor.is_staff


def load_event(event_id: int) -> Event:
    """The event of the actor's network, else 404; drafts only for staff and the event's tutors."""
    actor = require_actor()
    event = check_network(db.session.get(Event, event_id), actor)
    if event.status == "draft" and not (can_manage(actor) or may_grade(event, actor)):
        abort(404)
    return event


def load_meeting(session_id: int) -> EventMeeting:
    """A meeting of an event of the actor's network, else 404."""
    row = db.session.get(EventMeeting, session_id)
    if row is None:
        abort(404)
    load_event(row.event_id)
    return row


def load_participant(event: Event, participant_id: int) -> Participant:
    """A participant of this event, else 404."""
    row = db.session.get(Participant, participant_id)
    if row is None or row.event_id != event.id:
        abort(404)
    return row


def may_grade(event: Event, actor: Actor | None = None) -> bool:
    """True for methodists and for tutors who lead or were assigned to the event."""
    actor = actor or require_actor()
    if actor.is_staff:
        return True
    if not actor.has(TUTOR):
        return False
    return can_grade(db.session, event, current_person(actor).id, is_staff=False, is_tutor=True)


def require_grader(event: Event) -> Actor:
    """403 unless the actor may grade (and keep the roster of) this event."""
    actor = require_actor()
    if not may_grade(event, actor):
        abort(403)
    return actor


def require_manager() -> Actor:
    """403 unless the actor is a methodist of the network."""
    actor = require_actor()
    if not (can_manage(actor) or actor.has(METHODIST)):
        abort(403)
    return actor
