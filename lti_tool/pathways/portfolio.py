"""Self-education monitoring: each teacher's portfolio of completed route steps, evidence,
publications and talks (the tutor-centre recommendations, §3.1), and its XLSX export.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO

import sqlalchemy as sa
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy.orm import Session, selectinload

from ..resource_map.catalog import form_label
from .labels import SELF_KIND_LABELS
from .models import Route, RouteStep


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


def portfolios(session: Session, network_id: int, year_id: int, person_ids: list[int] | None = None) -> list[Entry]:
    """Portfolios of the teachers with a published route (or of the given teachers)."""
    query = (sa.select(Route).where(Route.network_id == network_id, Route.year_id == year_id,
                                    Route.status == "published")
             .options(selectinload(Route.steps).selectinload(RouteStep.topic), selectinload(Route.person)))
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
    return sorted(entries, key=lambda e: (e.name, e.person_id))


def kind_label(step: RouteStep) -> str:
    """What a step is, in words: the form of an event/offering or the kind of self-education."""
    if step.kind == "self_education":
        return str(SELF_KIND_LABELS.get(step.self_kind, step.self_kind or ""))
    return form_label(step.form) if step.form else ""


def to_xlsx(entries: list[Entry], year_title: str) -> bytes:
    """Two sheets: a summary per teacher and every completed step with its evidence and reflection."""
    wb = Workbook()
    summary = wb.active
    summary.title = _("Summary")[:31]
    summary.append([_("Self-education portfolios, %(year)s", year=year_title)])
    summary["A1"].font = Font(bold=True)
    summary.append([_("Teacher"), _("Organization"), _("Steps planned"), _("Steps done"), _("Publications"),
                    _("Talks")])
    for e in entries:
        summary.append([e.name, e.organization, e.steps, e.done, e.publications, e.talks])
    items = wb.create_sheet(_("Portfolio")[:31])
    items.append([_("Teacher"), _("Organization"), _("Step"), _("Kind"), _("Topic"), _("Completed on"),
                  _("Evidence"), _("Reflection")])
    for e in entries:
        for s in e.items:
            items.append([e.name, e.organization, s.title, kind_label(s), s.topic.name if s.topic else "",
                          s.completed_at.date() if s.completed_at else None, s.evidence or "", s.reflection or ""])
    for ws in (summary, items):
        for cell in ws[2 if ws is summary else 1]:
            cell.font = Font(bold=True)
        for column, width in zip("ABCDEFGH", (36, 30, 48, 22, 30, 14, 40, 60)):
            ws.column_dimensions[column].width = width
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
