"""Participation grades for the LMS gradebook: line items of placed events and the score outbox.

A grade change and its outbox rows are written in the same database transaction (the caller
commits both or neither); the sync worker delivers pending rows over AGS. One row per line item
per change (`lti_tool.core.scores.queue_scores` supersedes the participant's older pending rows).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..core import line_items, scores
from ..core.clock import utcnow
from ..core.courses import Course, Enrollment, ResourceLink
from ..core.member_roles import TEACHER, tool_roles
from ..core.grades import LineItem, ScoreOutbox
from .models import Event, Participant

LINE_ITEM_TAG = "participation"


def source_key(participant_id: int) -> str:
    """What produced the score, as stored in `ScoreOutbox.source_key`."""
    return f"event_participant:{participant_id}"


def resource_id(event_id: int) -> str:
    """The AGS resourceId of an event's line item."""
    return f"event:{event_id}"


def placed_links(session: Session, event: Event) -> list[ResourceLink]:
    """Resource links that open this event, in courses of the event's network."""
    return list(session.scalars(
        sa.select(ResourceLink).join(Course, Course.id == ResourceLink.course_id)
        .where(ResourceLink.target_kind == "event", ResourceLink.target_id == event.id,
               Course.network_id == event.network_id).order_by(ResourceLink.id)))


def ensure_line_item(session: Session, event: Event, link: ResourceLink, score_maximum: float) -> LineItem:
    """Find or create the event's line item for a placed link (its URL comes later from the worker)."""
    label = event.title[:255]
    item = line_items.find_or_create(session, course_id=link.course_id, resource_link_id=link.id,
                                     resource_id=resource_id(event.id), tag=LINE_ITEM_TAG, label=label,
                                     score_maximum=score_maximum, url=link.ags_lineitem_url)
    return line_items.describe(item, label, score_maximum)


def queue_scores(session: Session, event: Event, grades: list[Grade], *, score_maximum: float,
                 now: datetime | None = None) -> int:
    """Write one pending outbox row per grade and placed line item whose course has the person's user;
    returns how many rows were written.

    Set-based: the placed links, the enrollments of every graded user and each link's line item
    are read once for all grades (a session of 30 costs the same few statements as one). A person
    without an LTI user, or not an active member of a course, gets no row for it.
    """
    now = now or utcnow()
    users = {g.participant.person.user_id for g in grades if g.participant.person.user_id is not None}
    links = placed_links(session, event) if users else []
    enrolled = _enrolled(session, {link.course_id for link in links}, users)
    rows = 0
    for link in links:
        wanted = [g for g in grades if (link.course_id, g.participant.person.user_id) in enrolled]
        if not wanted:
            continue
        item = ensure_line_item(session, event, link, score_maximum)
        rows += scores.queue_scores(session, [dict(
            network_id=event.network_id, course_id=link.course_id, line_item_id=item.id,
            user_id=g.participant.person.user_id, source_key=source_key(g.participant.id), score_given=g.score_given,
            score_maximum=score_maximum, completed=g.completed, comment=g.comment, now=now) for g in wanted])
    session.flush()
    return rows


@dataclass(frozen=True)
class Grade:
    """One participant's event score to send: what `queue_scores` writes per placed line item."""

    participant: Participant
    score_given: float | None
    completed: bool
    comment: str | None = None


def _enrolled(session: Session, course_ids: set[int], user_ids: set[int]) -> set[tuple[int, int]]:
    """(course id, user id) of the active members among these courses and users, in one query."""
    if not course_ids or not user_ids:
        return set()
    return set(session.execute(sa.select(Enrollment.course_id, Enrollment.user_id).where(
        Enrollment.course_id.in_(course_ids), Enrollment.user_id.in_(user_ids), Enrollment.status == "active")).all())


def _learners(session: Session, course_ids: set[int], user_ids: set[int]) -> set[tuple[int, int]]:
    """(course id, user id) of the active members enrolled as Learners (the LMS gradebook's rows)."""
    if not course_ids or not user_ids:
        return set()
    rows = session.execute(sa.select(Enrollment.course_id, Enrollment.user_id, Enrollment.lti_roles).where(
        Enrollment.course_id.in_(course_ids), Enrollment.user_id.in_(user_ids), Enrollment.status == "active"))
    return {(c, u) for c, u, roles in rows if TEACHER in tool_roles(roles)}


@dataclass(frozen=True)
class Delivery:
    """What a tutor sees per person and course: the latest score's delivery state."""

    course_title: str
    status: str  # pending | delivered | failed | not_in_course
    last_error: str | None = None
    learner: bool = True  # False: a member but not a Learner: the gradebook shows no grade for her


def delivery_overview(session: Session, event: Event, participants: list[Participant]) -> dict[int, list[Delivery]]:
    """Per participant id: one `Delivery` per course where the event is placed (a few queries for
    any number of participants; their persons should be loaded with them)."""
    links = placed_links(session, event)
    courses = {c.id: c for c in session.scalars(sa.select(Course).where(Course.id.in_({l.course_id for l in links})))}
    keys = [source_key(p.id) for p in participants]
    latest: dict[tuple[str, int], ScoreOutbox] = {}
    if keys:
        for row in session.scalars(sa.select(ScoreOutbox).where(ScoreOutbox.source_key.in_(keys),
                                                                ScoreOutbox.status != "superseded")
                                   .order_by(ScoreOutbox.id)):
            latest[(row.source_key, row.course_id)] = row
    users = {p.person.user_id for p in participants} - {None}
    enrolled = _enrolled(session, set(courses), users)
    learners = _learners(session, set(courses), users)
    result: dict[int, list[Delivery]] = {}
    for p in participants:
        items = []
        for link in links:
            title = courses[link.course_id].title or courses[link.course_id].lti_context_id
            row = latest.get((source_key(p.id), link.course_id))
            learner = (link.course_id, p.person.user_id) in learners
            if (link.course_id, p.person.user_id) not in enrolled:
                items.append(Delivery(title, "not_in_course"))
            elif row is not None:
                items.append(Delivery(title, row.status, row.last_error, learner))
            elif not learner:
                items.append(Delivery(title, "ungraded", None, False))
        result[p.id] = items
    return result
