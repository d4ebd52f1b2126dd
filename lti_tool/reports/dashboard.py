"""The methodist's dashboard: this academic year's numbers at a glance, with charts and links.

The figures are the yearly report's (same definitions) for the current academic year, plus what a
methodist watches during the year: events still planned, survey response rates, routes, and grades
waiting to reach the LMS gradebook.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..core.grades import ScoreOutbox
from ..core.school_years import NewYearPrompt, new_year_prompt
from ..events.models import Event, EventMeeting
from ..surveys.models import Survey
from . import breakdowns, pathways_stats, queries
from .breakdowns import Row
from .period import Period
from .yearly import Figures, headline

SURVEYS_SHOWN = 8


@dataclass
class SurveyRate:
    id: int
    title: str
    status: str
    responses: int
    roster: int

    @property
    def rate(self) -> float | None:
        return self.responses / self.roster if self.roster else None


@dataclass
class Dashboard:
    period: Period
    today: date
    figures: Figures
    held: int
    planned: int  # first session after today, or published without a date yet
    by_month: list[Row]
    by_form: list[Row]
    by_topic: list[Row]
    surveys: list[SurveyRate] = field(default_factory=list)
    routes: dict = field(default_factory=dict)  # published routes, steps, steps done, progress
    grades: dict[str, int] = field(default_factory=dict)  # ScoreOutbox status -> count
    new_year: NewYearPrompt | None = None  # when it is time to open the next school year


def build(session: Session, network_id: int, period: Period, today: date | None = None) -> Dashboard:
    """Every figure of the dashboard for the network and period (the current academic year)."""
    today = today or date.today()
    counted = queries.counted_events(network_id, period)
    pairs = queries.attendance_pairs(counted)
    held, later = session.execute(sa.select(
        sa.func.coalesce(sa.func.sum(sa.case((counted.c.first_date <= today, 1), else_=0)), 0),
        sa.func.coalesce(sa.func.sum(sa.case((counted.c.first_date > today, 1), else_=0)), 0),
    ).select_from(counted)).one()
    return Dashboard(
        period=period, today=today,
        figures=headline(session, network_id, period, counted, pairs),
        held=int(held), planned=int(later) + undated_events(session, network_id, period),
        by_month=breakdowns.by_month(session, counted, pairs, period),
        by_form=breakdowns.by_form(session, counted, pairs),
        by_topic=breakdowns.by_topic(session, counted, pairs)[:10],
        surveys=survey_rates(session, network_id, period),
        routes=pathways_stats.summary(session, network_id, period),
        grades=grade_queue(session, network_id),
        new_year=new_year_prompt(session, network_id, today),
    )


def undated_events(session: Session, network_id: int, period: Period) -> int:
    """Published events of the period's academic year that have no session yet (planned, no date)."""
    from ..core.reference import AcademicYear

    return session.scalar(
        sa.select(sa.func.count(Event.id)).join(AcademicYear, AcademicYear.id == Event.year_id)
        .where(Event.network_id == network_id, Event.status == "published",
               AcademicYear.starts_on <= period.end, AcademicYear.ends_on >= period.start,
               ~sa.exists().where(EventMeeting.event_id == Event.id))) or 0


def survey_rates(session: Session, network_id: int, period: Period) -> list[SurveyRate]:
    """Open and closed surveys of the period's year (or opened in it): the audience that answered
    against the audience asked (as the survey's own report counts it)."""
    from ..core.reference import AcademicYear
    from ..surveys.audience import rates

    in_year = sa.select(AcademicYear.id).where(AcademicYear.network_id == network_id,
                                               AcademicYear.starts_on <= period.end,
                                               AcademicYear.ends_on >= period.start)
    surveys = list(session.scalars(
        sa.select(Survey).where(Survey.network_id == network_id, Survey.status != "draft",
                                sa.or_(Survey.year_id.in_(in_year),
                                       sa.and_(Survey.year_id.is_(None), Survey.created_at >= period.start)))
        .order_by(Survey.created_at.desc(), Survey.id.desc()).limit(SURVEYS_SHOWN)))
    # One load of the network's people for all the surveys shown (audience.rates).
    by_survey = rates(session, network_id, surveys)
    return [SurveyRate(s.id, s.title, s.status, by_survey[s.id].answered, by_survey[s.id].asked) for s in surveys]


def grade_queue(session: Session, network_id: int) -> dict[str, int]:
    """Grades by delivery status: pending (waiting or retrying) and failed (gave up) matter."""
    rows = session.execute(sa.select(ScoreOutbox.status, sa.func.count()).where(ScoreOutbox.network_id == network_id)
                           .group_by(ScoreOutbox.status)).all()
    result = {"pending": 0, "failed": 0, "delivered": 0}
    result.update({status: n for status, n in rows})
    return result
