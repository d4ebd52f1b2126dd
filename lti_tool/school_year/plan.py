"""The year plan: the network's events of one academic year by month (of the first meeting) and form,
in four states — drafts, planned, held, cancelled.

A published event is "held" once its first meeting is today or earlier (the dashboard's rule,
docs/reports.md) and "planned" before that or while it has no meeting yet; an event the methodist
marked held is held. Two queries whatever the number of events.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..core.reference import AcademicYear, Topic
from ..events.models import Event, EventMeeting, Participant
from ..resource_map.catalog import FORMS

STATES = ("draft", "planned", "held", "cancelled")


@dataclass(frozen=True)
class PlanEvent:
    """One event in the plan."""

    id: int
    title: str
    form: str
    topic: str | None
    state: str  # one of STATES
    first_date: date | None
    last_date: date | None
    meetings: int
    signed_up: int


@dataclass
class Month:
    """A month of the year: the count per form and state, and its events by date."""

    first_day: date
    cells: dict[str, Counter] = field(default_factory=dict)  # form -> Counter(state)
    events: list[PlanEvent] = field(default_factory=list)

    @property
    def totals(self) -> Counter:
        return sum(self.cells.values(), Counter())


@dataclass
class YearPlan:
    """The plan of one year; `undated` holds events without a meeting yet."""

    year: AcademicYear
    today: date
    months: list[Month]
    undated: Month
    forms: list[str]  # forms with at least one event, in the catalogue's order
    totals: Counter  # state -> events

    @property
    def archived(self) -> bool:
        """A past year: shown read-only."""
        return self.year.ends_on < self.today

    def by_form(self, form: str) -> Counter:
        """Events of a form over the whole year, by state."""
        return sum((m.cells.get(form, Counter()) for m in self.months + [self.undated]), Counter())


def state_of(status: str, first_date: date | None, today: date) -> str:
    """The plan's state of an event (see the module's docstring)."""
    if status in ("draft", "cancelled", "held"):
        return status
    return "held" if first_date is not None and first_date <= today else "planned"


def year_plan(session: Session, network_id: int, year: AcademicYear, today: date, state: str | None = None) -> YearPlan:
    """The plan of `year` (an academic year of the network); `state` narrows the lists, not the counts."""
    meetings = (sa.select(EventMeeting.event_id, sa.func.min(EventMeeting.on_date).label("first"),
                          sa.func.max(EventMeeting.on_date).label("last"), sa.func.count().label("n"))
                .group_by(EventMeeting.event_id).subquery())
    signed = (sa.select(Participant.event_id, sa.func.count().label("n")).where(Participant.status == "registered")
              .group_by(Participant.event_id).subquery())
    rows = session.execute(
        sa.select(Event.id, Event.title, Event.form, Topic.name, Event.status, meetings.c.first, meetings.c.last,
                  sa.func.coalesce(meetings.c.n, 0), sa.func.coalesce(signed.c.n, 0))
        .outerjoin(meetings, meetings.c.event_id == Event.id).outerjoin(signed, signed.c.event_id == Event.id)
        .outerjoin(Topic, Topic.id == Event.topic_id)
        .where(Event.network_id == network_id, Event.year_id == year.id)
        .order_by(meetings.c.first, Event.title, Event.id)).all()
    months = {first: Month(first) for first in _months(year)}
    undated = Month(year.starts_on.replace(day=1))
    totals: Counter = Counter()
    forms = set()
    for event_id, title, form, topic, status, first, last, n, signed_up in rows:
        item = PlanEvent(event_id, title, form, topic, state_of(status, first, today), first, last, n, signed_up)
        month = months.get(first.replace(day=1)) if first else undated
        if month is None:  # a meeting outside the year's months: shown under its nearest end
            month = months[min(months)] if first < year.starts_on else months[max(months)]
        month.cells.setdefault(form, Counter())[item.state] += 1
        totals[item.state] += 1
        forms.add(form)
        if state is None or item.state == state:
            month.events.append(item)
    order = list(FORMS)
    return YearPlan(year, today, list(months.values()), undated,
                    sorted(forms, key=lambda f: order.index(f) if f in order else len(order)), totals)


def _months(year: AcademicYear) -> list[date]:
    """The first day of every month from the year's start to its end."""
    first, months = year.starts_on.replace(day=1), []
    while first <= year.ends_on:
        months.append(first)
        first = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return months
