"""Backoff and Retry-After arithmetic."""
import random
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

from sync.backoff import backoff_seconds, parse_retry_after

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


def test_backoff_doubles_with_jitter_between_half_and_full():
    rng = random.Random(1)
    for attempts, full in ((1, 5), (2, 10), (3, 20), (5, 80)):
        delays = [backoff_seconds(attempts, 5, 3600, rng) for _ in range(200)]
        assert min(delays) >= full / 2 and max(delays) <= full
        assert max(delays) - min(delays) > full / 10  # jittered, not constant


def test_backoff_is_capped_even_after_many_attempts():
    assert backoff_seconds(500, 5, 3600, random.Random(2)) <= 3600
    assert backoff_seconds(500, 5, 3600, random.Random(2)) >= 1800


def test_retry_after_seconds_and_http_date():
    assert parse_retry_after("30", NOW) == 30
    assert parse_retry_after(format_datetime(NOW + timedelta(seconds=90), usegmt=True), NOW) == 90
    assert parse_retry_after(format_datetime(NOW - timedelta(seconds=90), usegmt=True), NOW) == 0


def test_retry_after_missing_or_invalid():
    assert parse_retry_after(None, NOW) is None
    assert parse_retry_after("soon", NOW) is None
