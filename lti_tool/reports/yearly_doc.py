"""The report on the association's work as it is filed (отчёт о работе АМСТ): the figures with notes
saying what each count counts where two counts differ (587 attendances, 797 session visits), the
breakdowns, and the narrative of the seeds' interim report — tutors thanked, technologies used at
events, presentations outside the network, problems, plans for next year.

`yearly_document(session, network_id, period, locale)` is a plain function. Each narrative section
starts as a draft written from the data; the methodist's saved text replaces it and stays when the
figures are regenerated (`documents.narratives`, keyed by the period).
"""
from __future__ import annotations

from collections import Counter

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import Session

from ..core import numbers
from ..core.accounts import Network
from ..core.clock import as_utc, utcnow
from ..core.reference import Person
from ..documents import charts, narratives
from ..documents.model import Document, Notes, Requisites, Signature, Signatures, date_text, quote
from ..events import technologies
from ..events.models import Event
from ..pathways.models import Route, RouteStep
from . import yearly
from .period import Period

KIND = "yearly_report"
SECTIONS = ("thanks", "technologies", "outside", "problems", "plans")
SUPERSCRIPT = "¹²³⁴⁵"


def narrative_key(period: Period) -> str:
    """Narratives belong to the period («2025-09-01_2026-08-31»)."""
    return f"{period.start:%Y-%m-%d}_{period.end:%Y-%m-%d}"


def technology_counts(session: Session, report: yearly.YearlyReport) -> list[tuple[str, int]]:
    """(technology, events using it) over the period's counted events, most used first (one query)."""
    counts: Counter[str] = Counter()
    ids = [e.id for e in report.events]
    for (used,) in session.execute(sa.select(Event.technologies).where(Event.id.in_(ids or [0]))):
        counts.update(set(used or []))
    return sorted(((technologies.label(code), n) for code, n in counts.items()),
                  key=lambda item: (-item[1], numbers.natural_key(item[0])))


def outside_work(session: Session, network_id: int, period: Period) -> list[tuple[str, str, str]]:
    """(kind, person, title) of publications and talks done in the period (route steps with evidence)."""
    rows = session.execute(
        sa.select(RouteStep.self_kind, Person.full_name, RouteStep.title, RouteStep.completed_at)
        .join(Route, Route.id == RouteStep.route_id).join(Person, Person.id == Route.person_id)
        .where(Person.network_id == network_id, RouteStep.status == "done",
               RouteStep.self_kind.in_(("publication", "talk")), RouteStep.completed_at.is_not(None))).all()
    return sorted(((kind, name, title) for kind, name, title, done in rows
                   if period.contains(as_utc(done).date())), key=lambda r: (r[0], numbers.natural_key(r[1])))


def drafts(session: Session, network_id: int, report: yearly.YearlyReport, locale: str) -> list[tuple[str, str, str]]:
    """(section, title, draft) of the narrative, from the period's data."""
    thanks = [_("The association thanks the tutors whose events were recognised as best practices:")]
    thanks += [f"{t.name} — {'; '.join(quote(title) for title in t.events)}" for t in report.best_tutors]
    if not report.best_tutors:
        led = Counter(name for e in report.events for _pid, name in e.leaders)
        thanks = [_("The association thanks the tutors who led the events of the period:")] + [
            _("%(name)s (%(events)s)", name=name, events=ngettext("%(num)d event", "%(num)d events", n))
            for name, n in sorted(led.items(), key=lambda x: (-x[1], numbers.natural_key(x[0])))[:10]]
    used = technology_counts(session, report)
    tech = (_("At the events the tutors used: %(list)s.", list="; ".join(
        f"{name} ({ngettext('%(num)d event', '%(num)d events', n)})" for name, n in used))
        if used else _("No technologies are recorded for the events of the period."))
    outside = outside_work(session, network_id, report.period)
    kinds = {"publication": _("publication"), "talk": _("talk")}
    out = ([_("Teachers presented their experience outside the network:")] +
           [f"{name} — {kinds[kind]}: {quote(title)}" for kind, name, title in outside]) if outside else [
        _("No publications or talks are recorded in the teachers' routes for the period.")]
    problems = []
    low = [e for e in report.events if e.registered and e.attendances < e.registered / 2]
    if low:
        problems.append(_("Attendance was below half of the registrations at: %(events)s.",
                          events="; ".join(quote(e.title) for e in low[:5])))
    idle = [r.label for r in report.by_cluster if not r.events]
    if idle:
        problems.append(_("Clusters without events in the period: %(list)s.", list=", ".join(idle)))
    if not problems:
        problems.append(_("No problems are seen in the figures of the period."))
    topics = [r.label for r in report.by_topic if r.key is not None][:3]
    plans = [_("Continue the work on the most attended topics: %(list)s.", list=", ".join(topics))] if topics else []
    if report.best_events:
        plans.append(_("Spread the best practices of the year through master classes and internship sites."))
    plans.append(_("Survey the teachers' needs at the start of the year and build the routes (ИПОМ) on them."))
    return [("thanks", _("Tutors thanked"), "\n".join(thanks)),
            ("technologies", _("Technologies used at events"), tech),
            ("outside", _("Presentations outside the network"), "\n".join(out)),
            ("problems", _("Problems"), "\n".join(problems)),
            ("plans", _("Plans for next year"), "\n".join(plans))]


def yearly_document(session: Session, network_id: int, period: Period, locale: str = "ru") -> Document:
    """The report's blocks for the period's current data."""
    report = yearly.build(session, network_id, period)
    network = session.get(Network, network_id)
    span = f"{date_text(period.start)} – {date_text(period.end)}"
    doc = Document(Requisites(organization=network.name if network else "", kind=_("REPORT"),
                              date_text=date_text(utcnow().date()),
                              subject=_("on the work of the association for %(period)s", period=period.title or span)),
                   filename=f"otchet-{narrative_key(period)}", locale=locale)
    _figures(doc, report.figures, locale)
    doc.heading(_("2. Events by form of work"))
    doc.table(_("Events by form of work"), [_("Form of work"), _("Events"), _("Attendances"), _("Participants")],
              _rows(report.by_form, locale), numeric={1, 2, 3})
    if report.by_form:
        doc.figure(_("Events by form of work"), charts.layout(
            [charts.Bar(r.label, r.events, numbers.number(r.events, locale)) for r in report.by_form]))
    doc.heading(_("3. Events by topic"))
    doc.table(_("Events by topic"), [_("Topic"), _("Events"), _("Attendances"), _("Participants")],
              _rows(report.by_topic, locale), numeric={1, 2, 3})
    doc.heading(_("4. The year in words"))
    for block in narratives.resolve(session, network_id, KIND, narrative_key(period),
                                    drafts(session, network_id, report, locale)):
        doc.add(block)
    doc.add(Signatures([Signature(_("Head of the association"), ""), Signature(_("Methodist"), "")]))
    return doc


def _rows(rows, locale: str) -> list[list[str]]:
    return [[r.label, numbers.number(r.events, locale), numbers.number(r.attendances, locale),
             numbers.number(r.participants, locale)] for r in rows]


def _figures(doc: Document, f: yearly.Figures, locale: str) -> None:
    """The headline figures; the three counts of presence carry notes saying what each counts."""
    doc.heading(_("1. The year in figures"))
    n = lambda value: numbers.number(value, locale)  # noqa: E731 — one short formatter for the table
    doc.table(_("Main figures"), [_("Figure"), _("Value")], [
        [_("Events held"), n(f.events)],
        [_("Attendances of events") + SUPERSCRIPT[0], n(f.attendances)],
        [_("Session visits") + SUPERSCRIPT[1], n(f.visits)],
        [_("Different participants") + SUPERSCRIPT[2], n(f.participants)],
        [_("Tutors"), n(f.tutors)], [_("Tutees"), n(f.tutees)],
        [_("Organizations"), n(f.organizations)], [_("of them kindergartens"), n(f.kindergartens)],
        [_("Methodological clusters"), n(f.clusters)], [_("Internship sites"), n(f.internship_sites)],
        [_("Best practices"), n(f.best_practices)],
    ], numeric={1})
    doc.add(Notes([
        SUPERSCRIPT[0] + " " + _("Attendances of events: a person counted once per event attended (present "
                                 "or late at least once)."),
        SUPERSCRIPT[1] + " " + _("Session visits: every mark “present” or “late” at a session; a person at "
                                 "three sessions of one event is three visits."),
        SUPERSCRIPT[2] + " " + _("Different participants: each person once, however many events."),
    ]))
