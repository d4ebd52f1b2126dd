"""Parsing the pathways forms (plain POST forms with the CSRF token; see templates/pathways)."""
from __future__ import annotations

from datetime import date

from ..core.clock import day_in_range
from ..core.ids import parse_id
from .planning import RunSettings


def _int(value, default: int, low: int, high: int) -> int:
    try:
        return min(high, max(low, int(value)))
    except (TypeError, ValueError):
        return default


def _float(value, default: float, low: float, high: float) -> float:
    try:
        return min(high, max(low, float(str(value).replace(",", "."))))
    except (TypeError, ValueError):
        return default


def parse_date(value: str | None) -> date | None:
    """An ISO date from a date input, or None when empty, malformed or out of range."""
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if day_in_range(day) else None


def parse_settings(form, default_start: date | None = None) -> RunSettings:
    """Planner settings from the planner page (out-of-range values are clamped)."""
    start = parse_date(form.get("plan_start")) or default_start
    end = parse_date(form.get("plan_end"))
    return RunSettings(
        steps_per_teacher=_int(form.get("steps_per_teacher"), 3, 1, 10),
        min_need=_float(form.get("min_need"), 0.5, 0.0, 1.0),
        local_preference=_float(form.get("local_preference"), 0.1, 0.0, 1.0),
        topics_per_teacher=_int(form.get("topics_per_teacher"), 3, 1, 10),
        plan_start=start.isoformat() if start else None,
        plan_end=end.isoformat() if end else None,
    )


def id_list(values) -> list[int]:
    """Row ids from a multi-valued field (others, and ids out of range, ignored)."""
    return [i for i in map(parse_id, values) if i is not None]
