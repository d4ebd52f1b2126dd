"""Tutors' consultations (консультации): the log, and the figures the portfolio, the tutor's year and
the yearly report read (a count and the time spent).

A consultation is individual (one participant) or group (two or more); participants are persons
of the network other than the tutor. A tutor deletes a wrong record of hers; nothing points at it.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, selectinload

from ..core.clock import utcnow
from ..core.reference import Person, Topic
from .models import CONSULTATION_KINDS, Consultation, consultation_participant
from .services import PathwayError

PER_PAGE = 50
MAX_MINUTES = 8 * 60


def record(session: Session, network_id: int, tutor_id: int, *, kind: str, held_on: date | None,
           subject: str, participant_ids: list[int], minutes: int | None, topic_id: int | None = None,
           outcome: str | None = None, created_by_id: int | None = None) -> Consultation:
    """Log a consultation after checking every rule; nothing is written when one fails."""
    if kind not in CONSULTATION_KINDS:
        raise PathwayError(_l("Choose individual or group."))
    if held_on is None or held_on > utcnow().date():
        raise PathwayError(_l("Enter the date of the consultation (not in the future)."))
    if minutes is None or not 1 <= minutes <= MAX_MINUTES:
        raise PathwayError(_l("Enter the time spent in minutes, from 1 to 480."))
    subject = (subject or "").strip()
    topic = session.get(Topic, topic_id) if topic_id else None
    if topic_id and (topic is None or topic.network_id != network_id):
        raise PathwayError(_l("Unknown topic."))
    if not subject and topic is None:
        raise PathwayError(_l("Enter what the consultation was about."))
    ids = sorted(set(participant_ids) - {tutor_id})
    people = list(session.scalars(sa.select(Person).where(Person.network_id == network_id, Person.id.in_(ids),
                                                          Person.retired_at.is_(None)))) if ids else []
    if len(people) != len(ids) or not people:
        raise PathwayError(_l("Choose the participants among the network's teachers."))
    if kind == "individual" and len(people) != 1:
        raise PathwayError(_l("An individual consultation has one participant."))
    if kind == "group" and len(people) < 2:
        raise PathwayError(_l("A group consultation has at least two participants."))
    row = Consultation(network_id=network_id, tutor_id=tutor_id, kind=kind, held_on=held_on, topic_id=topic_id,
                       subject=(subject or topic.name)[:255], outcome=(outcome or "").strip() or None,
                       minutes=minutes, created_by_id=created_by_id, participants=people)
    session.add(row)
    session.flush()
    return row


def delete(session: Session, consultation: Consultation) -> None:
    """Remove a wrong record."""
    session.delete(consultation)
    session.flush()


@dataclass(frozen=True)
class Totals:
    """How many consultations and how many minutes."""

    count: int = 0
    minutes: int = 0

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


def tutor_log(session: Session, network_id: int, tutor_id: int, start: date, end: date, page: int = 1):
    """(a page of the tutor's consultations in [start, end] with their participants, totals, pages)."""
    where = [Consultation.network_id == network_id, Consultation.tutor_id == tutor_id,
             Consultation.held_on >= start, Consultation.held_on <= end]
    count, minutes = session.execute(sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(Consultation.minutes), 0))
                                     .where(*where)).one()
    pages = max(1, -(-count // PER_PAGE))
    page = min(max(page, 1), pages)
    rows = list(session.scalars(sa.select(Consultation).where(*where)
                                .options(selectinload(Consultation.participants), selectinload(Consultation.topic))
                                .order_by(Consultation.held_on.desc(), Consultation.id.desc())
                                .offset((page - 1) * PER_PAGE).limit(PER_PAGE)))
    return rows, Totals(count, int(minutes)), page, pages


def per_person(session: Session, network_id: int, person_ids, start: date, end: date) -> dict[int, Totals]:
    """{participant: Totals} of consultations in [start, end] (one grouped query)."""
    cp = consultation_participant
    query = (sa.select(cp.c.person_id, sa.func.count(), sa.func.sum(Consultation.minutes))
             .join(Consultation, Consultation.id == cp.c.consultation_id)
             .where(Consultation.network_id == network_id, Consultation.held_on >= start, Consultation.held_on <= end)
             .group_by(cp.c.person_id))
    if person_ids is not None:
        query = query.where(cp.c.person_id.in_(list(person_ids)))
    return {pid: Totals(n, int(m or 0)) for pid, n, m in session.execute(query)}


def of_people(session: Session, network_id: int, person_ids, start: date, end: date) -> dict[int, list[Consultation]]:
    """{participant: her consultations in [start, end] by date}, with tutors and topics (three queries)."""
    ids = list(person_ids)
    if not ids:
        return {}
    cp = consultation_participant
    rows = session.execute(
        sa.select(cp.c.person_id, Consultation).join(Consultation, Consultation.id == cp.c.consultation_id)
        .where(Consultation.network_id == network_id, cp.c.person_id.in_(ids),
               Consultation.held_on >= start, Consultation.held_on <= end)
        .options(selectinload(Consultation.tutor), selectinload(Consultation.topic))
        .order_by(Consultation.held_on, Consultation.id))
    found: dict[int, list[Consultation]] = defaultdict(list)
    for person_id, consultation in rows:
        found[person_id].append(consultation)
    return dict(found)


def totals_subqueries(network_id: int, start: date, end: date):
    """(count, minutes) of the network's consultations in [start, end] as scalar subqueries."""
    where = [Consultation.network_id == network_id, Consultation.held_on >= start, Consultation.held_on <= end]
    return (sa.select(sa.func.count(Consultation.id)).where(*where).scalar_subquery(),
            sa.select(sa.func.coalesce(sa.func.sum(Consultation.minutes), 0)).where(*where).scalar_subquery())
