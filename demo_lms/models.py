"""SQLAlchemy 2.x typed models of the demo LMS.

The schema is deliberately Moodle-shaped (users, courses, enrolments, tool types with a
client_id and a deployment id, placed resource links, grade items and grades) so the tool
under test meets the same identifiers and lifecycles it meets in Moodle 4.x.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import (DDL, JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint,
                        event)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    """An LMS user. ``id`` is what the platform sends as ``sub`` (Moodle sends its numeric user id)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    given_name: Mapped[str] = mapped_column(String(200))
    family_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(10), default="ru")
    idnumber: Mapped[str] = mapped_column(String(100), default="")
    # Site administrators are not enrolled in courses but may launch any tool (Moodle).
    is_site_admin: Mapped[bool] = mapped_column(Boolean, default=False)

    @property
    def name(self) -> str:
        # Moodle's fullname(): firstname + " " + lastname.
        return f"{self.given_name} {self.family_name}".strip()


class Course(Base):
    __tablename__ = "courses"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(100))  # Moodle "shortname"
    title: Mapped[str] = mapped_column(String(300))  # Moodle "fullname"
    idnumber: Mapped[str] = mapped_column(String(100), default="")


class Enrolment(Base):
    """Course membership. ``kind`` is one of ``learner``, ``instructor``, ``noneditingteacher``,
    ``methodist`` (see :mod:`demo_lms.roles` for the LTI roles each kind maps to)."""

    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("course_id", "user_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30), default="learner")


class Tool(Base):
    """A tool registration (Moodle "tool type"). ``status`` is ``active`` or ``pending``."""

    __tablename__ = "tools"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    client_id: Mapped[str] = mapped_column(String(200), unique=True)
    deployment_id: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="active")
    login_url: Mapped[str] = mapped_column(String(500))
    redirect_uris: Mapped[list[str]] = mapped_column(JSON, default=list)
    jwks_url: Mapped[Optional[str]] = mapped_column(String(500), nullable=True)
    public_key_pem: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    target_link_uri: Mapped[str] = mapped_column(String(500))
    deep_link_url: Mapped[Optional[str]] = mapped_column(String(500), nullable=True)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    # None = send every personal claim; a list = only the requested ones (dynamic registration).
    claims: Mapped[Optional[list[str]]] = mapped_column(JSON, nullable=True)
    custom: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    registration: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON, nullable=True)


class ResourceLink(Base):
    """A placed activity (Moodle course module ``cmid``); its id is the LTI resource_link id."""

    __tablename__ = "resource_links"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    tool_id: Mapped[int] = mapped_column(ForeignKey("tools.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[Optional[str]] = mapped_column(String(500), nullable=True)
    custom: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    document_target: Mapped[str] = mapped_column(String(20), default="iframe")


class LineItem(Base):
    __tablename__ = "line_items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    tool_id: Mapped[int] = mapped_column(ForeignKey("tools.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(300))
    score_maximum: Mapped[float] = mapped_column(Float)
    resource_id: Mapped[str] = mapped_column(String(300), default="")
    tag: Mapped[str] = mapped_column(String(300), default="")
    resource_link_id: Mapped[Optional[int]] = mapped_column(ForeignKey("resource_links.id"), nullable=True)
    start_date_time: Mapped[Optional[str]] = mapped_column(String(40), nullable=True)
    end_date_time: Mapped[Optional[str]] = mapped_column(String(40), nullable=True)


class Grade(Base):
    """The latest accepted score of one user on one line item (Moodle keeps only the latest)."""

    __tablename__ = "grades"
    __table_args__ = (UniqueConstraint("line_item_id", "user_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    line_item_id: Mapped[int] = mapped_column(ForeignKey("line_items.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    score_given: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    score_maximum: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    comment: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    activity_progress: Mapped[str] = mapped_column(String(30))
    grading_progress: Mapped[str] = mapped_column(String(30))
    timestamp: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    timestamp_raw: Mapped[str] = mapped_column(String(60))
    post_count: Mapped[int] = mapped_column(Integer, default=1)  # accepted POSTs, for duplicate checks


class LaunchRequest(Base):
    """A started OIDC login: remembered between /launch and /auth (lti_message_hint.launchid)."""

    __tablename__ = "launch_requests"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    tool_id: Mapped[int] = mapped_column(ForeignKey("tools.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    link_id: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    message_type: Mapped[str] = mapped_column(String(40))
    created: Mapped[float] = mapped_column(Float)
    used: Mapped[bool] = mapped_column(Boolean, default=False)
    dl_data: Mapped[Optional[str]] = mapped_column(String(64), nullable=True, index=True)


class AccessToken(Base):
    __tablename__ = "access_tokens"
    token: Mapped[str] = mapped_column(String(100), primary_key=True)
    tool_id: Mapped[int] = mapped_column(ForeignKey("tools.id", ondelete="CASCADE"))
    scopes: Mapped[list[str]] = mapped_column(JSON)
    expires: Mapped[float] = mapped_column(Float)


class UsedJti(Base):
    """Client-assertion, deep-linking and registration-token ``jti`` values already seen."""

    __tablename__ = "used_jtis"
    jti: Mapped[str] = mapped_column(String(300), primary_key=True)
    expires: Mapped[float] = mapped_column(Float)


class MembershipChange(Base):
    """One change of a course membership (enrolled, unenrolled, kind changed), for NRPS
    ``differences`` (§2.4.3). Written by SQLite triggers on ``enrolments``, so every way of
    changing a roster (control API, seeding, bulk statements) is recorded; ``id`` orders them and
    is the ``since`` value of a differences link. ``kind`` is the kind the change left behind (the
    old one for an unenrolment: a leaver's roles)."""

    __tablename__ = "membership_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    course_id: Mapped[int] = mapped_column(Integer, index=True)
    user_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(30))


_LOG = "INSERT INTO membership_changes (course_id, user_id, kind) VALUES ({0}.course_id, {0}.user_id, {0}.kind);"
for _ddl in (
    f"CREATE TRIGGER IF NOT EXISTS enrolment_added AFTER INSERT ON enrolments BEGIN {_LOG.format('NEW')} END",
    f"CREATE TRIGGER IF NOT EXISTS enrolment_removed AFTER DELETE ON enrolments BEGIN {_LOG.format('OLD')} END",
    f"CREATE TRIGGER IF NOT EXISTS enrolment_changed AFTER UPDATE OF course_id, user_id, kind ON enrolments "
    f"BEGIN {_LOG.format('OLD')} {_LOG.format('NEW')} END",
):
    event.listen(Base.metadata, "after_create", DDL(_ddl))
