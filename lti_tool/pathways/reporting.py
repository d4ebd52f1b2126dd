"""Route figures for the methodist's dashboard (`lti_tool.reports.pathways_stats`)."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..core.reference import AcademicYear
from . import consultations as _consultations
from .models import Route, RouteStep


def summary(session: Session, network_id: int, start: date, end: date) -> dict:
    """Published routes of the years overlapping [start, end], their active steps and steps done, and
    the tutors' consultations held in [start, end] (count, minutes)."""
    years = sa.select(AcademicYear.id).where(AcademicYear.network_id == network_id,
                                             AcademicYear.starts_on <= end, AcademicYear.ends_on >= start)
    routes = sa.select(Route.id).where(Route.network_id == network_id, Route.status == "published",
                                       Route.year_id.in_(years))
    held, minutes = consultation_totals(network_id, start, end)
    published, consultations, consultation_minutes = session.execute(sa.select(
        sa.select(sa.func.count()).select_from(routes.subquery()).scalar_subquery(), held, minutes)).one()
    steps, done = session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(sa.case((RouteStep.status == "done", 1), else_=0)), 0))
        .where(RouteStep.route_id.in_(routes), RouteStep.status != "cancelled")).one()
    return {"published": published or 0, "steps": int(steps or 0), "steps_done": int(done or 0),
            "consultations": int(consultations or 0), "consultation_minutes": int(consultation_minutes or 0)}



def consultation_totals(network_id: int, start: date, end: date):
    """Scalar subqueries (count, minutes) of the consultations held in [start, end], for a caller's
    statement: the yearly report reads them with its other figures in one round trip."""
    return _consultations.totals_subqueries(network_id, start, end)
