"""What each (line item, user) was last sent and last took (`ScoreState`), written by the worker.

Moodle keeps a score's timestamp to the second and refuses one that is not later than the stored
one (409). So the worker remembers the latest timestamp it sent for each line item and user —
whatever the answer, since a request without an answer may have been applied — and stamps the
next score at least a second later. The delivered values are what reconciliation expects to read
back; a delivery marks its line item changed (`LineItemCheck.changed_at`), so only line items
with changes are read again.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.dialects import postgresql, sqlite

from lti_tool.core.clock import as_utc
from lti_tool.core.grades import LineItemCheck, ScoreState

from .db import among


def _insert(session: orm.Session, table):
    """INSERT … ON CONFLICT for the session's database (PostgreSQL or SQLite)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def last_timestamps(session: orm.Session, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], datetime]:
    """The latest timestamp sent for each (line item, user) of `pairs` that was ever sent (one query)."""
    if not pairs:
        return {}
    users = sorted({u for _, u in pairs})
    items = sorted({li for li, _ in pairs})
    rows = session.execute(sa.select(ScoreState.line_item_id, ScoreState.user_id, ScoreState.last_timestamp)
                           .where(among(session, ScoreState.user_id, users), ScoreState.line_item_id.in_(items)))
    return {(li, u): as_utc(ts) for li, u, ts in rows if (li, u) in pairs}


def note_sent(session: orm.Session, sent: list[dict]) -> None:
    """Record timestamps sent (dicts: line_item_id, user_id, last_timestamp); a stored later one stays."""
    if not sent:
        return
    table = ScoreState.__table__
    stmt = _insert(session, table)
    later = sa.case((stmt.excluded.last_timestamp > table.c.last_timestamp, stmt.excluded.last_timestamp),
                    else_=table.c.last_timestamp)
    session.execute(stmt.on_conflict_do_update(index_elements=["line_item_id", "user_id"],
                                               set_={"last_timestamp": later}), sent)


def note_delivered(session: orm.Session, delivered: list[dict], now: datetime) -> None:
    """Record delivered values (dicts: line_item_id, user_id, last_timestamp, delivered_id,
    score_given, score_maximum, course_id) and mark their line items changed."""
    if not delivered:
        return
    table = ScoreState.__table__
    rows = [{k: d[k] for k in ("line_item_id", "user_id", "last_timestamp", "delivered_id", "score_given",
                               "score_maximum")} | {"delivered_at": now} for d in delivered]
    stmt = _insert(session, table)
    later = sa.case((stmt.excluded.last_timestamp > table.c.last_timestamp, stmt.excluded.last_timestamp),
                    else_=table.c.last_timestamp)
    session.execute(stmt.on_conflict_do_update(
        index_elements=["line_item_id", "user_id"],
        set_={"last_timestamp": later, "delivered_id": stmt.excluded.delivered_id,
              "score_given": stmt.excluded.score_given, "score_maximum": stmt.excluded.score_maximum,
              "delivered_at": stmt.excluded.delivered_at}), rows)
    mark_changed(session, {(d["line_item_id"], d["course_id"]) for d in delivered}, now)


def mark_changed(session: orm.Session, items: set[tuple[int, int]], now: datetime) -> None:
    """Line items (id, course id) that changed at the platform: the next reconciliation reads them."""
    if not items:
        return
    table = LineItemCheck.__table__
    stmt = _insert(session, table)
    session.execute(stmt.on_conflict_do_update(index_elements=["line_item_id"], set_={"changed_at": now}),
                    [{"line_item_id": li, "course_id": c, "changed_at": now, "matching": 0, "resent": 0,
                      "unreachable": 0} for li, c in sorted(items)])
