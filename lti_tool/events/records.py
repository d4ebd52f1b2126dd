"""A participant's record of the year: her sign-ups, attendance and scores per meeting, the tutors'
comments, hours, completion — for her "my year" page, her portfolio and her certificates.

Hours are the length of the meetings she attended (present or late) that have a start and an end
time; a meeting without times adds nothing, and the record says how many such meetings there were.
Four queries for any number of events.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from ..core.reference import Person
from .models import ATTENDED, Attendance, Event, EventCompletion, EventLeader, EventMeeting, Participant


def meeting_hours(meeting: EventMeeting) -> float | None:
    """The meeting's length in hours (None without both times, or when it ends before it starts)."""
    if meeting.start_time is None or meeting.end_time is None or meeting.end_time <= meeting.start_time:
        return None
    length = datetime.combine(date.min, meeting.end_time) - datetime.combine(date.min, meeting.start_time)
    return round(length.total_seconds() / 3600, 2)


@dataclass
class MeetingMark:
    """One meeting of the event and her mark at it (None before it is marked)."""

    meeting: EventMeeting
    status: str | None = None  # present | late | excused | absent
    score: float | None = None
    comment: str | None = None

    @property
    def attended(self) -> bool:
        return self.status in ATTENDED


@dataclass
class Record:
    """Her participation in one event."""

    event: Event
    participant: Participant
    marks: list[MeetingMark] = field(default_factory=list)
    completed: bool = False
    score: float | None = None  # the event score (mean of her scores at attended meetings)
    leaders: list[str] = field(default_factory=list)  # leading tutors' names

    @property
    def first_date(self) -> date | None:
        return self.marks[0].meeting.on_date if self.marks else None

    @property
    def last_date(self) -> date | None:
        return self.marks[-1].meeting.on_date if self.marks else None

    @property
    def attended(self) -> int:
        return sum(m.attended for m in self.marks)

    @property
    def hours(self) -> float:
        return round(sum(meeting_hours(m.meeting) or 0 for m in self.marks if m.attended), 2)

    @property
    def untimed(self) -> int:
        """Attended meetings without times (their hours are unknown)."""
        return sum(1 for m in self.marks if m.attended and meeting_hours(m.meeting) is None)

    @property
    def comments(self) -> list[tuple[date, str]]:
        """The tutors' comments on her participation, by meeting date."""
        return [(m.meeting.on_date, m.comment) for m in self.marks if m.comment]


def person_records(session: Session, network_id: int, person_id: int, year_id: int | None = None,
                   event_id: int | None = None) -> list[Record]:
    """Her sign-ups (not drafts) of the network's events of `year_id` (or one event), by first meeting."""
    return people_records(session, network_id, [person_id], year_id, event_id).get(person_id, [])


def people_records(session: Session, network_id: int, person_ids, year_id: int | None = None,
                   event_id: int | None = None) -> dict[int, list[Record]]:
    """{person id: her records} for several people at once (the portfolios): the same four queries."""
    clauses = [Event.network_id == network_id, Participant.person_id.in_(list(person_ids)), Event.status != "draft"]
    if year_id is not None:
        clauses.append(Event.year_id == year_id)
    if event_id is not None:
        clauses.append(Event.id == event_id)
    theirs = sa.select(Participant.id).join(Event, Event.id == Participant.event_id).where(*clauses)
    participants = list(session.scalars(
        sa.select(Participant).join(Event, Event.id == Participant.event_id).where(*clauses)
        .options(selectinload(Participant.event).selectinload(Event.sessions),
                 selectinload(Participant.event).selectinload(Event.topic),
                 selectinload(Participant.completion))))
    if not participants:
        return {}
    # Subqueries, not id lists: a methodist's portfolios cover every teacher of the network.
    marks = {(a.participant_id, a.session_id): a for a in session.scalars(
        sa.select(Attendance).where(Attendance.participant_id.in_(theirs)))}
    leaders: dict[int, list[str]] = {}
    events = sa.select(Participant.event_id).join(Event, Event.id == Participant.event_id).where(*clauses)
    for event_id_, name in session.execute(
            sa.select(EventLeader.event_id, Person.full_name).join(Person, Person.id == EventLeader.person_id)
            .where(EventLeader.event_id.in_(events), EventLeader.kind == "lead").order_by(EventLeader.id)):
        leaders.setdefault(event_id_, []).append(name)
    result: dict[int, list[Record]] = {}
    for p in participants:
        completion: EventCompletion | None = p.completion
        record = Record(p.event, p, completed=bool(completion and completion.completed),
                        score=completion.score if completion else None, leaders=leaders.get(p.event_id, []))
        for meeting in p.event.sessions:
            mark = marks.get((p.id, meeting.id))
            record.marks.append(MeetingMark(meeting, mark.status if mark else None, mark.score if mark else None,
                                            mark.comment if mark else None))
        result.setdefault(p.person_id, []).append(record)
    for found in result.values():
        found.sort(key=lambda r: (r.first_date or date.max, r.event.title, r.event.id))
    return result


def year_hours(records: list[Record]) -> float:
    """Hours of all the attended meetings of the records."""
    return round(sum(r.hours for r in records), 2)
