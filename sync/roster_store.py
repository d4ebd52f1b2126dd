"""Database side of a roster pull: claiming the course and bulk upserts of one page of members."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.dialects import postgresql, sqlite

from lti_tool.core.accounts import User
from lti_tool.core.clock import utcnow
from lti_tool.core.courses import Enrollment, RosterSync

from .db import among
from .people import ensure_persons

# NRPS member status -> enrollment status.
STATUS = {"active": "active", "inactive": "inactive", "deleted": "deleted"}


def _insert(session: orm.Session, model):
    """The dialect's INSERT, which has `on_conflict_do_update` (PostgreSQL and SQLite alike)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model)


def claim_roster(sessions: orm.sessionmaker, course_id: int, now: datetime, lease: timedelta) -> str | None | bool:
    """Mark the course's pull running unless another live pull holds it.

    Returns False when busy, else the stored `differences` URL (None for a full pull).
    """
    with sessions.begin() as s:
        s.execute(_insert(s, RosterSync).values(course_id=course_id, status="never")
                  .on_conflict_do_nothing(index_elements=["course_id"]))
        claimed = s.execute(
            sa.update(RosterSync).where(
                RosterSync.course_id == course_id,
                sa.or_(RosterSync.status != "running", RosterSync.started_at < now - lease),
            ).values(status="running", started_at=now, finished_at=None, pages=0, members_seen=0,
                     members_added=0, members_removed=0, last_error=None)
        ).rowcount
        if not claimed:
            return False
        return s.scalar(sa.select(RosterSync.differences_url).where(RosterSync.course_id == course_id))


def _user_rows(network_id: int, issuer: str, members: list[dict]) -> list[dict]:
    rows: dict[str, dict] = {}
    for m in members:
        sub = str(m.get("user_id") or "")
        if not sub:
            continue
        rows[sub] = {"network_id": network_id, "issuer": issuer, "sub": sub, "name": m.get("name"), "given_name": m.get("given_name"),
                     "family_name": m.get("family_name"), "email": m.get("email"), "created_at": utcnow()}
    return list(rows.values())


# PostgreSQL: a whole page travels as one JSON document expanded by json_to_recordset — constant
# SQL, one round trip, and no per-value quoting work in Python (psycopg's array dumping was the
# bottleneck at 1,000 rows a page).
_PG_USERS = sa.text("""
    INSERT INTO user_account (network_id, issuer, sub, name, given_name, family_name, email, created_at)
    SELECT network_id, issuer, sub, name, given_name, family_name, email, created_at
    FROM json_to_recordset(CAST(:doc AS json)) AS t(network_id integer, issuer text, sub text, name text,
                                                    given_name text, family_name text, email text,
                                                    created_at timestamptz)
    ON CONFLICT (network_id, issuer, sub) DO UPDATE SET
        name = COALESCE(EXCLUDED.name, user_account.name),
        given_name = COALESCE(EXCLUDED.given_name, user_account.given_name),
        family_name = COALESCE(EXCLUDED.family_name, user_account.family_name),
        email = COALESCE(EXCLUDED.email, user_account.email)
    RETURNING id, sub
""")
_PG_ENROLLMENTS = sa.text("""
    INSERT INTO enrollment (course_id, user_id, lti_roles, status, source, updated_at)
    SELECT course_id, user_id, lti_roles, status, source, updated_at
    FROM json_to_recordset(CAST(:doc AS json)) AS t(course_id integer, user_id integer, lti_roles json,
                                                    status text, source text, updated_at timestamptz)
    ON CONFLICT (course_id, user_id) DO UPDATE SET
        lti_roles = EXCLUDED.lti_roles, status = EXCLUDED.status, source = EXCLUDED.source,
        updated_at = EXCLUDED.updated_at
""")


def pg_document(rows: list[dict]) -> str:
    """Rows as one JSON array (datetimes in ISO 8601)."""
    return json.dumps(rows, default=lambda v: v.isoformat(), ensure_ascii=False)


def upsert_users(session: orm.Session, network_id: int, issuer: str, members: list[dict]) -> list[dict]:
    """Insert or refresh the network's users; returns the rows with their ids. Missing names keep
    stored ones; another network's accounts of the same issuer are never touched.

    PostgreSQL: one statement per page over a JSON document. SQLite (in-process, no round
    trips): one cached statement executed for many rows.
    """
    rows = _user_rows(network_id, issuer, members)
    if not rows:
        return rows
    if session.get_bind().dialect.name == "postgresql":
        ids = dict((sub, uid) for uid, sub in session.execute(_PG_USERS, {"doc": pg_document(rows)}))
    else:
        table = User.__table__
        stmt = _insert(session, table)
        stmt = stmt.on_conflict_do_update(
            index_elements=["network_id", "issuer", "sub"],
            set_={col: sa.func.coalesce(getattr(stmt.excluded, col), table.c[col])
                  for col in ("name", "given_name", "family_name", "email")},
        ).returning(table.c.id, table.c.sub, sort_by_parameter_order=True)
        ids = dict((sub, uid) for uid, sub in session.connection().execute(stmt, rows))
    for row in rows:
        row["id"] = ids[row["sub"]]
    return rows


def upsert_enrollments(session: orm.Session, rows: list[dict]) -> None:
    """Insert or update enrollments (roles, status, the pull's timestamp) in one statement.

    `source` becomes "nrps" also for an enrollment a launch created: the roster has now seen the
    member, so a later full pull that misses them may mark them deleted (see `roster.py`)."""
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_PG_ENROLLMENTS, {"doc": pg_document(rows)})
        return
    stmt = _insert(session, Enrollment.__table__)
    ex = stmt.excluded
    session.connection().execute(stmt.on_conflict_do_update(
        index_elements=["course_id", "user_id"],
        set_={"lti_roles": ex.lti_roles, "status": ex.status, "source": ex.source, "updated_at": ex.updated_at},
    ), rows)


def upsert_page(session: orm.Session, course_id: int, network_id: int, issuer: str, members: list[dict],
                now: datetime) -> tuple[int, int, int]:
    """Upsert one page of members; returns (enrollments added or reactivated, enrollments that
    became deleted — a `differences` page reports leavers as Deleted —, persons ensured)."""
    users = upsert_users(session, network_id, issuer, members)
    id_of = {u["sub"]: u["id"] for u in users}
    enrollments: dict[int, dict] = {}
    for m in members:
        uid = id_of.get(str(m.get("user_id") or ""))
        if uid is None:
            continue
        status = STATUS.get(str(m.get("status") or "Active").lower(), "active")
        enrollments[uid] = {"course_id": course_id, "user_id": uid, "lti_roles": list(m.get("roles") or []),
                            "status": status, "source": "nrps", "updated_at": now}
    before = dict(session.execute(sa.select(Enrollment.user_id, Enrollment.status).where(
        Enrollment.course_id == course_id, among(session, Enrollment.user_id, list(enrollments)))).all())
    rows = list(enrollments.values())
    upsert_enrollments(session, rows)
    added = sum(1 for r in rows if r["status"] == "active" and before.get(r["user_id"]) != "active")
    removed = sum(1 for r in rows if r["status"] == "deleted" and before.get(r["user_id"]) not in (None, "deleted"))
    # Someone reported as gone needs no person in the network (they may never have been seen).
    present = [u for u in users if enrollments.get(u["id"], {}).get("status") != "deleted"]
    persons = ensure_persons(session, network_id, present)
    return added, removed, persons
