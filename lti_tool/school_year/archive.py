"""The archive: the network's past school years with what each left behind (events, surveys, the
map, routes), linking to their read-only plan and reports. Five queries whatever the number of years."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..core.reference import AcademicYear
from ..events.models import Event
from ..pathways.models import Route
from ..resource_map.models import Offering
from ..surveys.models import Survey

COUNTED = ("published", "held")  # the reports' counted events (docs/reports.md)


@dataclass(frozen=True)
class PastYear:
    """A finished (or superseded) year and what it holds."""

    year: AcademicYear
    events: int  # published or held
    surveys: int  # opened at least once
    offerings: int
    routes: int  # published


def past_years(session: Session, network_id: int, today: date) -> list[PastYear]:
    """Years that ended before today, or that started before the current one, latest first."""
    years = list(session.scalars(sa.select(AcademicYear).where(AcademicYear.network_id == network_id)
                                 .order_by(AcademicYear.starts_on.desc())))
    current = next((y for y in years if y.is_current), None)
    past = [y for y in years if not y.is_current and (y.ends_on < today or (current and y.starts_on < current.starts_on))]
    if not past:
        return []
    ids = [y.id for y in past]
    events = _count(session, Event.year_id, Event.network_id == network_id, Event.status.in_(COUNTED), ids)
    surveys = _count(session, Survey.year_id, Survey.network_id == network_id, Survey.status != "draft", ids)
    offerings = _count(session, Offering.year_id, Offering.network_id == network_id, Offering.retired_at.is_(None), ids)
    routes = _count(session, Route.year_id, Route.network_id == network_id, Route.status == "published", ids)
    return [PastYear(y, events.get(y.id, 0), surveys.get(y.id, 0), offerings.get(y.id, 0), routes.get(y.id, 0))
            for y in past]


def _count(session: Session, year_column, network_clause, state_clause, year_ids: list[int]) -> dict[int, int]:
    return dict(session.execute(sa.select(year_column, sa.func.count()).where(
        network_clause, state_clause, year_column.in_(year_ids)).group_by(year_column)).all())
