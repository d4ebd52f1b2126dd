"""`flask demo load` on any date shows a live school year: held, running and upcoming events, open
surveys and routes in progress — all inside the school year holding that date."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from lti_tool.core.reference import AcademicYear
from lti_tool.core.school_years import current_year, demo_calendar
from lti_tool.demo_data import load_all
from lti_tool.events.models import Event, EventMeeting
from lti_tool.pathways.models import Route, RouteStep
from lti_tool.surveys.models import Survey


def test_the_demo_calendar_keeps_days_inside_the_year():
    first = demo_calendar(date(2026, 9, 1))
    assert (first.title, first.past(0.5), first.future(0)) == ("2026/2027", date(2026, 9, 1), date(2026, 9, 2))
    last = demo_calendar(date(2027, 8, 31))
    assert (last.title, last.future(1), last.past(1)) == ("2026/2027", date(2027, 8, 31), date(2027, 8, 30))
    leap = demo_calendar(date(2028, 2, 29))
    assert leap.starts_on <= leap.past(0) < leap.today < leap.future(0) <= leap.ends_on == date(2028, 8, 31)


@pytest.mark.parametrize("today", [date(2026, 12, 5), date(2027, 8, 20), date(2028, 2, 29)])
def test_the_demo_is_a_live_year_on_any_date(db_session, backend, today):
    if backend == "postgresql":
        pytest.skip("the whole demo chain is slow; SQLite shows the dates are right")
    network = load_all(db_session, echo=lambda *_: None, today=today)
    year = current_year(db_session, network.id)
    assert year.starts_on <= today <= year.ends_on and year.title == demo_calendar(today).title
    assert db_session.scalar(sa.select(sa.func.count()).select_from(AcademicYear)
                             .where(AcademicYear.network_id == network.id)) == 1

    events = list(db_session.scalars(sa.select(Event).where(Event.network_id == network.id)))
    first = {e.id: min(m.on_date for m in e.sessions) for e in events}
    last = {e.id: max(m.on_date for m in e.sessions) for e in events}
    held = [e for e in events if e.status == "held"]
    running = [e for e in events if e.status == "published" and first[e.id] <= today <= last[e.id]]
    upcoming = [e for e in events if e.status == "published" and first[e.id] > today]
    assert held and running and len(upcoming) >= 5, (len(held), len(running), len(upcoming))
    assert all(last[e.id] < today for e in held)
    days = db_session.scalars(sa.select(EventMeeting.on_date).join(Event).where(Event.network_id == network.id))
    assert all(year.starts_on <= d <= year.ends_on for d in days)
    assert any(p.status == "registered" for e in upcoming for p in e.participants)  # sign-ups under way

    open_surveys = db_session.scalars(sa.select(Survey).where(Survey.network_id == network.id,
                                                              Survey.year_id == year.id, Survey.status == "open")).all()
    assert len(open_surveys) >= 2
    routes = db_session.scalars(sa.select(Route).where(Route.network_id == network.id,
                                                       Route.status == "published")).all()
    in_progress = [r for r in routes if any(s.status == "done" for s in r.steps)
                   and any(s.status in ("planned", "in_progress") for s in r.steps)]
    assert len(in_progress) >= 5
    completed = db_session.scalars(sa.select(RouteStep.completed_at).join(Route).where(
        Route.network_id == network.id, RouteStep.status == "done")).all()
    assert completed and all(c.date() <= today for c in completed)  # nothing is completed after today
