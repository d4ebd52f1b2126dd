"""Celery tasks: thin wrappers that take ids and call the functions of `sync` services."""
from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa

from lti_tool.core.clock import utcnow
from lti_tool.core.courses import Course, RosterSync

from .celery_app import celery
from .grades import push_platform
from .locks import acquire, release
from .outbox import due_platforms
from .reconcile import platforms_due, reconcile_platform
from .roster import pull_roster as pull_course_roster
from .runtime import runtime

log = logging.getLogger(__name__)


@celery.task(name="sync.tasks.push_outbox")
def push_outbox() -> int:
    """Start the drains of every platform that has due scores; returns how many were started."""
    rt = runtime()
    with rt.sessions() as s:
        platforms = due_platforms(s, utcnow())
    drains = rt.settings["SYNC_DRAINS_PER_PLATFORM"]
    for platform_id in platforms:
        for slot in range(drains):
            push_one_platform.delay(platform_id, slot)
    return len(platforms) * drains


@celery.task(name="sync.tasks.push_one_platform")
def push_one_platform(platform_id: int, slot: int = 0) -> dict:
    """Drain one platform's due scores in drain slot `slot`; one drain per slot across all workers.

    SYNC_DRAINS_PER_PLATFORM slots let several worker processes (cores) share a busy platform;
    the requests in flight per platform stay SYNC_PER_PLATFORM_CONCURRENCY in total.
    """
    rt = runtime()
    s = rt.settings
    drains = max(s["SYNC_DRAINS_PER_PLATFORM"], 1)
    lock = f"sync:push:{platform_id}:{slot}"
    # The lease outlives a drain; a killed worker's lease expires and another worker continues.
    owner = acquire(rt.cache, lock, s["SYNC_DRAIN_SECONDS"] + 2 * s["SYNC_READ_TIMEOUT"]) if slot < drains else None
    if owner is None:
        return {"platform_id": platform_id, "skipped": "busy"}
    try:
        per_drain = {**s, "SYNC_PER_PLATFORM_CONCURRENCY": max(s["SYNC_PER_PLATFORM_CONCURRENCY"] // drains, 1)}
        result = push_platform(rt.sessions, platform_id, rt.tokens, rt.http, per_drain)
    finally:
        release(rt.cache, lock, owner)
    log.info("pushed platform %s (slot %s): %s", platform_id, slot, result)
    return vars(result)


@celery.task(name="sync.tasks.pull_roster")
def pull_roster(course_id: int) -> dict:
    """Pull one course's roster over NRPS."""
    rt = runtime()
    result = pull_course_roster(rt.sessions, course_id, rt.tokens, rt.http, rt.settings)
    log.info("roster of course %s: %s", course_id, result)
    return {k: v for k, v in vars(result).items() if k != "extra"}


@celery.task(name="sync.tasks.schedule_rosters")
def schedule_rosters() -> int:
    """Queue a pull for every course with an NRPS endpoint whose pull is not running now."""
    rt = runtime()
    stale = utcnow() - timedelta(seconds=rt.settings["SYNC_ROSTER_LEASE_SECONDS"])
    with rt.sessions() as s:
        ids = list(s.scalars(
            sa.select(Course.id).outerjoin(RosterSync, RosterSync.course_id == Course.id)
            .where(Course.nrps_url.is_not(None),
                   sa.or_(RosterSync.id.is_(None), RosterSync.status != "running", RosterSync.started_at < stale))
            .order_by(Course.id)))
    for course_id in ids:
        pull_roster.delay(course_id)
    return len(ids)


@celery.task(name="sync.tasks.reconcile")
def reconcile() -> int:
    """Start a reconciliation of every platform with line items to check; returns how many."""
    rt = runtime()
    with rt.sessions() as s:
        platforms = platforms_due(s, utcnow(), rt.settings["SYNC_RECONCILE_INTERVAL_SECONDS"])
    for platform_id in platforms:
        reconcile_one_platform.delay(platform_id)
    return len(platforms)


@celery.task(name="sync.tasks.reconcile_one_platform")
def reconcile_one_platform(platform_id: int) -> dict:
    """Read one platform's changed line items' results and queue the differences; one run per
    platform at a time across all workers."""
    rt = runtime()
    s = rt.settings
    lock = f"sync:reconcile:{platform_id}"
    owner = acquire(rt.cache, lock, int(s["SYNC_ROSTER_LEASE_SECONDS"]))
    if owner is None:
        return {"platform_id": platform_id, "skipped": "busy"}
    try:
        result = reconcile_platform(rt.sessions, platform_id, rt.tokens, rt.http, s)
    finally:
        release(rt.cache, lock, owner)
    log.info("reconciled platform %s: %s", platform_id, result)
    return {k: v for k, v in vars(result).items() if k != "errors"} | {"errors": result.errors[:10]}
