"""Candidacies for the "Tutor" status, their criteria checklists, meetings and decisions.

A decision is never edited: a later decision supersedes it (`supersedes_id`), so the history of
who decided what and when stays intact. The ORM refuses updates and deletes of decisions.
"""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.accounts import User
from ..core.clock import utcnow
from ..core.db import Base
from ..core.reference import Person


class Candidacy(Base):
    """A candidate file: a tutee proposed for the "Tutor" status."""

    __tablename__ = "commission_candidacy"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    nominated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    statement: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship()
    criteria: Mapped[list[CriterionEvidence]] = relationship(
        back_populates="candidacy", order_by="CriterionEvidence.position", cascade="all, delete-orphan"
    )
    decisions: Mapped[list[Decision]] = relationship(back_populates="candidacy", order_by="Decision.id")


class CriterionEvidence(Base):
    """One criterion of §3.3 for a candidate: met or not, with evidence (a link or a note)."""

    __tablename__ = "commission_criterion"
    __table_args__ = (sa.UniqueConstraint("candidacy_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidacy_id: Mapped[int] = mapped_column(sa.ForeignKey("commission_candidacy.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(sa.String(32))
    position: Mapped[int] = mapped_column(default=0)
    met: Mapped[bool | None]  # None: not yet assessed
    evidence: Mapped[str | None] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    candidacy: Mapped[Candidacy] = relationship(back_populates="criteria")


class Meeting(Base):
    """A commission meeting with its members."""

    __tablename__ = "commission_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id"), index=True)
    held_on: Mapped[date]
    title: Mapped[str] = mapped_column(sa.String(255))
    # Members as written in the minutes: [{"name": "...", "role": "chair|secretary|member"}]
    members: Mapped[list] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Decision(Base):
    """The commission's decision on a candidacy: awarded, refused or postponed, with reasons."""

    __tablename__ = "commission_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidacy_id: Mapped[int] = mapped_column(sa.ForeignKey("commission_candidacy.id"), index=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("commission_meeting.id"))
    outcome: Mapped[str] = mapped_column(sa.String(16))  # awarded | refused | postponed
    reasons: Mapped[str] = mapped_column(sa.Text)
    decided_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    supersedes_id: Mapped[int | None] = mapped_column(sa.ForeignKey("commission_decision.id"), unique=True)
    # An award records the checklist as it stood: criteria met, the network's threshold, and whether
    # the commission awarded below it (an override by `decided_by`).
    criteria_met: Mapped[int | None]
    threshold: Mapped[int | None]
    overrode_threshold: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    candidacy: Mapped[Candidacy] = relationship(back_populates="decisions")
    meeting: Mapped[Meeting] = relationship()
    decided_by: Mapped[User] = relationship()


class CommissionSettings(Base):
    """A network's rules for the commission: how many §3.3 criteria an award needs."""

    __tablename__ = "commission_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id"), unique=True)
    min_criteria: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DecisionImmutable(Exception):
    """Raised when code tries to change or delete a recorded decision."""


@event.listens_for(Decision, "before_update")
def _refuse_update(_mapper, _connection, target):
    raise DecisionImmutable(f"decision {target.id} is final; record a new decision instead")


@event.listens_for(Decision, "before_delete")
def _refuse_delete(_mapper, _connection, target):
    raise DecisionImmutable(f"decision {target.id} is final; record a new decision instead")
