"""Celery tasks of notifications: thin wrappers over `delivery` and `schedule`.

`sync.celery_app` includes this module by name and beat starts `deliver` every
NOTIFY_INTERVAL_SECONDS; a second beat process by mistake only starts a second drain, which claims
other rows (or none).
"""
from __future__ import annotations

import logging

from sync.celery_app import celery
from sync.db import session_factory

from . import receivers
from .delivery import drain
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
