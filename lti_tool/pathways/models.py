"""Individual professional-educational routes (ИПОМ): routes, steps, comments, attached tutors and
the planner's stored proposals.

A route belongs to one teacher (a `Person`) for one academic year. Its steps point at the resource
map (an offering), at an event, or are self-education tasks. Steps are cancelled, never deleted,
once a route is published: the teacher's history and the portfolio rely on them.
"""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.db import Base
from ..core.reference import AcademicYear, Person, Topic
from ..resource_map.models import Offering

ROUTE_STATUSES = ("draft", "published")
STEP_KINDS = ("offering", "event", "self_education")
# Self-education tasks (самообразование); publications and talks feed the portfolio figures.
SELF_KINDS = ("reading", "project", "portfolio", "publication", "talk")
STEP_STATUSES = ("planned", "in_progress", "done", "cancelled")
STEP_SOURCES = ("planner", "manual")
RUN_STATUSES = ("proposed", "published", "discarded")


class Route(Base):
    """A teacher's route for an academic year: goals and ordered steps."""

    __tablename__ = "pathway_route"
    __table_args__ = (sa.UniqueConstraint("person_id", "year_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    year_id: Mapped[int] = mapped_column(sa.ForeignKey("academic_year.id"), index=True)
    goals: Mapped[str | None] = mapped_column(sa.Text)
    goal_topic_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    status: Mapped[str] = mapped_column(sa.String(16), default="draft")
    published_at: Mapped[datetime | None]
    plan_run_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pathway_plan_run.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    person: Mapped[Person] = relationship()
    year: Mapped[AcademicYear] = relationship()
    steps: Mapped[list[RouteStep]] = relationship(
        back_populates="route", order_by="(RouteStep.position, RouteStep.id)", cascade="all, delete-orphan")
    tutors: Mapped[list[RouteTutor]] = relationship(back_populates="route", order_by="RouteTutor.id",
                                                    cascade="all, delete-orphan")

    @property
    def active_steps(self) -> list[RouteStep]:
        """Steps that are not cancelled."""
        return [s for s in self.steps if s.status != "cancelled"]

    @property
    def progress(self) -> float | None:
        """Share of active steps done (None without steps)."""
        active = self.active_steps
        return sum(s.status == "done" for s in active) / len(active) if active else None


class RouteStep(Base):
    """One step of a route: an offering, an event or a self-education task."""

    __tablename__ = "pathway_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    route_id: Mapped[int] = mapped_column(sa.ForeignKey("pathway_route.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16), default="offering")
    self_kind: Mapped[str | None] = mapped_column(sa.String(16))  # one of SELF_KINDS for self_education
    offering_id: Mapped[int | None] = mapped_column(sa.ForeignKey("offering.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("event.id"), index=True)
    topic_id: Mapped[int | None] = mapped_column(sa.ForeignKey("topic.id"), index=True)
    form: Mapped[str | None] = mapped_column(sa.String(32))
    title: Mapped[str] = mapped_column(sa.String(512))
    planned_start: Mapped[date | None]
    planned_end: Mapped[date | None]
    status: Mapped[str] = mapped_column(sa.String(16), default="planned")
    evidence: Mapped[str | None] = mapped_column(sa.Text)  # a link or a note
    reflection: Mapped[str | None] = mapped_column(sa.Text)  # the teacher's own words
    source: Mapped[str] = mapped_column(sa.String(16), default="planner")
    position: Mapped[int] = mapped_column(default=0)
    completed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    route: Mapped[Route] = relationship(back_populates="steps")
    offering: Mapped[Offering | None] = relationship()
    topic: Mapped[Topic | None] = relationship()
    comments: Mapped[list[StepComment]] = relationship(back_populates="step", order_by="StepComment.id",
                                                       cascade="all, delete-orphan")


class StepComment(Base):
    """A comment on a step by an attached tutor, a methodist or the teacher."""

    __tablename__ = "pathway_step_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int] = mapped_column(sa.ForeignKey("pathway_step.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    step: Mapped[RouteStep] = relationship(back_populates="comments")
    author: Mapped[Person] = relationship()


class RouteTutor(Base):
    """A tutor attached to a teacher's route: sees it and comments on its steps."""

    __tablename__ = "pathway_route_tutor"
    __table_args__ = (sa.UniqueConstraint("route_id", "tutor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    route_id: Mapped[int] = mapped_column(sa.ForeignKey("pathway_route.id", ondelete="CASCADE"), index=True)
    tutor_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    route: Mapped[Route] = relationship(back_populates="tutors")
    tutor: Mapped[Person] = relationship()


class PlanRun(Base):
    """One run of the planner: settings, the proposal (steps, open needs, seats) and its figures.

    Stored so that a proposal survives across processes and requests until published or discarded.
    `proposal` = {"teachers": [person ids in scope], "steps": [{teacher, offering, topic, form, order,
    fixed, manual}], "unmet": {teacher: [[topic, need, reason]]}, "seats": {offering: used},
    "base_seats": {offering: seats held by routes outside the scope}, "no_response": [person ids]}.
    """

    __tablename__ = "pathway_plan_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id"), index=True)
    year_id: Mapped[int] = mapped_column(sa.ForeignKey("academic_year.id"), index=True)
    settings: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    proposal: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    figures: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    status: Mapped[str] = mapped_column(sa.String(16), default="proposed")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]

    year: Mapped[AcademicYear] = relationship()


PAIRING_STATUSES = ("proposed", "confirmed", "discarded")


class PairingRun(Base):
    """One run of tutor pairing (`tutoring.py`): settings, the proposal and its figures.

    `proposal` = {"pairs": [{tutee, tutor, value, topics, org, cluster, young, manual, kept}],
    "unmatched": [[tutee, reason]], "limits": {tutor (str): load limit}, "excluded": [[tutee, tutor]]}.
    Confirming attaches the tutors (`RouteTutor`); the run then stays as the record of who did it.
    """

    __tablename__ = "pathway_pairing_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id"), index=True)
    year_id: Mapped[int] = mapped_column(sa.ForeignKey("academic_year.id"), index=True)
    settings: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    proposal: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    figures: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    status: Mapped[str] = mapped_column(sa.String(16), default="proposed")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    confirmed_at: Mapped[datetime | None]

    year: Mapped[AcademicYear] = relationship()


CONSULTATION_KINDS = ("individual", "group")

consultation_participant = sa.Table(
    "pathway_consultation_participant",
    Base.metadata,
    sa.Column("consultation_id", sa.ForeignKey("pathway_consultation.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("person_id", sa.ForeignKey("person.id"), primary_key=True, index=True),
)


class Consultation(Base):
    """A tutor's consultation (консультация), individual or group: date, topic, who, outcome, time."""

    __tablename__ = "pathway_consultation"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id"), index=True)
    tutor_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16), default="individual")  # one of CONSULTATION_KINDS
    held_on: Mapped[date] = mapped_column(index=True)
    topic_id: Mapped[int | None] = mapped_column(sa.ForeignKey("topic.id"))
    subject: Mapped[str] = mapped_column(sa.String(255))
    outcome: Mapped[str | None] = mapped_column(sa.Text)
    minutes: Mapped[int]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    tutor: Mapped[Person] = relationship(foreign_keys=[tutor_id])
    topic: Mapped[Topic | None] = relationship()
    participants: Mapped[list[Person]] = relationship(secondary=consultation_participant, order_by="Person.full_name")
