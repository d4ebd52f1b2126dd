"""A tutor's own events ("my events"): what she leads or was assigned to grade, in three groups.

- **to grade now**: meetings on or before today of her events (not cancelled) where some registered
  participant has no mark yet — each a link to its grading page;
- **upcoming**: her published events with a meeting today or later;
- **held**: her events whose meetings are all past (or marked held).

Five queries whatever the number of events and people (the statement guard of tests/scaling).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from .models import Attendance, Event, EventLeader, EventMeeting, Participant
from .services import is_over


@dataclass(frozen=True)
class ToGrade:
    """A meeting that took place with participants still without a mark."""

    event: Event
    meeting: EventMeeting
    registered: int
    marked: int

    @property
    def missing(self) -> int:
        return self.registered - self.marked


@dataclass
class Leading:
    """Her events in the three groups, and how many people signed up to each."""

    to_grade: list[ToGrade] = field(default_factory=list)
    upcoming: list[Event] = field(default_factory=list)
    held: list[Event] = field(default_factory=list)
    registered: dict[int, int] = field(default_factory=dict)
    kinds: dict[int, str] = field(default_factory=dict)  # event id → lead | assigned


def my_events(session: Session, network_id: int, person_id: int, today: date, year_id: int | None = None) -> Leading:
    """The events she leads or grades (of `year_id`, else every year), grouped for "my events"."""
    mine = sa.select(EventLeader.event_id).where(EventLeader.person_id == person_id)
    clauses = [Event.network_id == network_id, Event.id.in_(mine), Event.status != "cancelled"]
    if year_id is not None:
        clauses.append(Event.year_id == year_id)
    events = list(session.scalars(sa.select(Event).where(*clauses)
                                  .options(selectinload(Event.sessions), selectinload(Event.topic))))
    result = Leading()
    if not events:
        return result
    ids = [e.id for e in events]
    result.kinds = dict(session.execute(sa.select(EventLeader.event_id, EventLeader.kind).where(
        EventLeader.person_id == person_id, EventLeader.event_id.in_(ids))).all())
    result.registered = dict(session.execute(
        sa.select(Participant.event_id, sa.func.count()).where(Participant.event_id.in_(ids),
                                                               Participant.status == "registered")
        .group_by(Participant.event_id)).all())
    marked = dict(session.execute(
        sa.select(Attendance.session_id, sa.func.count()).join(Participant, Participant.id == Attendance.participant_id)
        .join(EventMeeting, EventMeeting.id == Attendance.session_id)
        .where(EventMeeting.event_id.in_(ids), Participant.status == "registered")
        .group_by(Attendance.session_id)).all())
    for event in events:
        registered = result.registered.get(event.id, 0)
        for meeting in event.sessions:
            if meeting.on_date <= today and registered and marked.get(meeting.id, 0) < registered:
                result.to_grade.append(ToGrade(event, meeting, registered, marked.get(meeting.id, 0)))
        if event.status != "draft" and is_over(event, today):
            result.held.append(event)
        else:
            result.upcoming.append(event)
    result.to_grade.sort(key=lambda g: (g.meeting.on_date, g.event.title, g.meeting.id))
    result.upcoming.sort(key=lambda e: (_next(e, today) or date.max, e.title, e.id))
    result.held.sort(key=lambda e: (e.sessions[-1].on_date if e.sessions else date.min, e.id), reverse=True)
    return result


def _next(event: Event, today: date) -> date | None:
    """Its next meeting today or later."""
    return next((m.on_date for m in event.sessions if m.on_date >= today), None)


def next_meeting(event: Event, today: date) -> EventMeeting | None:
    """The event's next meeting today or later (None when all are past)."""
    return next((m for m in event.sessions if m.on_date >= today), None)
