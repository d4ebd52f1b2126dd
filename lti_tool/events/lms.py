"""Participation grades for the LMS gradebook: line items of placed events and the score outbox.

A grade change and its outbox rows are written in the same database transaction (the caller
commits both or neither); the sync worker delivers pending rows over AGS. One row per line item
per change (`lti_tool.core.scores.queue_score` supersedes the participant's older pending rows).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..core import line_items, scores
from ..core.clock import utcnow
from ..core.courses import Course, Enrollment, ResourceLink
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


def queue_scores(session: Session, participant: Participant, *, score_given: float | None,
                 score_maximum: float, completed: bool, comment: str | None,
                 now: datetime | None = None) -> list[ScoreOutbox]:
    """Write one pending outbox row per placed line item whose course has the participant's user.

    A person without an LTI user, or not an active member of a course, gets no row for it.
    """
    event = participant.event
    user_id = participant.person.user_id
    if user_id is None:
        return []
    now = now or utcnow()
    rows = []
    for link in placed_links(session, event):
        if not _enrolled(session, link.course_id, user_id):
            continue
        item = ensure_line_item(session, event, link, score_maximum)
        rows.append(scores.queue_score(
            session, network_id=event.network_id, course_id=link.course_id, line_item_id=item.id, user_id=user_id,
            source_key=source_key(participant.id), score_given=score_given, score_maximum=score_maximum,
            completed=completed, comment=comment, now=now))
    session.flush()
    return rows


def _enrolled(session: Session, course_id: int, user_id: int) -> bool:
    return session.scalar(sa.select(sa.func.count()).select_from(Enrollment).where(
        Enrollment.course_id == course_id, Enrollment.user_id == user_id,
        Enrollment.status == "active")) > 0


@dataclass(frozen=True)
class Delivery:
    """What a tutor sees per person and course: the latest score's delivery state."""

    course_title: str
    status: str  # pending | delivered | failed | not_in_course
    last_error: str | None = None


def delivery_overview(session: Session, event: Event, participants: list[Participant]) -> dict[int, list[Delivery]]:
    """Per participant id: one `Delivery` per course where the event is placed."""
    links = placed_links(session, event)
    courses = {c.id: c for c in session.scalars(sa.select(Course).where(Course.id.in_({l.course_id for l in links})))}
    keys = [source_key(p.id) for p in participants]
    latest: dict[tuple[str, int], ScoreOutbox] = {}
    if keys:
        for row in session.scalars(sa.select(ScoreOutbox).where(ScoreOutbox.source_key.in_(keys),
                                                                ScoreOutbox.status != "superseded")
                                   .order_by(ScoreOutbox.id)):
            latest[(row.source_key, row.course_id)] = row
    result: dict[int, list[Delivery]] = {}
    for p in participants:
        items = []
        for link in links:
            title = courses[link.course_id].title or courses[link.course_id].lti_context_id
            row = latest.get((source_key(p.id), link.course_id))
            if p.person.user_id is None or not _enrolled(session, link.course_id, p.person.user_id):
                items.append(Delivery(title, "not_in_course"))
            elif row is not None:
                items.append(Delivery(title, row.status, row.last_error))
        result[p.id] = items
    return result
