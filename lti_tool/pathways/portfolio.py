"""Self-education monitoring: each teacher's portfolio of completed route steps, evidence,
publications and talks (the tutor-centre recommendations, §3.1), and its XLSX export.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from openpyxl.styles import Font
from sqlalchemy.orm import Session, selectinload

from ..core.people import name_matches
from ..core.reference import AcademicYear, Organization, Person
from ..core.workbook import append_row, new_workbook, to_bytes
from ..resource_map.catalog import form_label
from .labels import SELF_KIND_LABELS
from .consultations import of_people
from .models import Consultation, Route, RouteStep, consultation_participant


@dataclass
class Entry:
    """One teacher's portfolio for a year."""

    person_id: int
    name: str
    organization: str
    route_id: int
    steps: int = 0
    done: int = 0
    publications: int = 0
    talks: int = 0
    items: list[RouteStep] = field(default_factory=list)  # done steps, by completion date
    consultations: list[Consultation] = field(default_factory=list)  # attended in the year, by date

    @property
    def consultation_minutes(self) -> int:
        return sum(c.minutes for c in self.consultations)


PER_PAGE = 50


@dataclass(frozen=True)
class Summary:
    """One teacher's line of the portfolio list (counts only)."""

    person_id: int
    name: str
    organization: str
    steps: int
    done: int
    publications: int
    talks: int
    consultations: int = 0
    consultation_minutes: int = 0


@dataclass(frozen=True)
class SummaryPage:
    """A page of the portfolio list and where it is in the whole list."""

    rows: list[Summary]
    total: int
    page: int
    pages: int


def summary_page(session: Session, network_id: int, year_id: int, person_ids: list[int] | None = None,
                 query: str = "", page: int = 1) -> SummaryPage:
    """The list of portfolios by name, `PER_PAGE` at a time, counted in the database (two queries
    whatever the number of teachers); `query` filters by part of the name."""
    where = [Route.network_id == network_id, Route.year_id == year_id, Route.status == "published"]
    if person_ids is not None:
        where.append(Route.person_id.in_(person_ids))
    if len(query.strip()) >= 2:
        where.append(name_matches(Person.full_name, query))
    total = session.scalar(sa.select(sa.func.count()).select_from(Route)
                           .join(Person, Person.id == Route.person_id).where(*where)) or 0
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(page, 1), pages)
    done = RouteStep.status == "done"
    counts = (sa.select(RouteStep.route_id, sa.func.count().label("steps"),
                        sa.func.sum(sa.case((done, 1), else_=0)).label("done"),
                        sa.func.sum(sa.case((sa.and_(done, RouteStep.self_kind == "publication"), 1), else_=0))
                        .label("publications"),
                        sa.func.sum(sa.case((sa.and_(done, RouteStep.self_kind == "talk"), 1), else_=0)).label("talks"))
              .where(RouteStep.status != "cancelled").group_by(RouteStep.route_id).subquery())
    year = session.get(AcademicYear, year_id)
    cp = consultation_participant
    held = (sa.select(cp.c.person_id, sa.func.count().label("n"), sa.func.sum(Consultation.minutes).label("minutes"))
            .join(Consultation, Consultation.id == cp.c.consultation_id)
            .where(Consultation.network_id == network_id, Consultation.held_on >= year.starts_on,
                   Consultation.held_on <= year.ends_on)
            .group_by(cp.c.person_id).subquery())
    rows = session.execute(
        sa.select(Person.id, Person.full_name, sa.func.coalesce(Organization.name, ""),
                  *(sa.func.coalesce(c, 0) for c in (counts.c.steps, counts.c.done, counts.c.publications,
                                                     counts.c.talks, held.c.n, held.c.minutes)))
        .select_from(Route).join(Person, Person.id == Route.person_id)
        .outerjoin(Organization, Organization.id == Person.organization_id)
        .outerjoin(counts, counts.c.route_id == Route.id)
        .outerjoin(held, held.c.person_id == Route.person_id)
        .where(*where).order_by(Person.full_name, Person.id).offset((page - 1) * PER_PAGE).limit(PER_PAGE))
    return SummaryPage([Summary(*row) for row in rows], total, page, pages)


def portfolios(session: Session, network_id: int, year_id: int, person_ids: list[int] | None = None) -> list[Entry]:
    """Portfolios of the teachers with a published route (or of the given teachers), with their steps."""
    query = (sa.select(Route).where(Route.network_id == network_id, Route.year_id == year_id,
                                    Route.status == "published")
             .options(selectinload(Route.steps).selectinload(RouteStep.topic),
                      selectinload(Route.person).selectinload(Person.organization)))
    if person_ids is not None:
        query = query.where(Route.person_id.in_(person_ids))
    entries = []
    for route in session.scalars(query):
        person = route.person
        entry = Entry(person.id, person.full_name, person.organization.name if person.organization else "",
                      route.id)
        for step in route.active_steps:
            entry.steps += 1
            if step.status != "done":
                continue
            entry.done += 1
            entry.publications += step.self_kind == "publication"
            entry.talks += step.self_kind == "talk"
            entry.items.append(step)
        entry.items.sort(key=lambda s: (s.completed_at.replace(tzinfo=None) if s.completed_at else datetime.min, s.id))
        entries.append(entry)
    year = session.get(AcademicYear, year_id)
    held = of_people(session, network_id, [e.person_id for e in entries], year.starts_on, year.ends_on)
    for entry in entries:
        entry.consultations = held.get(entry.person_id, [])
    return sorted(entries, key=lambda e: (e.name, e.person_id))


def kind_label(step: RouteStep) -> str:
    """What a step is, in words: the form of an event/offering or the kind of self-education."""
    if step.kind == "self_education":
        return str(SELF_KIND_LABELS.get(step.self_kind, step.self_kind or ""))
    return form_label(step.form) if step.form else ""


def to_xlsx(entries: list[Entry], year_title: str) -> bytes:
    """Two sheets: a summary per teacher and every completed step with its evidence and reflection."""
    wb = new_workbook()
    summary = wb.active
    summary.title = _("Summary")[:31]
    append_row(summary, [_("Self-education portfolios, %(year)s", year=year_title)])
    summary["A1"].font = Font(bold=True)
    append_row(summary, [_("Teacher"), _("Organization"), _("Steps planned"), _("Steps done"), _("Publications"),
                    _("Talks"), _("Consultations"), _("Consultation hours")])
    for e in entries:
        append_row(summary, [e.name, e.organization, e.steps, e.done, e.publications, e.talks, len(e.consultations),
                        round(e.consultation_minutes / 60, 1)])
    items = wb.create_sheet(_("Portfolio")[:31])
    append_row(items, [_("Teacher"), _("Organization"), _("Step"), _("Kind"), _("Topic"), _("Completed on"),
                  _("Evidence"), _("Reflection")])
    for e in entries:
        for s in e.items:
            append_row(items, [e.name, e.organization, s.title, kind_label(s), s.topic.name if s.topic else "",
                          s.completed_at.date() if s.completed_at else None, s.evidence or "", s.reflection or ""])
    for ws in (summary, items):
        for cell in ws[2 if ws is summary else 1]:
            cell.font = Font(bold=True)
        for column, width in zip("ABCDEFGH", (36, 30, 48, 22, 30, 14, 40, 60)):
            ws.column_dimensions[column].width = width
    return to_bytes(wb)
