"""The school year (учебный год, 1 September – 31 August): the network's current one, the next one's
dates, and when it is time to open the next.

Every page defaults to the network's current academic year (`current_year`). A methodist opens
the next year from its plan (lti_tool.school_year); the dashboard prompts her when the current
year is over or in its last month, August (`new_year_prompt`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .reference import AcademicYear


def current_year(session: Session, network_id: int) -> AcademicYear | None:
    """The year marked current, else the latest one (None when the network has no year yet)."""
    return session.scalar(sa.select(AcademicYear).where(AcademicYear.network_id == network_id)
                          .order_by(AcademicYear.is_current.desc(), AcademicYear.starts_on.desc()).limit(1))


def school_year_of(day: date) -> tuple[str, date, date]:
    """(title, first day, last day) of the school year holding `day`: 1 September – 31 August."""
    first = day.year if day.month >= 9 else day.year - 1
    return f"{first}/{first + 1}", date(first, 9, 1), date(first + 1, 8, 31)


def next_year_dates(year: AcademicYear) -> tuple[str, date, date]:
    """(title, first day, last day) of the year after `year`: the same days one year later."""
    starts, ends = _shift(year.starts_on), _shift(year.ends_on)
    first, _, last = year.title.partition("/")
    if first.isdigit() and last.isdigit():
        title = f"{int(first) + 1}/{int(last) + 1}"
    else:
        title = f"{starts.year}/{ends.year}" if ends.year != starts.year else str(starts.year)
    return title, starts, ends


def _shift(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


@dataclass(frozen=True)
class NewYearPrompt:
    """Why the dashboard asks to open the next school year, and what it would be."""

    current: AcademicYear | None
    title: str
    starts_on: date
    ends_on: date
    exists: bool  # the next year is created already but not current
    overdue: bool  # today is past the current year's end


def new_year_prompt(session: Session, network_id: int, today: date) -> NewYearPrompt | None:
    """A prompt when today is past the current year's end or in August, until the next year is current.

    Without any year, the prompt is to open the school year holding today.
    """
    current = current_year(session, network_id)
    if current is None:
        title, starts, ends = school_year_of(today)
        return NewYearPrompt(None, title, starts, ends, False, False)
    overdue = today > current.ends_on
    if not overdue and not (today.month == 8 and today >= current.starts_on):
        return None
    title, starts, ends = next_year_dates(current)
    exists = session.scalar(sa.select(AcademicYear.id).where(AcademicYear.network_id == network_id,
                                                             AcademicYear.title == title)) is not None
    return NewYearPrompt(current, title, starts, ends, exists, overdue)


@dataclass(frozen=True)
class DemoCalendar:
    """Dates of demo data relative to `today`: the school year holding today, days before and after it.

    `flask demo load` on any date gives a live year: held events and answered surveys before today,
    running and upcoming events after it, all inside the current school year."""

    today: date
    title: str
    starts_on: date
    ends_on: date

    def past(self, fraction: float) -> date:
        """A day of the year before today, `fraction` (0..1) of the way from the start to yesterday
        (the first day of the year when today is that day)."""
        days = (self.today - self.starts_on).days - 1
        return self.starts_on + timedelta(days=max(0, round(days * min(max(fraction, 0.0), 1.0))))

    def future(self, fraction: float) -> date:
        """A day of the year after today, `fraction` (0..1) of the way from tomorrow to the year's
        last day (the last day when today is that day)."""
        days = (self.ends_on - self.today).days - 1
        if days < 0:
            return self.ends_on
        return self.today + timedelta(days=1 + round(days * min(max(fraction, 0.0), 1.0)))

    def share_past(self) -> float:
        """How much of the year is behind today (0 on the first day, 1 on the last)."""
        return (self.today - self.starts_on).days / max(1, (self.ends_on - self.starts_on).days)


def demo_calendar(today: date | None = None) -> DemoCalendar:
    """The demo calendar of `today` (default: the machine's date)."""
    today = today or date.today()
    title, starts, ends = school_year_of(today)
    return DemoCalendar(today, title, starts, ends)
