"""XLSX export of a year's map ("МРКМП на 2025/2026 учебный год"), importable back unchanged."""
from __future__ import annotations

import sqlalchemy as sa
from openpyxl.styles import Font
from sqlalchemy.orm import Session, joinedload, selectinload

from ..core.reference import AcademicYear, Organization, Person
from ..core.numbers import natural_sorted
from ..core.workbook import append_row, new_workbook, to_bytes
from .catalog import FORM_NAMES_RU, FORMS
from .formats import (
    DELIVERY_NAMES_RU,
    KIND_NAMES_RU,
    LIST_SEPARATOR,
    MATRIX_SHEET,
    NO,
    PROVIDER_NAMES_RU,
    SHEETS,
    STATUS_NAMES_RU,
    YES,
    year_title,
)
from .map_entries import provider_kind_of
from .models import Cluster, InternshipSite, Offering
from .queries import topic_matrix


def person_ref(person: Person, contacts: bool = True) -> str:
    """How a file refers to a person: the email when known (and shown), else the full name."""
    return (person.email if contacts else None) or person.full_name


def year_rows(session: Session, network_id: int, year: AcademicYear, *,
              contacts: bool = True) -> dict[str, list[tuple]]:
    """The map of a year as rows per sheet (the same layout the import reads).

    Without `contacts` (anyone but methodists and administrators) the people's emails, positions
    and experience stay empty, as on the pages, and files refer to people by name.
    """
    orgs = natural_sorted(session.scalars(sa.select(Organization).where(
        Organization.network_id == network_id, Organization.retired_at.is_(None))), lambda o: o.name)
    clusters = list(session.scalars(sa.select(Cluster).options(
        selectinload(Cluster.organizations), selectinload(Cluster.people), joinedload(Cluster.topic),
        joinedload(Cluster.coordinator)).where(Cluster.network_id == network_id, Cluster.retired_at.is_(None))
        .order_by(Cluster.name)))
    sites = list(session.scalars(sa.select(InternshipSite).options(
        joinedload(InternshipSite.organization), joinedload(InternshipSite.topic)).where(
        InternshipSite.network_id == network_id, InternshipSite.year_id == year.id,
        InternshipSite.retired_at.is_(None)).order_by(InternshipSite.id)))
    offerings = list(session.scalars(sa.select(Offering).options(
        joinedload(Offering.topic), joinedload(Offering.person), joinedload(Offering.organization),
        joinedload(Offering.cluster), joinedload(Offering.internship_site).joinedload(InternshipSite.organization))
        .where(Offering.network_id == network_id, Offering.year_id == year.id, Offering.retired_at.is_(None))
        .order_by(Offering.id)))
    referenced = {o.person_id for o in offerings if o.person_id}
    referenced |= {p.id for c in clusters for p in c.people} | {c.coordinator_id for c in clusters if c.coordinator_id}
    people = list(session.scalars(sa.select(Person).options(joinedload(Person.organization)).where(
        Person.network_id == network_id, Person.retired_at.is_(None),
        sa.or_(Person.is_tutor.is_(True), Person.id.in_(referenced or {0}))).order_by(Person.full_name)))
    return {
        "organizations": [(o.name, KIND_NAMES_RU.get(o.kind, o.kind), o.number, o.municipality, o.address,
                           o.latitude, o.longitude) for o in orgs],
        "people": [(p.full_name, p.email if contacts else None, p.organization.name if p.organization else None,
                    p.position if contacts else None, YES if p.is_tutor else NO,
                    p.experience_years if contacts else None) for p in people],
        "clusters": [(c.name, c.topic.name if c.topic else None,
                      person_ref(c.coordinator, contacts) if c.coordinator else None,
                      f"{LIST_SEPARATOR} ".join(natural_sorted(o.name for o in c.organizations)),
                      f"{LIST_SEPARATOR} ".join(sorted(person_ref(p, contacts) for p in c.people)), c.description)
                     for c in clusters],
        "sites": [(s.organization.name, s.topic.name, STATUS_NAMES_RU.get(s.status, s.status)) for s in sites],
        "offerings": [_offering_row(o, contacts) for o in offerings],
    }


def _offering_row(o: Offering, contacts: bool) -> tuple:
    kind = provider_kind_of(o)
    name, email = {
        "person": lambda: (o.person.full_name, o.person.email if contacts else None),
        "organization": lambda: (o.organization.name, None),
        "cluster": lambda: (o.cluster.name, None),
        "internship_site": lambda: (o.internship_site.organization.name, None),
    }[kind]()
    return (o.topic.name, FORM_NAMES_RU.get(o.form, o.form), PROVIDER_NAMES_RU[kind], name, email, o.title,
            o.description, o.capacity, o.schedule, o.starts_on, o.ends_on, DELIVERY_NAMES_RU.get(o.delivery))


def export_year(session: Session, network_id: int, year: AcademicYear, *, contacts: bool = True) -> bytes:
    """The whole map of `year` as an XLSX workbook (people's contacts only with `contacts`)."""
    title = year_title(year.title)
    wb = new_workbook()
    wb.remove(wb.active)
    wb.properties.title = title
    bold = Font(bold=True)
    for key, rows in year_rows(session, network_id, year, contacts=contacts).items():
        sheet_name, headers = SHEETS[key]
        _write_sheet(wb.create_sheet(sheet_name), f"{title}. {sheet_name}", headers, rows, bold)
    matrix = topic_matrix(session, network_id, year.id)
    headers = ("Тема", *FORM_NAMES_RU.values(), *(f"{n}: поставщиков" for n in PROVIDER_NAMES_RU.values()),
               "Всего предложений")
    rows = [(r.topic.name, *(r.by_form.get(f, 0) for f in FORMS), *(r.by_kind.get(k, 0) for k in PROVIDER_NAMES_RU),
             r.total) for r in matrix]
    _write_sheet(wb.create_sheet(MATRIX_SHEET), f"{title}. Тематические направления и поставщики", headers,
                 rows, bold)
    return to_bytes(wb)


def _write_sheet(ws, title: str, headers, rows, bold) -> None:
    append_row(ws, [title])
    ws["A1"].font = Font(bold=True, size=13)
    append_row(ws, list(headers))
    for cell in ws[2]:
        cell.font = bold
    for row in rows:
        append_row(ws, list(row))
    ws.freeze_panes = "A3"
    for index, header in enumerate(headers, start=1):
        letter = ws.cell(row=2, column=index).column_letter
        ws.column_dimensions[letter].width = min(60, max(12, len(str(header)) + 4))
    for row in ws.iter_rows(min_row=3, min_col=10, max_col=11):
        for cell in row:
            if cell.value is not None and hasattr(cell.value, "year"):
                cell.number_format = "DD.MM.YYYY"
