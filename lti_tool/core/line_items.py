"""The one writer of `LineItem`: find-or-create by its identity, describe it, record or forget its URL.

A line item is identified by course + resource link + resourceId + tag and never duplicated. The
launch records the one the platform coupled to a link (`find_or_create` + `record_url`), grading
creates one per placed event (`find_or_create` + `describe`), and the sync worker records the URL
it found or created at the platform (`record_url`) or drops one the platform no longer knows
(`forget_url`). Functions add and flush; the caller commits.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .grades import LineItem


def by_url(session: Session, course_id: int, url: str) -> LineItem | None:
    """The course's line item the platform knows at `url`, if the tool knows it too."""
    return session.scalar(sa.select(LineItem).where(LineItem.course_id == course_id, LineItem.url == url))


def find_or_create(session: Session, *, course_id: int, resource_link_id: int | None, resource_id: str, tag: str,
                   label: str, score_maximum: float, url: str | None = None) -> LineItem:
    """The line item of this identity; created with `label`, `score_maximum` and `url` when missing.

    A concurrent writer may create it first: the insert runs in a savepoint and, when it loses, the
    other writer's row is read instead.
    """
    query = sa.select(LineItem).where(
        LineItem.course_id == course_id, LineItem.resource_link_id == resource_link_id,
        LineItem.resource_id == resource_id, LineItem.tag == tag)
    item = session.scalar(query)
    if item is None:
        try:
            with session.begin_nested():
                item = LineItem(course_id=course_id, resource_link_id=resource_link_id, resource_id=resource_id,
                                tag=tag, label=label, score_maximum=score_maximum, url=url)
                session.add(item)
        except IntegrityError:
            item = session.scalar(query)
    return item


def describe(item: LineItem, label: str, score_maximum: float) -> LineItem:
    """Keep the tool's label and maximum score (only changed values are written)."""
    if item.score_maximum != score_maximum or item.label != label:
        item.label, item.score_maximum = label, score_maximum
    return item


def record_url(item: LineItem, url: str) -> str:
    """Remember where the platform keeps this line item; returns the URL."""
    if item.url != url:
        item.url = url
    return url


def forget_url(session: Session, line_item_id: int, url: str) -> None:
    """Drop a URL the platform answered 404 for (unless it changed meanwhile), so the next attempt
    finds or creates the line item anew."""
    session.execute(sa.update(LineItem).where(LineItem.id == line_item_id, LineItem.url == url).values(url=None))
