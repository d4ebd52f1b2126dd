"""Who wants what: per-person preferences per kind and channel, the person's delivery profile
(daily digest, quiet hours, everything off), and which kinds a network has switched on.

The notifications themselves (centre items and email outbox) are `lti_tool.core.notices.Notice`:
the worker and the admin console read them too.
"""
from __future__ import annotations

from datetime import datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.clock import utcnow
from ..core.db import Base


class NotificationPreference(Base):
    """A person's choice for one kind on one channel (absent: on)."""

    __tablename__ = "notification_preference"
    __table_args__ = (sa.UniqueConstraint("person_id", "kind", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(48))
    channel: Mapped[str] = mapped_column(sa.String(16))  # app | email
    enabled: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class NotificationProfile(Base):
    """How a person receives email: at once or in a daily digest, outside quiet hours, or never."""

    __tablename__ = "notification_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), unique=True)
    daily_digest: Mapped[bool] = mapped_column(default=False)
    # Local times of the network's zone; no email leaves between them (it waits until the end).
    quiet_from: Mapped[time | None]
    quiet_until: Mapped[time | None]
    email_off: Mapped[bool] = mapped_column(default=False)  # unsubscribed from every email
    last_digest_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class NetworkNotificationKind(Base):
    """Whether a network sends a kind at all (absent: on), and its options (reminder offsets)."""

    __tablename__ = "notification_network_kind"
    __table_args__ = (sa.UniqueConstraint("network_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(48))
    enabled: Mapped[bool] = mapped_column(default=True)
    options: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
