"""Networks, users, courses (LTI contexts), enrollments and tool-side role grants.

Every domain row carries a `network_id`: a network is the unit of tenancy, and a launch from a
deployment only ever sees the network that deployment belongs to.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, utcnow


class Network(Base):
    """An association of municipal network tutors or a municipal tutor centre."""

    __tablename__ = "network"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    """A person as an LTI platform knows them: unique by issuer and `sub`."""

    __tablename__ = "user_account"
    __table_args__ = (sa.UniqueConstraint("issuer", "sub"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(sa.String(255))
    sub: Mapped[str] = mapped_column(sa.String(255))
    name: Mapped[str | None] = mapped_column(sa.String(255))
    given_name: Mapped[str | None] = mapped_column(sa.String(255))
    family_name: Mapped[str | None] = mapped_column(sa.String(255))
    email: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    locale: Mapped[str | None] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime | None]

    @property
    def display_name(self) -> str:
        """Full name if the platform sent one, else the email, else the opaque id."""
        full = " ".join(p for p in (self.family_name, self.given_name) if p)
        return self.name or full or self.email or self.sub


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


class RoleGrant(Base):
    """A tool-side role given inside a network (a teacher made tutor or methodist)."""

    __tablename__ = "role_grant"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    role: Mapped[str] = mapped_column(sa.String(16))  # tutor | methodist
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    reason: Mapped[str | None] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
