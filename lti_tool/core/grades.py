"""AGS line items the tool knows and the outbox of scores the sync worker delivers."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .clock import utcnow
from .db import Base


class LineItem(Base):
    """An AGS line item the tool knows (found or created at the platform), never duplicated.

    Identified for find-or-create by course + resource link + resourceId + tag.
    """

    __tablename__ = "lti_line_item"
    __table_args__ = (sa.UniqueConstraint("course_id", "resource_link_id", "resource_id", "tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), index=True)
    resource_link_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lti_resource_link.id"))
    resource_id: Mapped[str] = mapped_column(sa.String(255), default="")
    tag: Mapped[str] = mapped_column(sa.String(255), default="")
    label: Mapped[str] = mapped_column(sa.String(255))
    score_maximum: Mapped[float] = mapped_column(default=100.0)
    url: Mapped[str | None] = mapped_column(sa.String(1024))  # None until found/created at the platform
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScoreOutbox(Base):
    """A score to deliver to the LMS over AGS, written in the same transaction as the grade.

    The sync worker delivers it at least once; the platform's effect is idempotent because a
    re-sent row carries the timestamp it was sent with (Moodle answers 409 to a not-later
    timestamp; the worker then reads the result to see whether the platform holds the score).
    """

    __tablename__ = "score_outbox"
    __table_args__ = (sa.Index("ix_score_outbox_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), index=True)
    line_item_id: Mapped[int] = mapped_column(sa.ForeignKey("lti_line_item.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    # What produced the score (e.g. "event_participant:42"), so tutors see delivery per person.
    source_key: Mapped[str] = mapped_column(sa.String(128), index=True)
    score_given: Mapped[float | None]
    score_maximum: Mapped[float | None]
    activity_progress: Mapped[str] = mapped_column(sa.String(32), default="Completed")
    grading_progress: Mapped[str] = mapped_column(sa.String(32), default="FullyGraded")
    comment: Mapped[str | None] = mapped_column(sa.Text)
    timestamp: Mapped[datetime] = mapped_column(default=utcnow)
    # The timestamp the worker last sent for this row: later than every score sent before for the
    # same line item and user by at least a second (Moodle keeps them to the second); a re-send of
    # the row repeats it, so the platform's 409 shows it was taken before.
    sent_timestamp: Mapped[datetime | None]
    # Why the row was queued when not by a grade: e.g. "reconcile: the LMS holds 0.5".
    reason: Mapped[str | None] = mapped_column(sa.String(255))
    # pending | delivered | failed | superseded (a newer score for the same source replaced it)
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    line_item: Mapped[LineItem] = relationship()


class ScoreState(Base):
    """What the platform was last sent and last took for one line item and user (the worker writes it).

    `last_timestamp` is the latest score timestamp sent (whatever the answer): the next score is
    stamped at least a second later. The delivered values are what reconciliation expects to read
    back from the platform's results.
    """

    __tablename__ = "score_state"
    __table_args__ = (sa.UniqueConstraint("line_item_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    line_item_id: Mapped[int] = mapped_column(sa.ForeignKey("lti_line_item.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    last_timestamp: Mapped[datetime]
    delivered_id: Mapped[int | None]  # the ScoreOutbox row last delivered
    score_given: Mapped[float | None]
    score_maximum: Mapped[float | None]
    delivered_at: Mapped[datetime | None]
    # Reconciliation: when the platform's result was last read and whether it matched.
    checked_at: Mapped[datetime | None]
    verdict: Mapped[str | None] = mapped_column(sa.String(16))  # match | resent | unreachable


class LineItemCheck(Base):
    """Reconciliation of one line item: changed since the last check? what the last check found."""

    __tablename__ = "line_item_check"

    line_item_id: Mapped[int] = mapped_column(sa.ForeignKey("lti_line_item.id"), primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), index=True)
    changed_at: Mapped[datetime | None]  # last delivery to this line item
    checked_at: Mapped[datetime | None]  # last complete read of its results
    failed_at: Mapped[datetime | None]  # last read that failed (platform unreachable, no scope …)
    requested_at: Mapped[datetime | None]  # a check asked for from the console
    matching: Mapped[int] = mapped_column(default=0)
    resent: Mapped[int] = mapped_column(default=0)
    unreachable: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(sa.Text)
