"""Route figures for the methodist's dashboard (`lti_tool.reports.pathways_stats`)."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..core.reference import AcademicYear
from .models import Route, RouteStep


def summary(session: Session, network_id: int, start: date, end: date) -> dict:
    """Published routes of the years overlapping [start, end], their active steps and steps done."""
    years = sa.select(AcademicYear.id).where(AcademicYear.network_id == network_id,
                                             AcademicYear.starts_on <= end, AcademicYear.ends_on >= start)
    routes = sa.select(Route.id).where(Route.network_id == network_id, Route.status == "published",
                                       Route.year_id.in_(years))
    published = session.scalar(sa.select(sa.func.count()).select_from(routes.subquery())) or 0
    steps, done = session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(sa.case((RouteStep.status == "done", 1), else_=0)), 0))
        .where(RouteStep.route_id.in_(routes), RouteStep.status != "cancelled")).one()
    return {"published": published, "steps": int(steps or 0), "steps_done": int(done or 0)}
