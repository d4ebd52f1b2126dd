"""The SQL building blocks every report shares: which events count, who attended, who was involved.

Each function returns a CTE or subquery; the reports aggregate over them with GROUP BY, so a report
is a handful of queries whatever the size of the network. The definitions are in docs/reports.md.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

import sqlalchemy as sa

from ..events.models import ATTENDED, Attendance, Event, EventLeader, EventMeeting, Participant
from ..resource_map.models import Offering, cluster_organization
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
    """CTE (cluster_id, event_id): a cluster ran an event hosted by a member organization or
    planned from the cluster's own offering on the resource map (an event may count for two clusters)."""
    by_host = (sa.select(cluster_organization.c.cluster_id.label("cluster_id"), Event.id.label("event_id"))
               .join(Event, Event.host_organization_id == cluster_organization.c.organization_id)
               .where(Event.id.in_(sa.select(counted.c.event_id))))
    by_offering = (sa.select(Offering.cluster_id.label("cluster_id"), Event.id.label("event_id"))
                   .join(Event, Event.offering_id == Offering.id)
                   .where(Event.id.in_(sa.select(counted.c.event_id)), Offering.cluster_id.is_not(None),
                          Offering.network_id == network_id))
    return sa.union(by_host, by_offering).cte(name)


def alive(retired_at, period: Period):
    """Not retired before the period ended (a row retired after the end still counts)."""
    return sa.or_(retired_at.is_(None), retired_at >= datetime.combine(period.end + timedelta(days=1), time()))
