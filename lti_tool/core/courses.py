"""Courses (LTI contexts), enrollments, the links placed in them, and the state of roster pulls."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .accounts import User
from .clock import utcnow
from .db import Base


class Course(Base):
    """An LMS course (LTI context) of one deployment; its NRPS/AGS endpoints come from launches."""

    __tablename__ = "course"
    __table_args__ = (sa.UniqueConstraint("deployment_id", "lti_context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id"), index=True)
    deployment_id: Mapped[int] = mapped_column(sa.ForeignKey("lti_deployment.id"))
    lti_context_id: Mapped[str] = mapped_column(sa.String(255))
    title: Mapped[str | None] = mapped_column(sa.String(255))
    label: Mapped[str | None] = mapped_column(sa.String(255))
    nrps_url: Mapped[str | None] = mapped_column(sa.String(1024))
    ags_lineitems_url: Mapped[str | None] = mapped_column(sa.String(1024))
    ags_scopes: Mapped[list | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    enrollments: Mapped[list[Enrollment]] = relationship(back_populates="course")


class Enrollment(Base):
    """A user's membership in a course with the LTI roles last seen (launch or roster pull)."""

    __tablename__ = "enrollment"
    __table_args__ = (sa.UniqueConstraint("course_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    lti_roles: Mapped[list] = mapped_column(sa.JSON, default=list)
    # active | inactive | deleted (vanished from the roster, or reported so by the platform)
    status: Mapped[str] = mapped_column(sa.String(16), default="active")
    source: Mapped[str] = mapped_column(sa.String(16), default="launch")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    course: Mapped[Course] = relationship(back_populates="enrollments")
    user: Mapped[User] = relationship()

    @classmethod
    def launch_only(cls):
        """Live enrollments that only launches created: no roster pull has seen them, so pulls
        leave them alone (shown as "not in the LMS roster")."""
        return sa.and_(cls.source == "launch", cls.status != "deleted")


class ResourceLink(Base):
    """A link placed in a course; `target_kind`/`target_id` say what it opens in the tool."""

    __tablename__ = "lti_resource_link"
    __table_args__ = (sa.UniqueConstraint("course_id", "lti_resource_link_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), index=True)
    lti_resource_link_id: Mapped[str] = mapped_column(sa.String(255))
    title: Mapped[str | None] = mapped_column(sa.String(255))
    # home | survey | event | resource_map | route | dashboard
    target_kind: Mapped[str] = mapped_column(sa.String(32), default="home")
    target_id: Mapped[int | None]
    ags_lineitem_url: Mapped[str | None] = mapped_column(sa.String(1024))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RosterSync(Base):
    """The last roster pull (NRPS) of a course: progress and result, shown in the admin console."""

    __tablename__ = "roster_sync"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), unique=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="never")  # never | running | ok | failed
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    pages: Mapped[int] = mapped_column(default=0)
    members_seen: Mapped[int] = mapped_column(default=0)
    members_added: Mapped[int] = mapped_column(default=0)
    members_removed: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    # The NRPS `differences` URL the platform gave last time, when it gives one.
    differences_url: Mapped[str | None] = mapped_column(sa.String(1024))
