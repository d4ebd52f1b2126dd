"""The one clock of TutorNet: timezone-aware UTC, and naive values read back as UTC."""
from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    """Timezone-aware now, the only clock the models use."""
    return datetime.now(timezone.utc)


def as_utc(value: datetime) -> datetime:
    """`value` with its time zone; a naive value is UTC (SQLite hands datetimes back without one)."""
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
