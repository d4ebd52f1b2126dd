"""Events of the network's year: meetings, leaders, participants, attendance, grading scales,
completions, protocol notes and the teachers' calendar feed tokens.

A meeting of an event (`EventMeeting`) keeps its table name `event_session`; the columns and
relationships that point at it (`Event.sessions`, `Attendance.session_id`, `min_sessions`) and the
URLs keep "session" too. In Python code "session" otherwise means the SQLAlchemy session.

Events point at the resource map (topic, host organization, offering) and are retired by status
(`cancelled`), never deleted once people signed up.
"""
from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.db import Base
from ..core.reference import AcademicYear, Organization, Person, Topic

EVENT_STATUSES = ("draft", "published", "cancelled", "held")
PARTICIPANT_STATUSES = ("registered", "waitlisted", "cancelled")
ATTENDANCE_STATUSES = ("present", "late", "excused", "absent")
ATTENDED = ("present", "late")
LEADER_KINDS = ("lead", "assigned")  # leads the event | assigned by a methodist to grade it
SCALE_KINDS = ("points", "pass_fail")


class Event(Base):
    """An event of the year in one form of §3.5 (tutorial, consultation, master class …)."""

    __tablename__ = "event"
    __table_args__ = (sa.UniqueConstraint("network_id", "year_id", "protocol_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id"), index=True)
    year_id: Mapped[int] = mapped_column(sa.ForeignKey("academic_year.id"), index=True)
    form: Mapped[str] = mapped_column(sa.String(32))  # a code of resource_map.catalog.FORMS
    topic_id: Mapped[int | None] = mapped_column(sa.ForeignKey("topic.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(512))
    description: Mapped[str | None] = mapped_column(sa.Text)
    host_organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organization.id"))
    offering_id: Mapped[int | None] = mapped_column(sa.ForeignKey("offering.id"), index=True)
    # The methodological cluster that runs the event (reports credit it); None: the offering's cluster,
    # else the clusters of the event's topic (lti_tool.reports.queries.cluster_events).
    cluster_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cluster.id"), index=True)
    capacity: Mapped[int | None]  # None: no limit
    signup_opens_at: Mapped[datetime | None]
    signup_closes_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(sa.String(16), default="draft")
    # Bumped under the event's lock by every sign-up change; waitlist order uses its value.
    roster_version: Mapped[int] = mapped_column(default=0)
    protocol_number: Mapped[int | None]  # № N per network and year, set when first issued
    protocol_issued_at: Mapped[datetime | None]
    # Completion rule: attended at least `min_sessions` and an event score of at least `min_score`.
    min_sessions: Mapped[int] = mapped_column(default=1)
    min_score: Mapped[float | None]
    best_practice: Mapped[bool] = mapped_column(default=False)  # flagged by methodists for reports
    # Methods used inside the event: codes of events.technologies.TECHNOLOGIES and own names.
    technologies: Mapped[list] = mapped_column(sa.JSON, default=list, server_default=sa.text("'[]'"))
    protocol_chair: Mapped[str | None] = mapped_column(sa.String(255))  # as written in the protocol
    protocol_secretary: Mapped[str | None] = mapped_column(sa.String(255))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    year: Mapped[AcademicYear] = relationship()
    topic: Mapped[Topic | None] = relationship()
    host_organization: Mapped[Organization | None] = relationship()
    # The resource map's rows by name: events import no resource_map models (they sit above it in
    # the layers, but models stay free of each other's classes).
    offering: Mapped["Offering | None"] = relationship("Offering")  # noqa: F821
    cluster: Mapped["Cluster | None"] = relationship("Cluster")  # noqa: F821
    sessions: Mapped[list[EventMeeting]] = relationship(
        back_populates="event", order_by="(EventMeeting.on_date, EventMeeting.start_time, EventMeeting.id)")
    leaders: Mapped[list[EventLeader]] = relationship(back_populates="event", order_by="EventLeader.id")
    participants: Mapped[list[Participant]] = relationship(back_populates="event", order_by="Participant.queue_seq")
    notes: Mapped[list[ProtocolNote]] = relationship(back_populates="event", order_by="ProtocolNote.id")


class EventMeeting(Base):
    """One meeting of an event: a date, local start/end times and a place or an online link."""

    __tablename__ = "event_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    on_date: Mapped[date]
    start_time: Mapped[time | None]
    end_time: Mapped[time | None]
    place: Mapped[str | None] = mapped_column(sa.String(512))
    online_url: Mapped[str | None] = mapped_column(sa.String(1024))

    event: Mapped[Event] = relationship(back_populates="sessions")


class EventLeader(Base):
    """A tutor who leads the event, or whom a methodist assigned to grade it."""

    __tablename__ = "event_leader"
    __table_args__ = (sa.UniqueConstraint("event_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16), default="lead")

    event: Mapped[Event] = relationship(back_populates="leaders")
    person: Mapped[Person] = relationship()


class Participant(Base):
    """A person signed up for an event: registered, on the waitlist (in `queue_seq` order) or cancelled."""

    __tablename__ = "event_participant"
    __table_args__ = (sa.UniqueConstraint("event_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="registered")
    # First-come order: the event's roster_version when the person (re)joined.
    queue_seq: Mapped[int] = mapped_column(default=0)
    added_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(back_populates="participants")
    person: Mapped[Person] = relationship()
    attendances: Mapped[list[Attendance]] = relationship(back_populates="participant")
    completion: Mapped[EventCompletion | None] = relationship(back_populates="participant")


class Attendance(Base):
    """Attendance and participation score of a participant at one meeting."""

    __tablename__ = "event_attendance"
    __table_args__ = (sa.UniqueConstraint("session_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("event_session.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("event_participant.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(16))
    score: Mapped[float | None]
    comment: Mapped[str | None] = mapped_column(sa.Text)
    graded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    graded_at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[EventMeeting] = relationship()
    participant: Mapped[Participant] = relationship(back_populates="attendances")


class GradingScale(Base):
    """The participation scale of a form in a network: points 0..max with rubric, or pass/fail."""

    __tablename__ = "event_grading_scale"
    __table_args__ = (sa.UniqueConstraint("network_id", "form"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id"), index=True)
    form: Mapped[str] = mapped_column(sa.String(32))
    kind: Mapped[str] = mapped_column(sa.String(16), default="points")
    max_points: Mapped[float] = mapped_column(default=10.0)
    # [{"score": 10, "descriptor": "…"}, …] shown beside the score input
    rubric: Mapped[list] = mapped_column(sa.JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class EventCompletion(Base):
    """Whether a participant met the event's completion rule at the last evaluation."""

    __tablename__ = "event_completion"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("event_participant.id"), unique=True)
    completed: Mapped[bool] = mapped_column(default=False)
    sessions_attended: Mapped[int] = mapped_column(default=0)
    score: Mapped[float | None]
    evaluated_at: Mapped[datetime] = mapped_column(default=utcnow)

    participant: Mapped[Participant] = relationship(back_populates="completion")


class ProtocolNote(Base):
    """A line of the event protocol: an agenda item, what was heard or said and decided on an item
    (`item`: its number on the agenda), or a note."""

    __tablename__ = "event_protocol_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16), default="decision")  # agenda | heard | spoke | decision | note
    item: Mapped[int | None]  # the agenda item a heard/spoke/decision line belongs to
    text: Mapped[str] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped[Event] = relationship(back_populates="notes")


class CalendarToken(Base):
    """The secret of a person's iCalendar feed URL (calendar apps cannot send the session cookie)."""

    __tablename__ = "event_calendar_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), unique=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
