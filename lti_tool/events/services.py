"""Events: creating and editing them, leaders, meetings, grading scales and who may grade.

Plain functions over a `Session`: they add and flush, the view (or task, or demo loader) commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, aliased

from ..core.reference import AcademicYear, Person, Topic
from ..resource_map.catalog import FORMS
from ..resource_map.models import Cluster, Offering
from .models import EVENT_STATUSES, LEADER_KINDS, SCALE_KINDS, Event, EventLeader, EventMeeting, GradingScale
from .signals import event_changed

DEFAULT_MAX_POINTS = 10.0


class EventError(ValueError):
    """A request the rules of events refuse; `message` is translated and shown to the user."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Scale:
    """The participation scale in force for a form (a configured one or the 0–10 default)."""

    kind: str
    max_points: float
    rubric: tuple = ()

    @property
    def maximum(self) -> float:
        """scoreMaximum sent to the LMS: 1 for pass/fail."""
        return 1.0 if self.kind == "pass_fail" else self.max_points


def create_event(session: Session, network_id: int, *, year_id: int, form: str, title: str,
                 created_by_id: int | None = None, **fields) -> Event:
    """A new draft event of the network (fields: topic_id, description, capacity, min_score …)."""
    if form not in FORMS:
        raise EventError(_l("Unknown form of work."))
    year = session.get(AcademicYear, year_id)
    if year is None or year.network_id != network_id:
        raise EventError(_l("Unknown academic year."))
    _check_links(session, network_id, year_id, fields)
    event = Event(network_id=network_id, year_id=year_id, form=form, title=title.strip(),
                  created_by_id=created_by_id, **fields)
    session.add(event)
    session.flush()
    return event


def update_event(session: Session, event: Event, **fields) -> Event:
    """Change an event's fields (the form only to a known code)."""
    if "form" in fields and fields["form"] not in FORMS:
        raise EventError(_l("Unknown form of work."))
    year_id = fields.get("year_id", event.year_id)
    year = session.get(AcademicYear, year_id)
    if year is None or year.network_id != event.network_id:
        raise EventError(_l("Unknown academic year."))
    if year_id != event.year_id:
        outside = [m.on_date for m in event.sessions if not year.starts_on <= m.on_date <= year.ends_on]
        if outside:
            raise EventError(_l("The event has sessions outside the school year %(year)s.", year=year.title))
    _check_links(session, event.network_id, year_id, fields, event)
    for name, value in fields.items():
        setattr(event, name, value)
    session.flush()
    return event


def _check_links(session: Session, network_id: int, year_id: int, fields: dict, event: Event | None = None) -> None:
    """The offering an event delivers must be a live offering of the network's same school year, its
    cluster a live cluster of the network; an event without a topic takes the offering's."""
    offering_id = fields.get("offering_id", event.offering_id if event else None)
    if offering_id and ("offering_id" in fields or "year_id" in fields):
        offering = session.get(Offering, offering_id)
        if offering is None or offering.network_id != network_id:
            raise EventError(_l("Unknown offering."))
        if offering.year_id != year_id:
            raise EventError(_l("The offering belongs to another school year."))
        if offering.retired_at is not None and (event is None or event.offering_id != offering_id):
            raise EventError(_l("This offering is retired from the resource map."))
        if not fields.get("topic_id", event.topic_id if event else None):
            fields["topic_id"] = offering.topic_id
    cluster_id = fields.get("cluster_id")
    if cluster_id and (event is None or event.cluster_id != cluster_id):
        cluster = session.get(Cluster, cluster_id)
        if cluster is None or cluster.network_id != network_id or cluster.retired_at is not None:
            raise EventError(_l("Unknown cluster."))


def is_over(event: Event, today: date | None = None) -> bool:
    """Held: marked so, or its last meeting was before today (its meetings loaded with it)."""
    today = today or date.today()
    return event.status == "held" or (event.status != "cancelled" and bool(event.sessions)
                                       and event.sessions[-1].on_date < today)


@dataclass(frozen=True)
class Links:
    """What an event is linked to on the resource map, in words for its page."""

    offering_title: str | None
    offering_form: str | None
    offering_cluster: str | None
    cluster: str | None


def links(session: Session, event: Event) -> Links:
    """The event's offering (title, form, its cluster) and its own cluster: one query, linked or not."""
    offering_cluster, own_cluster = aliased(Cluster), aliased(Cluster)
    row = session.execute(
        sa.select(sa.func.coalesce(Offering.title, Topic.name), Offering.form, offering_cluster.name, own_cluster.name)
        .select_from(Event).outerjoin(Offering, Offering.id == Event.offering_id)
        .outerjoin(Topic, Topic.id == Offering.topic_id)
        .outerjoin(offering_cluster, offering_cluster.id == Offering.cluster_id)
        .outerjoin(own_cluster, own_cluster.id == Event.cluster_id).where(Event.id == event.id)).one()
    return Links(*row)


def set_status(session: Session, event: Event, status: str, today: date | None = None) -> Event:
    """Publish, cancel or mark held; a cancelled event cannot be held, a held one cannot be cancelled."""
    if status not in EVENT_STATUSES:
        raise EventError(_l("Unknown status."))
    if event.status == "cancelled" and status == "held":
        raise EventError(_l("A cancelled event cannot be marked as held."))
    if status == "cancelled" and is_over(event, today):
        raise EventError(_l("A held event cannot be cancelled: its participants' attendance and grades stay."))
    was = event.status
    event.status = status
    session.flush()
    if status == "cancelled" and was != "cancelled":
        event_changed.send(session, event_id=event.id, change="cancelled")
    return event


def add_meeting(session: Session, event: Event, *, on_date: date, start_time: time | None = None,
                end_time: time | None = None, place: str | None = None, online_url: str | None = None) -> EventMeeting:
    """Add a meeting to the event; an online link must be http(s)."""
    if online_url and not online_url.startswith(("https://", "http://")):
        raise EventError(_l("The online link must start with https://."))
    if start_time and end_time and end_time <= start_time:
        raise EventError(_l("The session must end after it starts."))
    year = session.get(AcademicYear, event.year_id)
    if not year.starts_on <= on_date <= year.ends_on:
        raise EventError(_l("The session must fall inside the school year %(year)s (%(start)s – %(end)s).",
                            year=year.title, start=year.starts_on.strftime("%d.%m.%Y"),
                            end=year.ends_on.strftime("%d.%m.%Y")))
    row = EventMeeting(event_id=event.id, on_date=on_date, start_time=start_time, end_time=end_time,
                       place=place or None, online_url=online_url or None)
    session.add(row)
    session.flush()
    session.refresh(event, ["sessions"])
    if event.status == "published":
        event_changed.send(session, event_id=event.id, change="changed")
    return row


def set_leader(session: Session, event: Event, person_id: int, kind: str = "lead") -> EventLeader:
    """Make a network person a leader (or an assigned grader) of the event."""
    if kind not in LEADER_KINDS:
        raise EventError(_l("Unknown leader kind."))
    person = session.get(Person, person_id)
    if person is None or person.network_id != event.network_id:
        raise EventError(_l("Unknown person."))
    row = session.scalar(sa.select(EventLeader).where(EventLeader.event_id == event.id,
                                                      EventLeader.person_id == person_id))
    if row is None:
        row = EventLeader(event_id=event.id, person_id=person_id, kind=kind)
        session.add(row)
    else:
        row.kind = kind
    session.flush()
    session.refresh(event, ["leaders"])
    return row


def remove_leader(session: Session, event: Event, person_id: int) -> None:
    """Take a leader or assigned grader off the event."""
    session.execute(sa.delete(EventLeader).where(EventLeader.event_id == event.id,
                                                 EventLeader.person_id == person_id))
    session.flush()
    session.expire(event, ["leaders"])


def can_grade(session: Session, event: Event, person_id: int | None, *, is_staff: bool, is_tutor: bool) -> bool:
    """Methodists grade every event of their network; a tutor only events they lead or were assigned."""
    if is_staff:
        return True
    if not is_tutor or person_id is None:
        return False
    return session.scalar(sa.select(sa.func.count()).select_from(EventLeader).where(
        EventLeader.event_id == event.id, EventLeader.person_id == person_id)) > 0


def get_scale(session: Session, network_id: int, form: str) -> Scale:
    """The scale configured for the form, else points 0–10."""
    row = session.scalar(sa.select(GradingScale).where(GradingScale.network_id == network_id,
                                                       GradingScale.form == form))
    if row is None:
        return Scale("points", DEFAULT_MAX_POINTS)
    return Scale(row.kind, row.max_points, tuple(row.rubric or ()))


def set_scale(session: Session, network_id: int, form: str, *, kind: str, max_points: float = DEFAULT_MAX_POINTS,
              rubric: list[dict] | None = None) -> GradingScale:
    """Configure the form's scale (methodists); rubric items are {"score": n, "descriptor": text}."""
    if form not in FORMS or kind not in SCALE_KINDS:
        raise EventError(_l("Unknown form or scale kind."))
    if kind == "points" and not 0 < max_points <= 1000:
        raise EventError(_l("The maximum must be between 1 and 1000 points."))
    row = session.scalar(sa.select(GradingScale).where(GradingScale.network_id == network_id,
                                                       GradingScale.form == form))
    if row is None:
        row = GradingScale(network_id=network_id, form=form)
        session.add(row)
    row.kind = kind
    row.max_points = 1.0 if kind == "pass_fail" else float(max_points)
    row.rubric = [r for r in (rubric or []) if str(r.get("descriptor", "")).strip()]
    session.flush()
    return row


def network_years(session: Session, network_id: int) -> list[AcademicYear]:
    """Academic years of the network, newest first."""
    return list(session.scalars(sa.select(AcademicYear).where(AcademicYear.network_id == network_id)
                                .order_by(AcademicYear.starts_on.desc())))
