"""Notifications as rows: the in-tool centre's items and the email outbox in one table.

A notification is written in the same transaction as the change that caused it (the receivers of
the areas' signals run inside the sender's session), so a rolled-back change notifies nobody. The
web app reads the centre from it, the worker drains its email side, the admin console shows what
was kept when no SMTP server is configured: the table is shared, hence here in core, with its one
writer `queue_notices`.

`idempotency_key` is unique: (kind, object, person, moment). Whoever tries to queue the same
notification again — a second beat process, a retried task — inserts nothing.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from .clock import utcnow
from .db import Base
from .reference import Person

# Email side of a notification:
# none: not to be emailed | pending: due at next_attempt_at | sending: claimed by a worker until
# next_attempt_at | sent | kept: no SMTP server configured, shown in the admin console's outbox |
# digest: waits for the person's daily digest | suppressed: the person opted out before it left |
# failed: gave up after the last retry
EMAIL_STATUSES = ("none", "pending", "sending", "sent", "kept", "digest", "suppressed", "failed")


class Notice(Base):
    """One notification to one person: an item of their centre and, maybe, an email."""

    __tablename__ = "notification"
    __table_args__ = (
        sa.Index("ix_notification_person_unread", "person_id", "read_at"),
        sa.Index("ix_notification_email_due", "email_status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    kind: Mapped[str] = mapped_column(sa.String(48))
    object_key: Mapped[str] = mapped_column(sa.String(128))  # e.g. "event:42"
    moment: Mapped[str] = mapped_column(sa.String(64))  # what makes a repeat a new notification
    idempotency_key: Mapped[str] = mapped_column(sa.String(320), unique=True)
    # What the texts are made from (titles, dates, counts), rendered in the reader's language.
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    link: Mapped[str | None] = mapped_column(sa.String(512))  # a path of the tool, e.g. /events/42
    in_app: Mapped[bool] = mapped_column(default=True)
    read_at: Mapped[datetime | None]
    email_status: Mapped[str] = mapped_column(sa.String(16), default="none")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    sent_at: Mapped[datetime | None]
    # Filled when the worker renders the email (sent or kept), so the console shows what left.
    email_to: Mapped[str | None] = mapped_column(sa.String(255))
    subject: Mapped[str | None] = mapped_column(sa.String(512))
    body_text: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def idempotency_key(kind: str, object_key: str, person_id: int, moment: str) -> str:
    """The unique key of a notification: the same (kind, object, person, moment) is queued once."""
    return f"{kind}|{object_key}|{person_id}|{moment}"[:320]


def queue_notices(session: Session, rows: list[dict]) -> int:
    """Insert notifications (dicts of `Notice` columns without the key), skipping any already
    queued under the same idempotency key; one statement. Returns how many were new."""
    if not rows:
        return 0
    now = utcnow()
    values = [{"params": {}, "link": None, "in_app": True, "email_status": "none", "attempts": 0,
               "next_attempt_at": now, "created_at": now, **row,
               "idempotency_key": idempotency_key(row["kind"], row["object_key"], row["person_id"], row["moment"])}
              for row in rows]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = Notice.__table__
    # One statement compiled once and sent in pages by SQLAlchemy's "insertmanyvalues"; RETURNING
    # counts what was new (rowcount is not reliable for such batches).
    stmt = insert(table).on_conflict_do_nothing(index_elements=["idempotency_key"]).returning(table.c.id)
    return len(session.connection().execute(stmt, values).all())


def unread_count(session: Session, network_id: int, user_id: int) -> int:
    """Unread centre items of the user's person in the network (the bell): one statement."""
    return session.scalar(
        sa.select(sa.func.count(Notice.id)).join(Person, Person.id == Notice.person_id)
        .where(Person.network_id == network_id, Person.user_id == user_id, Notice.in_app.is_(True),
               Notice.read_at.is_(None))) or 0


def kept_outbox(session: Session, network_id: int, limit: int = 100) -> list[Notice]:
    """Emails not (yet) sent, newest first, for the admin console: kept, pending, failed."""
    return list(session.scalars(
        sa.select(Notice).where(Notice.network_id == network_id,
                                Notice.email_status.in_(("kept", "pending", "sending", "failed", "digest")))
        .order_by(Notice.id.desc()).limit(limit)))


def outbox_counts(session: Session, network_id: int) -> list[tuple[str, int]]:
    """Emails per status in the network (the console's summary): one grouped statement."""
    return [tuple(row) for row in session.execute(
        sa.select(Notice.email_status, sa.func.count()).where(Notice.network_id == network_id,
                                                              Notice.email_status != "none")
        .group_by(Notice.email_status).order_by(Notice.email_status))]
