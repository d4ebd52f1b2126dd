"""Retry arithmetic: exponential backoff with jitter, and `Retry-After` (seconds or HTTP-date)."""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime


def backoff_seconds(attempts: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Delay before attempt `attempts + 1`: base * 2**(attempts-1), capped, jittered to 50–100 %.

    The jitter spreads retries of a batch that failed together, so a recovering platform is not
    hit by the whole batch in the same second.
    """
    exponent = max(attempts - 1, 0)
    delay = min(cap, base * (2 ** min(exponent, 32)))
    return delay * (0.5 + 0.5 * (rng or random).random())


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or HTTP-date); None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max((when - now).total_seconds(), 0.0)


def after(now: datetime, seconds: float) -> datetime:
    """`now` plus `seconds` (small helper so callers read as prose)."""
    return now + timedelta(seconds=seconds)
