"""Grades verified in the LMS: what the worker's reconciliation found per course, and asking for a
check now (the worker's beat task reads the results of the asked-for line items within a minute).

Two statements per page whatever the number of courses, line items or grades: a count and one
aggregate over the line item checks of a page of courses.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..core.clock import utcnow
from ..core.courses import Course
from ..core.grades import LineItem, LineItemCheck

PER_PAGE = 50


@dataclass(frozen=True)
class CourseCheck:
    """One course's last reconciliation: when, and the grades by verdict over its line items."""

    course_id: int
    title: str
    line_items: int
    verified_at: datetime | None  # the newest complete check of its line items
    matching: int
    resent: int
    unreachable: int
    waiting: int  # line items asked for or changed since their last check
    failed: int  # line items whose last read failed


def course_checks(session: Session, network_id: int, page: int = 1, per_page: int = PER_PAGE
                  ) -> tuple[list[CourseCheck], int]:
    """Courses of the network with graded line items, newest checks first; (rows, total courses)."""
    c = LineItemCheck
    in_network = sa.select(Course.id).where(Course.network_id == network_id)
    total = session.scalar(sa.select(sa.func.count(sa.distinct(c.course_id))).where(c.course_id.in_(in_network))) or 0
    last = sa.func.coalesce(c.checked_at, datetime(1970, 1, 1))
    waiting = sa.or_(c.requested_at > last, c.changed_at > last)
    rows = session.execute(
        sa.select(c.course_id, Course.title, sa.func.count(), sa.func.max(c.checked_at), sa.func.sum(c.matching),
                  sa.func.sum(c.resent), sa.func.sum(c.unreachable),
                  sa.func.sum(sa.case((waiting, 1), else_=0)),
                  sa.func.sum(sa.case((c.error.is_not(None), 1), else_=0)))
        .join(Course, Course.id == c.course_id).where(Course.network_id == network_id)
        .group_by(c.course_id, Course.title)
        .order_by(sa.func.max(c.checked_at).desc().nulls_last(), c.course_id)
        .limit(per_page).offset(max(page - 1, 0) * per_page))
    return [CourseCheck(cid, title, n, when, int(m or 0), int(r or 0), int(u or 0), int(w or 0), int(f or 0))
            for cid, title, n, when, m, r, u, w, f in rows], total


def request_check(session: Session, network_id: int, course_id: int | None = None) -> int:
    """Ask the worker to read the results of the network's line items known at the LMS (one course
    or all); line items never checked get their check row. Returns how many line items."""
    now = utcnow()
    courses = sa.select(Course.id).where(Course.network_id == network_id)
    if course_id is not None:
        courses = courses.where(Course.id == course_id)
    missing = (sa.select(LineItem.id, LineItem.course_id, sa.literal(0), sa.literal(0), sa.literal(0))
               .where(LineItem.course_id.in_(courses), LineItem.url.is_not(None),
                      ~sa.exists().where(LineItemCheck.line_item_id == LineItem.id)))
    session.execute(sa.insert(LineItemCheck).from_select(
        ["line_item_id", "course_id", "matching", "resent", "unreachable"], missing))
    result = session.execute(sa.update(LineItemCheck).where(LineItemCheck.course_id.in_(courses))
                             .values(requested_at=now).execution_options(synchronize_session=False))
    return result.rowcount
