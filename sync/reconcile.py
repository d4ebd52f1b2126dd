"""Reconciliation: read what the platform's gradebook holds and compare it with what TutorNet
last delivered; queue the differences again with the reason.

Cheap at region scale: only line items with a delivery since their last check (or a check asked
for from the console) are read; each line item's results are read page by page (`limit` and
`Link: rel="next"`); a few line items of one platform at a time (SYNC_RECONCILE_CONCURRENCY);
per line item a fixed number of statements (the delivered states, the pending pairs, the verdicts,
one INSERT of the scores queued again, the check), whatever its number of grades.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import orm

from lti_tool.core.accounts import User
from lti_tool.core.clock import utcnow
from lti_tool.core.courses import Course
from lti_tool.core.grades import LineItem, LineItemCheck, ScoreOutbox, ScoreState
from lti_tool.core.outbound import OutboundClient, OutboundError
from lti_tool.core.scores import requeue_delivered
from lti_tool.lti.models import Deployment, Platform

from .db import among
from .http import AGS_RESULT, PlatformClient, push_scopes
from .results import ResultsError, holds, read_results
from .tokens import PlatformRef, TokenError, TokenProvider

EPOCH = datetime(1970, 1, 1)


@dataclass
class ReconcileResult:
    platform_id: int
    line_items: int = 0
    matching: int = 0
    resent: int = 0
    unreachable: int = 0
    requests: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class Item:
    line_item_id: int
    course_id: int
    url: str
    scopes: list[str] | None


def due_line_items(session: orm.Session, now: datetime, interval: float, platform_id: int | None = None) -> list[tuple]:
    """(platform id, line item) pairs to check: changed since their last check and not checked (or
    tried) in the last `interval` seconds, or asked for after their last check and last try."""
    c = LineItemCheck
    last, tried = sa.func.coalesce(c.checked_at, EPOCH), sa.func.coalesce(c.failed_at, EPOCH)
    since = now - timedelta(seconds=interval)
    query = (sa.select(Deployment.platform_id, c.line_item_id, c.course_id, LineItem.url, Course.ags_scopes)
             .join(LineItem, LineItem.id == c.line_item_id).join(Course, Course.id == c.course_id)
             .join(Deployment, Deployment.id == Course.deployment_id)
             .where(LineItem.url.is_not(None),
                    sa.or_(sa.and_(c.requested_at > last, c.requested_at > tried),
                           sa.and_(c.changed_at > last, last < since, tried < since)))
             .order_by(Deployment.platform_id, c.line_item_id))
    if platform_id is not None:
        query = query.where(Deployment.platform_id == platform_id)
    return [(p, Item(li, course, url, scopes)) for p, li, course, url, scopes in session.execute(query)]


def reconcile_platform(sessions: orm.sessionmaker, platform_id: int, tokens: TokenProvider, http: OutboundClient,
                       settings: dict) -> ReconcileResult:
    """Check every due line item of one platform, a few at a time."""
    result = ReconcileResult(platform_id)
    with sessions() as s:
        platform = s.get(Platform, platform_id)
        if platform is None:
            return result
        ref = PlatformRef.of(platform)
        items = [item for _, item in due_line_items(s, utcnow(), settings["SYNC_RECONCILE_INTERVAL_SECONDS"],
                                                    platform_id)]
    clients: dict[tuple, PlatformClient] = {}
    lock = threading.Lock()

    def check(item: Item) -> None:
        key = push_scopes(item.scopes)
        with lock:
            client = clients.setdefault(key, PlatformClient(ref, key, tokens, http))
        counts = reconcile_line_item(sessions, client, item, settings["SYNC_RESULTS_PAGE_SIZE"])
        with lock:
            result.line_items += 1
            result.matching += counts["matching"]
            result.resent += counts["resent"]
            result.unreachable += counts["unreachable"]
            result.requests += counts["requests"]
            if counts["error"]:
                result.errors.append(counts["error"])

    with ThreadPoolExecutor(max_workers=max(int(settings["SYNC_RECONCILE_CONCURRENCY"]), 1),
                            thread_name_prefix=f"reconcile-{platform_id}") as pool:
        list(pool.map(check, items))
    return result


def reconcile_line_item(sessions: orm.sessionmaker, client: PlatformClient, item: Item, page_size: int) -> dict:
    """Read one line item's results and compare them with the delivered scores; queue differences."""
    started = utcnow()
    counts = {"matching": 0, "resent": 0, "unreachable": 0, "requests": 0, "error": None}
    held: dict[str, dict] = {}
    try:
        if AGS_RESULT not in client.scopes:
            raise ResultsError("the platform does not grant reading results (result.readonly)", transient=False)
        for page, requests in read_results(client, item.url, page_size):
            counts["requests"] = requests
            for r in page:
                held.setdefault(str(r.get("userId")), r)
    except (OutboundError, TokenError, ResultsError) as exc:
        counts["error"] = str(exc)[:500]
    with sessions.begin() as s:
        states = s.execute(
            sa.select(ScoreState.user_id, User.sub, ScoreState.delivered_id, ScoreState.score_given,
                      ScoreState.score_maximum)
            .join(User, User.id == ScoreState.user_id)
            .where(ScoreState.line_item_id == item.line_item_id, ScoreState.delivered_id.is_not(None))).all()
        pending = set(s.scalars(sa.select(ScoreOutbox.user_id).where(
            ScoreOutbox.line_item_id == item.line_item_id, ScoreOutbox.status == "pending")))
        verdicts: dict[str, list[int]] = {"match": [], "resent": [], "unreachable": []}
        reasons: dict[int, str] = {}
        for user_id, sub, delivered_id, given, maximum in states:
            if user_id in pending:  # a newer score is on its way (and will be verified itself)
                continue
            if counts["error"]:
                verdicts["unreachable"].append(user_id)
            elif holds(held.get(str(sub)), given, maximum):
                verdicts["match"].append(user_id)
            else:
                verdicts["resent"].append(user_id)
                reasons[delivered_id] = "reconcile: " + _described(held.get(str(sub)))
        requeue_delivered(s, reasons, started)
        for verdict, users in verdicts.items():
            if users:
                s.execute(sa.update(ScoreState).where(ScoreState.line_item_id == item.line_item_id,
                                                      among(s, ScoreState.user_id, users))
                          .values(verdict=verdict, checked_at=started).execution_options(synchronize_session=False))
        counts.update(matching=len(verdicts["match"]), resent=len(verdicts["resent"]),
                      unreachable=len(verdicts["unreachable"]))
        values = {"matching": counts["matching"], "resent": counts["resent"], "unreachable": counts["unreachable"],
                  "error": counts["error"]}
        if not counts["error"]:
            values["checked_at"] = started  # a failed read is tried again at the next run
        else:
            values["failed_at"] = started
        s.execute(sa.update(LineItemCheck).where(LineItemCheck.line_item_id == item.line_item_id).values(**values))
    return counts


def _described(result: dict | None) -> str:
    """What the platform holds, for the reason of a score queued again."""
    if result is None:
        return "the LMS holds no grade"
    score = result.get("resultScore")
    if score is None:
        return "the LMS holds no score"
    return f"the LMS holds {score} of {result.get('resultMaximum', '?')}"


def platforms_due(session: orm.Session, now: datetime, interval: float) -> list[int]:
    """Platforms with at least one line item to check."""
    return sorted({p for p, _ in due_line_items(session, now, interval)})
