"""The SQL building blocks every report shares: which events count, who attended, who was involved.

Each function returns a CTE or subquery; the reports aggregate over them with GROUP BY, so a report
is a handful of queries whatever the size of the network. The definitions are in docs/reports.md.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

import sqlalchemy as sa

from ..events.models import ATTENDED, Attendance, Event, EventLeader, EventMeeting, Participant
from ..resource_map.models import Cluster, Offering
from .period import Period

# Drafts were never announced and cancelled events did not take place: neither is reported.
COUNTED_STATUSES = ("published", "held")
LEADING = "lead"  # EventLeader.kind of a tutor who leads the event ("assigned" only grades it)


def counted_events(network_id: int, period: Period, name: str = "counted"):
    """CTE (event_id, first_date): the network's published/held events whose first session is in the period."""
    first = sa.func.min(EventMeeting.on_date)
    return (sa.select(Event.id.label("event_id"), first.label("first_date"))
            .join(EventMeeting, EventMeeting.event_id == Event.id)
            .where(Event.network_id == network_id, Event.status.in_(COUNTED_STATUSES))
            .group_by(Event.id)
            .having(first >= period.start, first <= period.end)
            .cte(name))


def attendance_pairs(counted, name: str = "pairs"):
    """CTE (event_id, person_id): one row per person present or late at least once at a counted event."""
    return (sa.select(Participant.event_id, Participant.person_id)
            .join(Attendance, Attendance.participant_id == Participant.id)
            .where(Participant.event_id.in_(sa.select(counted.c.event_id)), Attendance.status.in_(ATTENDED))
            .distinct()
            .cte(name))


def session_visits(counted):
    """Scalar select: present/late marks at sessions of counted events (a person × a session)."""
    return (sa.select(sa.func.count(Attendance.id))
            .join(Participant, Participant.id == Attendance.participant_id)
            .where(Participant.event_id.in_(sa.select(counted.c.event_id)), Attendance.status.in_(ATTENDED))
            .scalar_subquery())


def involved_people(counted, pairs, name: str = "involved"):
    """CTE (person_id, led): attendees and leaders of counted events; led = 1 if they led one."""
    leaders = (sa.select(EventLeader.person_id.label("person_id"), sa.literal(1).label("led"))
               .where(EventLeader.event_id.in_(sa.select(counted.c.event_id)), EventLeader.kind == LEADING))
    attendees = sa.select(pairs.c.person_id.label("person_id"), sa.literal(0).label("led"))
    both = sa.union_all(leaders, attendees).subquery()
    return (sa.select(both.c.person_id, sa.func.max(both.c.led).label("led"))
            .group_by(both.c.person_id).cte(name))


def cluster_events(network_id: int, counted, name: str = "cluster_events"):
    """CTE (cluster_id, event_id): the cluster a counted event names, else its offering's cluster, else
    every cluster on the event's topic. The host organization credits no cluster: a kindergarten that
    belongs to the mathematics cluster may host a seminar on burnout, which is not the cluster's work."""
    counted_ids = sa.select(counted.c.event_id)
    explicit = sa.func.coalesce(Event.cluster_id, Offering.cluster_id)
    named = (sa.select(explicit.label("cluster_id"), Event.id.label("event_id"))
             .select_from(Event).outerjoin(Offering, Offering.id == Event.offering_id)
             .where(Event.id.in_(counted_ids), explicit.is_not(None)))
    by_topic = (sa.select(Cluster.id.label("cluster_id"), Event.id.label("event_id"))
                .select_from(Event).outerjoin(Offering, Offering.id == Event.offering_id)
                .join(Cluster, sa.and_(Cluster.topic_id == Event.topic_id, Cluster.network_id == network_id))
                .where(Event.id.in_(counted_ids), explicit.is_(None)))
    return sa.union(named, by_topic).cte(name)


def alive(retired_at, period: Period):
    """Not retired before the period ended (a row retired after the end still counts)."""
    return sa.or_(retired_at.is_(None), retired_at >= datetime.combine(period.end + timedelta(days=1), time()))
