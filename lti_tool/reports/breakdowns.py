"""The yearly report's breakdowns — by topic, form, month, organization, cluster — and its event list.

Each takes the `counted` and `pairs` CTEs of `queries` and runs one grouped query (organizations:
four), so the cost does not grow with the number of events or people.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ..core.reference import Organization, Person, Topic
from ..core.numbers import natural_key
from ..events.models import Event, EventLeader, EventMeeting, Participant
from ..resource_map.catalog import FORMS, form_label
from ..resource_map.models import Cluster
from . import queries
from .period import Period

MONTHS_FILLED = 24  # periods up to two years list every month, even empty ones


@dataclass
class Row:
    """One line of a breakdown: events, attendances (person–event pairs), distinct participants."""

    key: object
    label: str
    events: int = 0
    attendances: int = 0
    participants: int = 0
    tutors: int = 0  # by organization only
    tutees: int = 0  # by organization only


@dataclass
class EventLine:
    """A counted event in the report's list."""

    id: int
    first_date: date
    title: str
    form: str
    status: str
    topic: str | None
    host: str | None
    sessions: int
    registered: int
    attendances: int
    best_practice: bool
    protocol_number: int | None
    leaders: list[tuple[int, str]] = field(default_factory=list)
    topic_id: int | None = None

    @property
    def form_label(self) -> str:
        return form_label(self.form)


def org_label(number: str | None, name: str) -> str:
    """"МАДОУ № 69", adding the number only when the name does not already carry it."""
    return f"{name} ({number})" if number and number not in name else name


def _measures(counted, pairs):
    return (sa.func.count(sa.distinct(counted.c.event_id)), sa.func.count(pairs.c.person_id),
            sa.func.count(sa.distinct(pairs.c.person_id)))


def _base(counted, pairs, *keys):
    return (sa.select(*keys, *_measures(counted, pairs)).select_from(counted)
            .join(Event, Event.id == counted.c.event_id)
            .outerjoin(pairs, pairs.c.event_id == counted.c.event_id))


def by_topic(session: Session, counted, pairs) -> list[Row]:
    """Per topic of the events; events without a topic on one line of their own."""
    rows = session.execute(_base(counted, pairs, Event.topic_id, Topic.name)
                           .outerjoin(Topic, Topic.id == Event.topic_id).group_by(Event.topic_id, Topic.name)).all()
    result = [Row(t, name or _("Without a topic"), e, a, p) for t, name, e, a, p in rows]
    return sorted(result, key=lambda r: (r.key is None, -r.events, -r.attendances, r.label))


def by_form(session: Session, counted, pairs) -> list[Row]:
    """Per form of work, in the progression order of the catalogue."""
    rows = session.execute(_base(counted, pairs, Event.form).group_by(Event.form)).all()
    order = {code: i for i, code in enumerate(FORMS)}
    result = [Row(code, form_label(code), e, a, p) for code, e, a, p in rows]
    return sorted(result, key=lambda r: (order.get(r.key, len(order)), r.key))


def by_month(session: Session, counted, pairs, period: Period | None = None) -> list[Row]:
    """Per month of the events' first session (every month of the period when it is short)."""
    year = sa.extract("year", counted.c.first_date)
    month = sa.extract("month", counted.c.first_date)
    rows = session.execute(_base(counted, pairs, year, month).group_by(year, month)).all()
    found = {(int(y), int(m)): (e, a, p) for y, m, e, a, p in rows}
    keys = set(found)
    if period is not None and _months_between(period) <= MONTHS_FILLED:
        y, m = period.start.year, period.start.month
        while (y, m) <= (period.end.year, period.end.month):
            keys.add((y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return [Row(key, format_date(date(key[0], key[1], 1), "LLLL yyyy"), *found.get(key, (0, 0, 0)))
            for key in sorted(keys)]


def _months_between(period: Period) -> int:
    return (period.end.year - period.start.year) * 12 + period.end.month - period.start.month + 1


def by_organization(session: Session, counted, pairs) -> list[Row]:
    """Per organization: events hosted, attendances and participants from it, its tutors and tutees."""
    involved = queries.involved_people(counted, pairs, name="org_involved")
    is_tutor = sa.or_(Person.is_tutor.is_(True), involved.c.led == 1)
    people = session.execute(
        sa.select(Person.organization_id, sa.func.sum(sa.case((is_tutor, 1), else_=0)),
                  sa.func.sum(sa.case((is_tutor, 0), else_=1)))
        .select_from(involved).join(Person, Person.id == involved.c.person_id)
        .group_by(Person.organization_id)).all()
    attendance = session.execute(
        sa.select(Person.organization_id, sa.func.count(), sa.func.count(sa.distinct(pairs.c.person_id)))
        .select_from(pairs).join(Person, Person.id == pairs.c.person_id).group_by(Person.organization_id)).all()
    hosted = session.execute(
        sa.select(Event.host_organization_id, sa.func.count()).select_from(counted)
        .join(Event, Event.id == counted.c.event_id).where(Event.host_organization_id.is_not(None))
        .group_by(Event.host_organization_id)).all()
    rows: dict[int | None, Row] = {}

    def row(org_id):
        return rows.setdefault(org_id, Row(org_id, ""))

    for org_id, tutors, tutees in people:
        row(org_id).tutors, row(org_id).tutees = int(tutors), int(tutees)
    for org_id, pairs_n, persons in attendance:
        row(org_id).attendances, row(org_id).participants = pairs_n, persons
    for org_id, n in hosted:
        row(org_id).events = n
    names = {i: org_label(num, name) for i, num, name in session.execute(
        sa.select(Organization.id, Organization.number, Organization.name)
        .where(Organization.id.in_([k for k in rows if k is not None])))} if rows else {}
    for org_id, r in rows.items():
        r.label = names.get(org_id, _("Organization not specified"))
    return sorted(rows.values(), key=lambda r: (r.key is None, -r.participants, -r.events, natural_key(r.label)))


def by_cluster(session: Session, network_id: int, period: Period, counted, pairs) -> list[Row]:
    """Per cluster (not retired before the period ended): the events it ran and their attendance."""
    ran = queries.cluster_events(network_id, counted)
    stats = {c: (e, a, p) for c, e, a, p in session.execute(
        sa.select(ran.c.cluster_id, sa.func.count(sa.distinct(ran.c.event_id)), sa.func.count(pairs.c.person_id),
                  sa.func.count(sa.distinct(pairs.c.person_id)))
        .select_from(ran).outerjoin(pairs, pairs.c.event_id == ran.c.event_id).group_by(ran.c.cluster_id))}
    clusters = session.execute(sa.select(Cluster.id, Cluster.name).where(
        Cluster.network_id == network_id, queries.alive(Cluster.retired_at, period))
        .order_by(Cluster.name, Cluster.id)).all()
    return [Row(cid, name, *stats.get(cid, (0, 0, 0))) for cid, name in clusters]


def event_lines(session: Session, counted, pairs) -> list[EventLine]:
    """Every counted event by date, with its sessions, registrations, attendances and leaders."""
    ids = sa.select(counted.c.event_id)
    sessions_n = (sa.select(EventMeeting.event_id, sa.func.count().label("n"))
                  .where(EventMeeting.event_id.in_(ids)).group_by(EventMeeting.event_id).subquery())
    registered = (sa.select(Participant.event_id, sa.func.count().label("n"))
                  .where(Participant.event_id.in_(ids), Participant.status == "registered")
                  .group_by(Participant.event_id).subquery())
    attended = sa.select(pairs.c.event_id, sa.func.count().label("n")).group_by(pairs.c.event_id).subquery()
    rows = session.execute(
        sa.select(Event.id, counted.c.first_date, Event.title, Event.form, Event.status, Topic.name,
                  Organization.number, Organization.name, sa.func.coalesce(sessions_n.c.n, 0),
                  sa.func.coalesce(registered.c.n, 0), sa.func.coalesce(attended.c.n, 0),
                  Event.best_practice, Event.protocol_number, Event.topic_id)
        .select_from(counted).join(Event, Event.id == counted.c.event_id)
        .outerjoin(Topic, Topic.id == Event.topic_id)
        .outerjoin(Organization, Organization.id == Event.host_organization_id)
        .outerjoin(sessions_n, sessions_n.c.event_id == Event.id)
        .outerjoin(registered, registered.c.event_id == Event.id)
        .outerjoin(attended, attended.c.event_id == Event.id)
        .order_by(counted.c.first_date, Event.title, Event.id)).all()
    lines = {r[0]: EventLine(r[0], _as_date(r[1]), r[2], r[3], r[4], r[5],
                             org_label(r[6], r[7]) if r[7] else None, r[8], r[9], r[10], bool(r[11]), r[12],
                             topic_id=r[13])
             for r in rows}
    for event_id, person_id, name in session.execute(
            sa.select(EventLeader.event_id, Person.id, Person.full_name).join(Person, Person.id == EventLeader.person_id)
            .where(EventLeader.event_id.in_(ids), EventLeader.kind == queries.LEADING).order_by(EventLeader.id)):
        lines[event_id].leaders.append((person_id, name))
    return list(lines.values())


def _as_date(value) -> date:
    """min() over a DATE column comes back as a string on SQLite."""
    return date.fromisoformat(value) if isinstance(value, str) else value
