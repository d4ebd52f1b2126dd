"""Figures for the admin console and `flask sync status`: the outbox and the roster pulls."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lti_tool.core.accounts import User
from lti_tool.core.clock import utcnow
from lti_tool.core.courses import Course, Enrollment, RosterSync
from lti_tool.core.grades import ScoreOutbox


def outbox_counts(session: Session, network_id: int | None = None) -> dict:
    """Rows per status, how many are due now, and the oldest pending row's creation time."""
    scope = [ScoreOutbox.network_id == network_id] if network_id is not None else []
    counts = dict(session.execute(
        sa.select(ScoreOutbox.status, sa.func.count()).where(*scope).group_by(ScoreOutbox.status)).all())
    pending = [*scope, ScoreOutbox.status == "pending"]
    due = session.scalar(sa.select(sa.func.count()).where(*pending, ScoreOutbox.next_attempt_at <= utcnow()))
    oldest = session.scalar(sa.select(sa.func.min(ScoreOutbox.created_at)).where(*pending))
    return {**{k: counts.get(k, 0) for k in ("pending", "delivered", "failed", "superseded")},
            "due": due or 0, "oldest_pending": oldest}


def recent_failures(session: Session, network_id: int | None = None, limit: int = 20) -> list[dict]:
    """Failed rows with the platform's message, newest first (admins retry them)."""
    query = (sa.select(ScoreOutbox, User).join(User, User.id == ScoreOutbox.user_id)
             .where(ScoreOutbox.status == "failed").order_by(ScoreOutbox.id.desc()).limit(limit))
    if network_id is not None:
        query = query.where(ScoreOutbox.network_id == network_id)
    return [{"id": o.id, "source_key": o.source_key, "user": u.display_name, "attempts": o.attempts,
             "error": o.last_error} for o, u in session.execute(query)]


def roster_status(session: Session, network_id: int | None = None) -> list[dict]:
    """The last roster pull of each course that has an NRPS endpoint, with how many enrollments
    only launches created (`launch_only`: not in the LMS roster, e.g. a site administrator) and
    whether the next pull is incremental (the platform gave a `differences` link)."""
    query = (sa.select(Course, RosterSync).outerjoin(RosterSync, RosterSync.course_id == Course.id)
             .where(Course.nrps_url.is_not(None)).order_by(Course.id))
    if network_id is not None:
        query = query.where(Course.network_id == network_id)
    found = session.execute(query).all()
    launch_only = dict(session.execute(
        sa.select(Enrollment.course_id, sa.func.count())
        .where(Enrollment.course_id.in_([c.id for c, _ in found]), Enrollment.launch_only())
        .group_by(Enrollment.course_id)).all()) if found else {}
    rows = []
    for course, sync in found:
        rows.append({"course_id": course.id, "title": course.title or course.lti_context_id,
                     "status": sync.status if sync else "never",
                     "finished_at": sync.finished_at if sync else None,
                     "pages": sync.pages if sync else 0, "members": sync.members_seen if sync else 0,
                     "added": sync.members_added if sync else 0, "removed": sync.members_removed if sync else 0,
                     "error": sync.last_error if sync else None, "launch_only": launch_only.get(course.id, 0),
                     "incremental_next": bool(sync and sync.differences_url)})
    return rows
