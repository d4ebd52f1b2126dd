"""The period a report covers: [start, end], both days inclusive, parsed from the query string.

An event belongs to the period when its first session's date is in [start, end] (docs/reports.md).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ..core.clock import EARLIEST_DAY, LATEST_DAY, day_in_range

MAX_DAYS = 366 * 10  # a decade is plenty for a report; guards against typos like 0025-09-01


class PeriodError(ValueError):
    """A period that cannot be used; the message is translated and shown on the page."""


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both inclusive; `title` names an academic year when it is one."""

    start: date
    end: date
    title: str | None = None

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def year_period(session: Session, network_id: int, today: date | None = None) -> Period:
    """The network's current academic year (resource map), else 1 September–31 August around today."""
    from ..resource_map.services import current_year

    year = current_year(session, network_id)
    if year is not None:
        return Period(year.starts_on, year.ends_on, year.title)
    today = today or date.today()
    first = today.year if today.month >= 9 else today.year - 1
    return Period(date(first, 9, 1), date(first + 1, 8, 31), f"{first}/{first + 1}")


def parse_period(start: str | None, end: str | None, default: Period) -> Period:
    """Period from `YYYY-MM-DD` strings; a missing bound takes the default's; PeriodError if invalid."""
    if not start and not end:
        return default
    first = _parse_day(start, "start") if start else default.start
    last = _parse_day(end, "end") if end else default.end
    if last < first:
        raise PeriodError(_("The end of the period (%(end)s) is before its start (%(start)s).",
                            end=last.strftime("%d.%m.%Y"), start=first.strftime("%d.%m.%Y")))
    if (last - first).days > MAX_DAYS:
        raise PeriodError(_("The period is too long: choose at most ten years."))
    return Period(first, last)


def _parse_day(value: str, which: str) -> date:
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        if which == "start":
            message = _("The start date “%(value)s” is not a date: use the form YYYY-MM-DD.", value=value[:20])
        else:
            message = _("The end date “%(value)s” is not a date: use the form YYYY-MM-DD.", value=value[:20])
        raise PeriodError(message) from None
    if not day_in_range(day):
        raise PeriodError(_("Choose dates between %(first)d and %(last)d.", first=EARLIEST_DAY.year,
                            last=LATEST_DAY.year))
    return day
