"""LTI registrations, deployments, tool keys, shared launch storage and placed resource links."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, utcnow


class Platform(Base):
    """A platform registration: one issuer + client_id pair, as in pylti1p3's tool config."""

    __tablename__ = "lti_platform"
    __table_args__ = (sa.UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # New deployments of this platform join this network.
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id"), index=True)
    issuer: Mapped[str] = mapped_column(sa.String(255))
    client_id: Mapped[str] = mapped_column(sa.String(255))
    name: Mapped[str | None] = mapped_column(sa.String(255))
    product_family: Mapped[str | None] = mapped_column(sa.String(64))
    product_version: Mapped[str | None] = mapped_column(sa.String(64))
    auth_login_url: Mapped[str] = mapped_column(sa.String(1024))
    auth_token_url: Mapped[str] = mapped_column(sa.String(1024))
    auth_audience: Mapped[str | None] = mapped_column(sa.String(1024))
    key_set_url: Mapped[str | None] = mapped_column(sa.String(1024))
    key_set: Mapped[dict | None] = mapped_column(sa.JSON)  # a static JWKS when no URL is given
    # registered_by: config | manual | dynamic
    registered_by: Mapped[str] = mapped_column(sa.String(16), default="config")
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_launch_at: Mapped[datetime | None]

    deployments: Mapped[list[Deployment]] = relationship(back_populates="platform")


class Deployment(Base):
    """A deployment of the tool inside a platform; it belongs to exactly one network."""

    __tablename__ = "lti_deployment"
    __table_args__ = (sa.UniqueConstraint("platform_id", "deployment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(sa.ForeignKey("lti_platform.id"), index=True)
    deployment_id: Mapped[str] = mapped_column(sa.String(255))
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id"), index=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    platform: Mapped[Platform] = relationship(back_populates="deployments")


class ToolKey(Base):
    """An RSA key of the tool. The newest active key signs; retired keys stay in the JWKS a while."""

    __tablename__ = "lti_tool_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(sa.String(64), unique=True)
    private_key_pem: Mapped[str] = mapped_column(sa.Text)
    public_jwk: Mapped[dict] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set on rotation: the key stops signing but is published until `published_until`.
    retired_at: Mapped[datetime | None]
    published_until: Mapped[datetime | None]


class CacheEntry(Base):
    """Shared key-value storage with expiry (OIDC state, nonces, launch data, access tokens).

    Lives in the database so that any process can finish what another began; Redis is used
    instead when REDIS_URL is set.
    """

    __tablename__ = "cache_entry"

    key: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    value: Mapped[str] = mapped_column(sa.Text)
    expires_at: Mapped[datetime] = mapped_column(index=True)


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
    re-sent score carries its original `timestamp` (Moodle answers 409 to a not-later timestamp,
    which counts as delivered).
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
    # pending | delivered | failed | superseded (a newer score for the same source replaced it)
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    line_item: Mapped[LineItem] = relationship()


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
