"""Celery tasks of notifications: thin wrappers over `delivery` and `schedule`.

`sync.celery_app` includes this module by name; beat starts `deliver` every
NOTIFY_INTERVAL_SECONDS and `schedule` every NOTIFY_SCHEDULE_SECONDS. A second beat process by
mistake only starts a second drain, which claims other rows (or none), and a second schedule, whose
reminders are already queued under the same idempotency keys.
"""
from __future__ import annotations

import logging

from sync.celery_app import celery
from sync.db import session_factory

from ..core.clock import utcnow
from . import receivers, schedule
from .delivery import drain, send_digests
from .settings import notify_settings

log = logging.getLogger(__name__)
# The worker's own changes (grade pushes that fail) announce themselves by signal too.
receivers.connect_signals()


@celery.task(name="notifications.deliver")
def deliver() -> dict:
    """Send the due emails (or keep them, without SMTP_URL); returns counts per outcome."""
    settings = notify_settings()
    result = dict(drain(session_factory(settings["DATABASE_URL"]), settings))
    if result:
        log.info("notifications delivered: %s", result)
    return result


@celery.task(name="notifications.schedule")
def schedule_due() -> dict:
    """Queue the reminders that are due now, and send the daily digests whose hour has come."""
    settings = notify_settings()
    sessions = session_factory(settings["DATABASE_URL"])
    now = utcnow()
    with sessions.begin() as s:
        result = schedule.due(s, now)
    result.update(send_digests(sessions, settings, now))
    if any(result.values()):
        log.info("notifications scheduled: %s", result)
    return result
