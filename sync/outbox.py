"""The score outbox from the worker's side: claim due rows with a lease, record outcomes, retry.

A claimed row keeps status `pending` but its `next_attempt_at` moves a lease ahead: if the worker
dies mid-batch, the row becomes due again when the lease runs out and another worker sends it
again, with the same timestamp (the platform answers 409 for what it already has, and the worker
reads the result to be sure).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import orm

from lti_tool.core.accounts import User
from lti_tool.core.clock import utcnow
from lti_tool.core.courses import Course
from lti_tool.core.db import is_sqlite
from lti_tool.core.grades import LineItem, ScoreOutbox
from lti_tool.lti.models import Deployment

from .db import among
from .score_state import note_delivered, note_sent
from .signals import grades_failed


@dataclass
class Outcome:
    """What happened to one row: delivered | retry | failed | deferred (not sent, platform paused)."""

    id: int
    kind: str
    error: str | None = None
    next_at: datetime | None = None
    sent: datetime | None = None  # the score timestamp sent (None: nothing was sent)


def claim(sessions: orm.sessionmaker, platform_id: int, now: datetime, limit: int, lease: float) -> list[int]:
    """Claim up to `limit` due rows of one platform; other workers skip them until the lease ends."""
    with sessions.begin() as s:
        query = (sa.select(ScoreOutbox.id).join(Course, Course.id == ScoreOutbox.course_id)
                 .join(Deployment, Deployment.id == Course.deployment_id)
                 .where(Deployment.platform_id == platform_id, ScoreOutbox.status == "pending",
                        ScoreOutbox.next_attempt_at <= now)
                 .order_by(ScoreOutbox.next_attempt_at, ScoreOutbox.id).limit(limit))
        if not is_sqlite(s):
            query = query.with_for_update(skip_locked=True, of=ScoreOutbox)
        ids = list(s.scalars(query))
        if not ids:
            return []
        # The conditions are repeated: on SQLite another process may have claimed meanwhile.
        return list(s.scalars(
            sa.update(ScoreOutbox)
            .where(among(s, ScoreOutbox.id, ids), ScoreOutbox.status == "pending", ScoreOutbox.next_attempt_at <= now)
            .values(next_attempt_at=now + timedelta(seconds=lease), attempts=ScoreOutbox.attempts + 1)
            .returning(ScoreOutbox.id).execution_options(synchronize_session=False)
        ))


def due_platforms(session: orm.Session, now: datetime) -> list[int]:
    """Platforms that have at least one due pending row."""
    return list(session.scalars(
        sa.select(Deployment.platform_id).distinct()
        .join(Course, Course.deployment_id == Deployment.id)
        .join(ScoreOutbox, ScoreOutbox.course_id == Course.id)
        .where(ScoreOutbox.status == "pending", ScoreOutbox.next_attempt_at <= now)
    ))


def load_claimed(sessions: orm.sessionmaker, ids: list[int]) -> list[dict]:
    """The claimed rows with what sending needs, as plain dicts (threads share them)."""
    o = ScoreOutbox
    with sessions() as s:
        rows = s.execute(
            sa.select(o.id, o.line_item_id, o.user_id, User.sub, LineItem.url, Course.ags_lineitems_url,
                      Course.ags_scopes, o.score_given, sa.func.coalesce(o.score_maximum, LineItem.score_maximum),
                      o.activity_progress, o.grading_progress, o.comment, o.timestamp, o.attempts, o.course_id,
                      o.sent_timestamp)
            .join(User, User.id == o.user_id).join(LineItem, LineItem.id == o.line_item_id)
            .join(Course, Course.id == o.course_id).where(among(s, o.id, ids))
        ).all()
    keys = ("id", "line_item_id", "user_id", "sub", "url", "lineitems_url", "scopes", "score_given",
            "score_maximum", "activity_progress", "grading_progress", "comment", "timestamp", "attempts", "course_id",
            "sent_timestamp")
    return [dict(zip(keys, row)) for row in rows]


def record(sessions: orm.sessionmaker, outcomes: list[Outcome], superseded: list[int] = (),
           rows: dict[int, dict] | None = None) -> None:
    """Write a batch's outcomes in one transaction; rows changed meanwhile (not pending) are left alone.
    With `rows` (the sent rows by id), the timestamps sent and the values delivered are recorded too."""
    now = utcnow()
    pending = ScoreOutbox.status == "pending"
    with sessions.begin() as s:
        if rows:
            _record_sent(s, outcomes, rows, now)
        delivered = [o.id for o in outcomes if o.kind == "delivered"]
        if delivered:
            s.execute(sa.update(ScoreOutbox).where(among(s, ScoreOutbox.id, delivered), pending)
                      .values(status="delivered", delivered_at=now, last_error=None)
                      .execution_options(synchronize_session=False))
        if superseded:
            s.execute(sa.update(ScoreOutbox).where(ScoreOutbox.id.in_(list(superseded)), pending)
                      .values(status="superseded"))
        table = ScoreOutbox.__table__
        retries = [{"b_id": o.id, "b_next": o.next_at, "b_error": o.error} for o in outcomes if o.kind == "retry"]
        if retries:  # one executemany, not a statement per row
            s.execute(table.update().where(table.c.id == sa.bindparam("b_id"), table.c.status == "pending")
                      .values(next_attempt_at=sa.bindparam("b_next"), last_error=sa.bindparam("b_error")), retries)
        failed = [{"b_id": o.id, "b_error": o.error} for o in outcomes if o.kind == "failed"]
        if failed:
            s.execute(table.update().where(table.c.id == sa.bindparam("b_id"), table.c.status == "pending")
                      .values(status="failed", last_error=sa.bindparam("b_error")), failed)
            grades_failed.send(s, outbox_ids=[f["b_id"] for f in failed])
        deferred = [o for o in outcomes if o.kind == "deferred"]
        for at in {o.next_at for o in deferred}:
            ids = [o.id for o in deferred if o.next_at == at]
            # Never sent: the claim does not count as an attempt.
            s.execute(sa.update(ScoreOutbox).where(ScoreOutbox.id.in_(ids), pending)
                      .values(next_attempt_at=at, attempts=ScoreOutbox.attempts - 1))


def _record_sent(s: orm.Session, outcomes: list[Outcome], rows: dict[int, dict], now: datetime) -> None:
    """Each sent row's timestamp (a re-send repeats it) and the (line item, user) state."""
    sent = [o for o in outcomes if o.sent is not None and o.id in rows]
    if not sent:
        return
    table = ScoreOutbox.__table__
    s.execute(table.update().where(table.c.id == sa.bindparam("b_id"))
              .values(sent_timestamp=sa.bindparam("b_sent")), [{"b_id": o.id, "b_sent": o.sent} for o in sent])
    state = [{"line_item_id": rows[o.id]["line_item_id"], "user_id": rows[o.id]["user_id"], "last_timestamp": o.sent,
              "delivered_id": o.id, "score_given": rows[o.id]["score_given"],
              "score_maximum": rows[o.id]["score_maximum"], "course_id": rows[o.id]["course_id"], "kind": o.kind}
             for o in sent]
    note_sent(s, [{k: d[k] for k in ("line_item_id", "user_id", "last_timestamp")}
                  for d in state if d["kind"] != "delivered"])
    note_delivered(s, [d for d in state if d["kind"] == "delivered"], now)
