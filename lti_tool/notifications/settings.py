"""Tuning of notification delivery, read from the environment beside the worker's SYNC_* values."""
from __future__ import annotations

import os

from sync.settings import sync_settings

DEFAULTS = {
    # Rows claimed per batch, and how long a claim holds before another worker may take the row.
    "NOTIFY_BATCH_SIZE": 200,
    "NOTIFY_LEASE_SECONDS": 300,
    # Retries of a message the SMTP server did not take: base * 2**(attempt-1), capped, with jitter.
    "NOTIFY_BACKOFF_BASE_SECONDS": 60.0,
    "NOTIFY_BACKOFF_MAX_SECONDS": 3600.0,
    "NOTIFY_MAX_ATTEMPTS": 12,
    # A drain task stops after this long; beat starts the next one every NOTIFY_INTERVAL_SECONDS.
    "NOTIFY_DRAIN_SECONDS": 60.0,
    "NOTIFY_INTERVAL_SECONDS": 10.0,
    # At most this many emails to one person per hour (the rest wait; the centre shows them at once).
    "NOTIFY_RATE_PER_HOUR": 12,
    # The hour (network time) at which daily digests leave.
    "NOTIFY_DIGEST_HOUR": 7,
    # How often beat looks for due reminders (events, surveys, route steps).
    "NOTIFY_SCHEDULE_SECONDS": 60.0,
}


def notify_settings(overrides: dict | None = None) -> dict:
    """The worker's settings plus the NOTIFY_* values (environment, then `overrides`)."""
    settings = sync_settings()
    for name, default in DEFAULTS.items():
        raw = os.environ.get(name)
        settings[name] = type(default)(raw) if raw not in (None, "") else default
    if overrides:
        settings.update(overrides)
    return settings
