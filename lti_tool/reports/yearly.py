"""The report on the association's work (отчёт о работе АМСТ) for any period [start, end].

The seed report's figures — "25 events attended by 797 teachers; 57 tutors, 78 tutees from 39
kindergartens; 3 clusters" — computed from events, attendance and the resource map, broken down by
topic, form, month, organization and cluster, with the list of events and the best practices.
Definitions (what counts as an attendance, a tutor …) are in docs/reports.md.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..core.reference import AcademicYear, Organization, Person
from ..events.models import Event
from ..pathways import reporting as pathways_reporting
from ..resource_map.models import Cluster, InternshipSite
from . import breakdowns, queries
from .breakdowns import EventLine, Row
from .period import Period


@dataclass
class Figures:
    """The headline numbers of a period."""

    events: int = 0
    attendances: int = 0  # (person, event) pairs with at least one presence
    visits: int = 0  # (person, session) presence marks
    participants: int = 0  # distinct persons present at least once
    tutors: int = 0
    tutees: int = 0
    organizations: int = 0
    kindergartens: int = 0
    clusters: int = 0
    internship_sites: int = 0
    best_practices: int = 0
    consultations: int = 0  # tutors' consultations held in the period (pathways.consultations)
    consultation_minutes: int = 0

    @property
    def consultation_hours(self) -> float:
        return round(self.consultation_minutes / 60, 1)


@dataclass
class BestTutor:
    person_id: int
    name: str
    events: list[str] = field(default_factory=list)


@dataclass
class YearlyReport:
    period: Period
    figures: Figures
    by_topic: list[Row]
    by_form: list[Row]
    by_month: list[Row]
    by_organization: list[Row]
    by_cluster: list[Row]
    events: list[EventLine]

    @property
    def best_events(self) -> list[EventLine]:
        return [e for e in self.events if e.best_practice]

    @property
    def best_tutors(self) -> list[BestTutor]:
        """Leaders of the events flagged as best practice, each with the flagged events they led."""
        tutors: dict[int, BestTutor] = {}
        for line in self.best_events:
            for person_id, name in line.leaders:
                tutors.setdefault(person_id, BestTutor(person_id, name)).events.append(line.title)
        return sorted(tutors.values(), key=lambda t: t.name)


def build(session: Session, network_id: int, period: Period) -> YearlyReport:
    """The whole report of the network for the period (about a dozen grouped queries)."""
    counted = queries.counted_events(network_id, period)
    pairs = queries.attendance_pairs(counted)
    figures = headline(session, network_id, period, counted, pairs)
    return YearlyReport(
        period=period,
        figures=figures,
        by_topic=breakdowns.by_topic(session, counted, pairs),
        by_form=breakdowns.by_form(session, counted, pairs),
        by_month=breakdowns.by_month(session, counted, pairs, period),
        by_organization=breakdowns.by_organization(session, counted, pairs),
        by_cluster=breakdowns.by_cluster(session, network_id, period, counted, pairs),
        events=breakdowns.event_lines(session, counted, pairs),
    )


def headline(session: Session, network_id: int, period: Period, counted, pairs) -> Figures:
    """The summary figures in three queries: events and attendance, people, organizations."""
    events, best, attendances, participants, visits = session.execute(sa.select(
        sa.select(sa.func.count()).select_from(counted).scalar_subquery(),
        sa.select(sa.func.count()).select_from(counted).join(Event, Event.id == counted.c.event_id)
        .where(Event.best_practice.is_(True)).scalar_subquery(),
        sa.select(sa.func.count()).select_from(pairs).scalar_subquery(),
        sa.select(sa.func.count(sa.distinct(pairs.c.person_id))).scalar_subquery(),
        queries.session_visits(counted),
    )).one()
    involved = queries.involved_people(counted, pairs)
    is_tutor = sa.or_(Person.is_tutor.is_(True), involved.c.led == 1)
    tutors, tutees = session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(sa.case((is_tutor, 1), else_=0)), 0),
                  sa.func.coalesce(sa.func.sum(sa.case((is_tutor, 0), else_=1)), 0))
        .select_from(involved).join(Person, Person.id == involved.c.person_id)).one()
    organizations, kindergartens = _organizations(session, counted, involved)
    held, minutes = pathways_reporting.consultation_totals(network_id, period.start, period.end)
    clusters, sites, consultations, consultation_minutes = session.execute(sa.select(
        sa.select(sa.func.count(Cluster.id)).where(Cluster.network_id == network_id,
                                                   queries.alive(Cluster.retired_at, period)).scalar_subquery(),
        sa.select(sa.func.count(InternshipSite.id))
        .join(AcademicYear, AcademicYear.id == InternshipSite.year_id)
        .where(InternshipSite.network_id == network_id, InternshipSite.status == "active",
               queries.alive(InternshipSite.retired_at, period),
               AcademicYear.starts_on <= period.end, AcademicYear.ends_on >= period.start).scalar_subquery(),
        held, minutes,
    )).one()
    return Figures(events=events, attendances=attendances, visits=visits, participants=participants,
                   tutors=int(tutors), tutees=int(tutees), organizations=organizations,
                   kindergartens=kindergartens, clusters=clusters, internship_sites=sites, best_practices=best,
                   consultations=int(consultations), consultation_minutes=int(consultation_minutes or 0))


def _organizations(session: Session, counted, involved) -> tuple[int, int]:
    """Distinct organizations of involved people and of hosts, and how many are kindergartens."""
    of_people = (sa.select(Person.organization_id.label("org_id"))
                 .join(involved, involved.c.person_id == Person.id).where(Person.organization_id.is_not(None)))
    of_hosts = (sa.select(Event.host_organization_id.label("org_id"))
                .where(Event.id.in_(sa.select(counted.c.event_id)), Event.host_organization_id.is_not(None)))
    orgs = sa.union(of_people, of_hosts).subquery()
    total, kindergartens = session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(
            sa.case((Organization.kind == "kindergarten", 1), else_=0)), 0))
        .select_from(orgs).join(Organization, Organization.id == orgs.c.org_id)).one()
    return total, int(kindergartens)


def default_filename(period: Period) -> str:
    """`otchet-2025-09-01-2026-08-31.xlsx` — ASCII, safe in every browser."""
    return f"otchet-{period.start:%Y-%m-%d}-{period.end:%Y-%m-%d}.xlsx"
