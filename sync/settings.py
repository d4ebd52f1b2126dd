"""Tuning of the sync worker, read from the environment on top of `lti_tool.core.config.load_config()`.

The worker alone reads them; each name is a plain environment variable so operators set
them beside DATABASE_URL and CELERY_BROKER_URL.
"""
from __future__ import annotations

import os

from lti_tool.core.config import load_config

DEFAULTS = {
    # Requests in flight per platform (one registration's LMS), across the threads of one task.
    "SYNC_PER_PLATFORM_CONCURRENCY": 16,
    # Worker processes that may drain one platform at once (each with its share of the bound).
    "SYNC_DRAINS_PER_PLATFORM": 1,
    # Outbox rows claimed per batch and how long a claim holds before another worker may retry it.
    "SYNC_BATCH_SIZE": 500,
    "SYNC_LEASE_SECONDS": 300,
    # Exponential backoff for 5xx/timeouts: base * 2**(attempt-1), capped, with jitter.
    "SYNC_BACKOFF_BASE_SECONDS": 5.0,
    "SYNC_BACKOFF_MAX_SECONDS": 3600.0,
    # After this many consecutive 5xx/timeouts in one batch the platform is left alone until later.
    "SYNC_CIRCUIT_FAILURES": 8,
    "SYNC_CONNECT_TIMEOUT": 5.0,
    "SYNC_READ_TIMEOUT": 30.0,
    # Wall-clock limit of one request to a platform, whatever the peer does (0: connect + read).
    "SYNC_REQUEST_DEADLINE": 0.0,
    # The largest answer accepted (an NRPS page of 1,000 members is about 300 KB).
    "SYNC_MAX_RESPONSE_BYTES": 32 * 1024 * 1024,
    # After a line item POST that timed out (no answer), only look it up (never POST again) this long.
    "SYNC_LINEITEM_SETTLE_SECONDS": 120.0,
    # NRPS page size (`limit` is always sent: Moodle pages only when it is).
    "SYNC_NRPS_PAGE_SIZE": 1000,
    # A pull that has been "running" longer than this is considered dead and may be restarted.
    "SYNC_ROSTER_LEASE_SECONDS": 900,
    # A drain task stops after this long and lets beat start the next one (keeps tasks short).
    "SYNC_DRAIN_SECONDS": 120.0,
    # Reconciliation: how often beat looks for line items to check, how long a changed line item
    # waits after its last check, line items of one platform read at once, results per page.
    "SYNC_RECONCILE_POLL_SECONDS": 60.0,
    "SYNC_RECONCILE_INTERVAL_SECONDS": 3600.0,
    "SYNC_RECONCILE_CONCURRENCY": 4,
    "SYNC_RESULTS_PAGE_SIZE": 500,
}


def sync_settings(overrides: dict | None = None) -> dict:
    """Every setting the worker needs: the app configuration plus the SYNC_* tuning values."""
    settings = load_config()
    for name, default in DEFAULTS.items():
        raw = os.environ.get(name)
        settings[name] = type(default)(raw) if raw not in (None, "") else default
    if overrides:
        settings.update(overrides)
    return settings
