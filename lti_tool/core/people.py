"""The network's `Person` of an LTI user: linked, matched by email, or created.

Domain data about people points at `Person`; a launch (and a roster pull, in bulk: `sync/people.py`)
links each user to their person in the network.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .accounts import User
from .reference import Person


def ensure_person(session: Session, network_id: int, user: User) -> Person:
    """The network's person for `user`: linked already, matched by email, or created.

    A tutor entered by a methodist before ever launching is matched on first launch by email.
    """
    person = session.scalar(sa.select(Person).where(Person.network_id == network_id, Person.user_id == user.id))
    if person is None and user.email:
        person = session.scalar(
            sa.select(Person).where(
                Person.network_id == network_id,
                Person.user_id.is_(None),
                sa.func.lower(Person.email) == user.email.lower(),
            ).order_by(Person.id)
        )
        if person is not None:
            person.user_id = user.id
    if person is None:
        person = Person(network_id=network_id, user_id=user.id, full_name=user.display_name, email=user.email)
        session.add(person)
    elif user.name and person.full_name in (None, "", user.sub):
        person.full_name = user.display_name
    session.flush()
    return person


def person_for_user(session: Session, network_id: int, user_id: int) -> Person | None:
    """The network's person of an LTI user id (created on first need); None for an unknown user."""
    user = session.get(User, user_id)
    return ensure_person(session, network_id, user) if user is not None else None


def name_patterns(query: str) -> list[str]:
    """LIKE patterns (escape "\\") for a name as typed, in lower case and capitalised: SQLite folds
    only ASCII letters, and names are written "Фамилия Имя Отчество"."""
    text = " ".join(query.split()).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return sorted({f"%{v}%" for v in (text, text.lower(), text.capitalize(), text.title(), text.upper())})


def name_matches(column, query: str):
    """A condition: `column` (a name) contains `query` in any of the usual cases."""
    return sa.or_(*(column.like(p, escape="\\") for p in name_patterns(query)))
