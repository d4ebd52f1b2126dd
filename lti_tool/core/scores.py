"""Scores in the outbox: the one place that queues them, decides which supersedes which, and
puts failed ones back in the queue.

A score is written in the same transaction as the grade that produced it; the sync worker
delivers pending rows over AGS. Only the newest score of a line item and user is worth sending:
an older one would meet 409 at the platform or be overwritten by the newer one.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .clock import as_utc, utcnow
from .grades import ScoreOutbox


def queue_scores(session: Session, scores: list[dict]) -> int:
    """Add pending scores (dicts: network_id, course_id, line_item_id, user_id, source_key,
    score_given, score_maximum, completed, comment, now); the pending ones of the same sources on
    the same line items are superseded, by one UPDATE per line item, and the new rows written by one
    INSERT, whatever the number of scores. Returns how many rows were queued."""
    by_item: dict[int, list[str]] = {}
    for score in scores:
        by_item.setdefault(score["line_item_id"], []).append(score["source_key"])
    for line_item_id, keys in by_item.items():
        session.execute(sa.update(ScoreOutbox).where(
            ScoreOutbox.source_key.in_(keys), ScoreOutbox.line_item_id == line_item_id,
            ScoreOutbox.status == "pending").values(status="superseded"))
    if scores:
        session.execute(ScoreOutbox.__table__.insert(), [_pending(**score) for score in scores])
    return len(scores)


def _pending(*, network_id: int, course_id: int, line_item_id: int, user_id: int, source_key: str,
             score_given: float | None, score_maximum: float, completed: bool, comment: str | None,
             now: datetime) -> dict:
    return dict(
        network_id=network_id, course_id=course_id, line_item_id=line_item_id, user_id=user_id,
        source_key=source_key, score_given=score_given, score_maximum=score_maximum,
        activity_progress="Completed" if completed else "InProgress",
        grading_progress="FullyGraded", comment=comment, timestamp=now, status="pending",
        next_attempt_at=now, attempts=0, created_at=now)


def supersede_older(rows: list[dict]) -> tuple[list[dict], list[int]]:
    """Among claimed rows (dicts with id, line_item_id, user_id, timestamp): keep the newest score per
    (line item, user); returns (rows to send, ids of the superseded ones)."""
    newest: dict[tuple[int, int], dict] = {}
    for row in rows:
        key = (row["line_item_id"], row["user_id"])
        if key not in newest or as_utc(row["timestamp"]) > as_utc(newest[key]["timestamp"]):
            newest[key] = row
    keep = {r["id"] for r in newest.values()}
    return [r for r in rows if r["id"] in keep], [r["id"] for r in rows if r["id"] not in keep]


def requeue_delivered(session: Session, reasons: dict[int, str], now: datetime) -> int:
    """Queue delivered scores again (ids of delivered rows → why), e.g. when reconciliation found
    that the LMS does not hold them. Each copy keeps the grade's own timestamp (so a newer grade of
    the tutor still wins) and is skipped when a score of the same line item and user is pending
    already. One statement, whatever the number. Returns how many were queued."""
    if not reasons:
        return 0
    o, p = ScoreOutbox.__table__.alias("o"), ScoreOutbox.__table__.alias("p")
    copied = ("network_id", "course_id", "line_item_id", "user_id", "source_key", "score_given", "score_maximum",
              "activity_progress", "grading_progress", "comment", "timestamp")
    pending = sa.select(p.c.id).where(p.c.line_item_id == o.c.line_item_id, p.c.user_id == o.c.user_id,
                                      p.c.status == "pending")
    source = sa.select(*[o.c[name] for name in copied], sa.literal("pending"), sa.literal(0),
                       sa.bindparam("b_now", type_=ScoreOutbox.__table__.c.next_attempt_at.type),
                       sa.bindparam("b_now2", type_=ScoreOutbox.__table__.c.created_at.type),
                       sa.bindparam("b_reason", type_=sa.String)) \
        .where(o.c.id == sa.bindparam("b_id"), ~sa.exists(pending))
    stmt = ScoreOutbox.__table__.insert().from_select(
        [*copied, "status", "attempts", "next_attempt_at", "created_at", "reason"], source)
    result = session.execute(stmt, [{"b_id": i, "b_reason": why[:255], "b_now": now, "b_now2": now}
                                    for i, why in sorted(reasons.items())])
    return max(result.rowcount, 0) if result.rowcount is not None else len(reasons)


def retry_failed(session: Session, network_id: int, ids: list[int] | None = None) -> int:
    """Put failed rows of a network back in the queue (the admin's "retry"): pending, due now,
    attempts reset so the worker's backoff starts over. Returns how many."""
    query = sa.update(ScoreOutbox).where(ScoreOutbox.network_id == network_id, ScoreOutbox.status == "failed")
    if ids is not None:
        query = query.where(ScoreOutbox.id.in_(ids))
    return session.execute(query.values(status="pending", next_attempt_at=utcnow(), attempts=0)).rowcount
