"""Whom a tutor can add to an event: people found by name, a page of them at a time.

A region has tens of thousands of people: the event page no longer lists them all (nor creates a
person for every course member to do so). The tutor types part of a name; the page (and, as they
type, `events.js` through the JSON view) shows the first matches: the network's people, and
members of its LMS courses who never launched TutorNet and so have no person yet. Adding one of
those creates their person then (`core.people.ensure_person`).
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..core.accounts import User
from ..core.courses import Course, Enrollment
from ..core.ids import parse_id
from ..core.people import ensure_person, name_matches
from ..core.reference import Organization, Person

LIMIT = 20
MIN_LENGTH = 2


@dataclass(frozen=True)
class Candidate:
    """One match: `value` is what the add form posts ("person:ID" or "user:ID")."""

    value: str
    label: str


def find(session: Session, network_id: int, query: str, limit: int = LIMIT) -> list[Candidate]:
    """The first `limit` people whose name contains `query` (at least MIN_LENGTH letters), by name."""
    if len(query.strip()) < MIN_LENGTH:
        return []
    people = session.execute(
        sa.select(Person.id, Person.full_name, Organization.number, Organization.name)
        .outerjoin(Organization, Organization.id == Person.organization_id)
        .where(Person.network_id == network_id, Person.retired_at.is_(None),
               name_matches(Person.full_name, query))
        .order_by(Person.full_name, Person.id).limit(limit)).all()
    found = [Candidate(f"person:{pid}", f"{name} ({number or org})" if (number or org) else name)
             for pid, name, number, org in people]
    if len(found) < limit:
        found += [Candidate(f"user:{uid}", name or "—") for uid, name in session.execute(
            sa.select(User.id, User.name).join(Enrollment, Enrollment.user_id == User.id)
            .join(Course, Course.id == Enrollment.course_id)
            .where(Course.network_id == network_id, Enrollment.status == "active",
                   name_matches(User.name, query),
                   ~sa.exists().where(Person.network_id == network_id, Person.user_id == User.id))
            .distinct().order_by(User.name, User.id).limit(limit - len(found)))]
    return found


def resolve(session: Session, network_id: int, value: str) -> Person | None:
    """The person a posted candidate value names: a person of the network, or a member of one of
    its courses (whose person is created now); None for anything else."""
    kind, _sep, raw = (value or "").partition(":")
    row_id = parse_id(raw)
    if row_id is None:
        return None
    if kind == "person":
        person = session.get(Person, row_id)
        return person if person is not None and person.network_id == network_id else None
    if kind == "user":
        member = session.scalar(sa.select(User).join(Enrollment, Enrollment.user_id == User.id)
                                .join(Course, Course.id == Enrollment.course_id)
                                .where(User.id == row_id, Course.network_id == network_id,
                                       Enrollment.status == "active").limit(1))
        return ensure_person(session, network_id, member) if member is not None else None
    return None
