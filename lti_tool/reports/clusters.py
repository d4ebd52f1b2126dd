"""Clusters' work: per methodological cluster, its members, the events it ran, participants, needs covered.

A cluster "ran" an event of the period when the event names it, else when the event delivers the
cluster's own offering on the resource map, else when the event has neither and its topic is the
cluster's (`queries.cluster_events`); the host organization credits no cluster. Needs come from the latest needs survey answered by the cluster's
members (surveys' analytical report filtered to the cluster).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..core.reference import AcademicYear, Organization, Person, Topic
from ..core.numbers import natural_sorted
from ..resource_map.models import Cluster, cluster_organization, cluster_person
from ..surveys.models import Survey
from . import breakdowns, queries
from .breakdowns import EventLine, Row
from .period import Period

NEEDS_SHOWN = 10


@dataclass
class Need:
    topic_id: int
    name: str
    need: float  # 0..1, from the survey report
    by_cluster: bool  # the cluster ran an event on this topic in the period
    by_network: bool  # some event of the network on this topic in the period


@dataclass
class ClusterWork:
    cluster: Cluster
    period: Period
    organizations: list[tuple[int, str]]
    people: list[tuple[int, str, str | None]]  # id, name, organization
    events: list[EventLine]
    attendances: int
    participants: int
    from_members: int  # participants who belong to the cluster (person or organization)
    survey: Survey | None = None
    needs: list[Need] = field(default_factory=list)
    needs_suppressed: bool = False


@dataclass
class ClusterLine:
    row: Row
    topic: str | None
    organizations: int
    people: int


def overview(session: Session, network_id: int, period: Period) -> list[ClusterLine]:
    """Every cluster alive in the period with member counts and its events' attendance."""
    counted = queries.counted_events(network_id, period)
    rows = breakdowns.by_cluster(session, network_id, period, counted, queries.attendance_pairs(counted))
    ids = [r.key for r in rows]
    orgs = dict(session.execute(sa.select(cluster_organization.c.cluster_id, sa.func.count())
                                .where(cluster_organization.c.cluster_id.in_(ids))
                                .group_by(cluster_organization.c.cluster_id)).all())
    people = dict(session.execute(sa.select(cluster_person.c.cluster_id, sa.func.count())
                                  .where(cluster_person.c.cluster_id.in_(ids)).group_by(cluster_person.c.cluster_id)).all())
    topics = dict(session.execute(sa.select(Cluster.id, Topic.name).join(Topic, Topic.id == Cluster.topic_id)
                                  .where(Cluster.id.in_(ids))).all())
    return [ClusterLine(r, topics.get(r.key), orgs.get(r.key, 0), people.get(r.key, 0)) for r in rows]


def work(session: Session, cluster: Cluster, period: Period) -> ClusterWork:
    """The cluster's page: members, events it ran with attendance, participants, needs covered."""
    counted = queries.counted_events(cluster.network_id, period)
    ran = queries.cluster_events(cluster.network_id, counted)
    mine = (sa.select(counted.c.event_id, counted.c.first_date).where(
        counted.c.event_id.in_(sa.select(ran.c.event_id).where(ran.c.cluster_id == cluster.id))).cte("mine"))
    pairs = queries.attendance_pairs(mine, name="mine_pairs")
    events = breakdowns.event_lines(session, mine, pairs)
    member_orgs = sa.select(cluster_organization.c.organization_id).where(cluster_organization.c.cluster_id == cluster.id)
    member_people = sa.select(cluster_person.c.person_id).where(cluster_person.c.cluster_id == cluster.id)
    attendances, participants, from_members = session.execute(
        sa.select(sa.func.count(), sa.func.count(sa.distinct(pairs.c.person_id)),
                  sa.func.count(sa.distinct(sa.case((sa.or_(Person.organization_id.in_(member_orgs),
                                                            Person.id.in_(member_people)), pairs.c.person_id)))))
        .select_from(pairs).join(Person, Person.id == pairs.c.person_id)).one()
    result = ClusterWork(cluster, period, _organizations(session, cluster), _people(session, cluster), events,
                         attendances, participants, from_members)
    _needs(session, result, counted)
    return result


def _organizations(session: Session, cluster: Cluster) -> list[tuple[int, str]]:
    rows = session.execute(sa.select(Organization.id, Organization.number, Organization.name)
                           .join(cluster_organization, cluster_organization.c.organization_id == Organization.id)
                           .where(cluster_organization.c.cluster_id == cluster.id).order_by(Organization.name)).all()
    return natural_sorted(((i, breakdowns.org_label(num, name)) for i, num, name in rows), lambda o: o[1])


def _people(session: Session, cluster: Cluster) -> list[tuple[int, str, str | None]]:
    rows = session.execute(sa.select(Person.id, Person.full_name, Organization.number, Organization.name)
                           .join(cluster_person, cluster_person.c.person_id == Person.id)
                           .outerjoin(Organization, Organization.id == Person.organization_id)
                           .where(cluster_person.c.cluster_id == cluster.id).order_by(Person.full_name)).all()
    return [(i, name, breakdowns.org_label(num, org) if org else None) for i, name, num, org in rows]


def needs_survey(session: Session, network_id: int, period: Period) -> Survey | None:
    """The latest open or closed needs survey of the period's academic year, else the latest one."""
    in_year = sa.select(AcademicYear.id).where(AcademicYear.network_id == network_id,
                                               AcademicYear.starts_on <= period.end, AcademicYear.ends_on >= period.start)
    return session.scalar(
        sa.select(Survey).where(Survey.network_id == network_id, Survey.kind == "needs", Survey.status != "draft")
        .order_by(sa.case((Survey.year_id.in_(in_year), 0), else_=1), Survey.created_at.desc(), Survey.id.desc())
        .limit(1))


def _needs(session: Session, result: ClusterWork, counted) -> None:
    """The cluster members' topic ranking, each topic marked covered by the cluster's or the network's events."""
    from ..events.models import Event
    from ..surveys.reports import build_report
    from ..surveys.roster import Filters

    survey = needs_survey(session, result.cluster.network_id, result.period)
    if survey is None:
        return
    report = build_report(session, survey, Filters(cluster_id=result.cluster.id))
    result.survey, result.needs_suppressed = survey, report.suppressed
    network_topics = set(session.scalars(sa.select(Event.topic_id).where(
        Event.id.in_(sa.select(counted.c.event_id)), Event.topic_id.is_not(None)).distinct()))
    cluster_topics = {e.topic_id for e in result.events if e.topic_id is not None}
    result.needs = [Need(t.topic_id, t.name, t.need, t.topic_id in cluster_topics, t.topic_id in network_topics)
                    for t in report.topic_ranking[:NEEDS_SHOWN]]
