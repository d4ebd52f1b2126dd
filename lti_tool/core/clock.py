"""The one clock of TutorNet: timezone-aware UTC, and naive values read back as UTC."""
from __future__ import annotations

from datetime import date, datetime, timezone

# The days the tool accepts from forms and query strings: a date past these is a typo or a probe,
# and arithmetic near year 9999 overflows (`date.max + 1 day` raised, a 500).
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def utcnow() -> datetime:
    """Timezone-aware now, the only clock the models use."""
    return datetime.now(timezone.utc)


def day_in_range(day: date | None) -> bool:
    """True when `day` (a date or datetime) lies within EARLIEST_DAY … LATEST_DAY."""
    if day is None:
        return False
    value = day.date() if isinstance(day, datetime) else day
    return EARLIEST_DAY <= value <= LATEST_DAY


def as_utc(value: datetime) -> datetime:
    """`value` with its time zone; a naive value is UTC (SQLite hands datetimes back without one)."""
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
