"""People and tool roles inside a network: the glue between LTI users and the domain."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..db import utcnow
from ..resource_map.models import Person
from .models import RoleGrant, User

GRANTABLE_ROLES = ("tutor", "methodist")


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


def granted_roles(session: Session, network_id: int, user_id: int) -> set[str]:
    """Tool-side roles granted to the user in the network (not revoked)."""
    rows = session.scalars(
        sa.select(RoleGrant.role).where(
            RoleGrant.network_id == network_id, RoleGrant.user_id == user_id, RoleGrant.revoked_at.is_(None)
        )
    )
    return set(rows)


def grant_role(session: Session, network_id: int, user_id: int, role: str, granted_by_id: int | None,
               reason: str | None = None) -> RoleGrant:
    """Grant `role` (tutor or methodist) unless already held; returns the active grant."""
    if role not in GRANTABLE_ROLES:
        raise ValueError(f"role {role!r} cannot be granted")
    existing = session.scalar(
        sa.select(RoleGrant).where(
            RoleGrant.network_id == network_id, RoleGrant.user_id == user_id,
            RoleGrant.role == role, RoleGrant.revoked_at.is_(None),
        )
    )
    if existing:
        return existing
    grant = RoleGrant(network_id=network_id, user_id=user_id, role=role, granted_by_id=granted_by_id, reason=reason)
    session.add(grant)
    session.flush()
    return grant


def revoke_role(session: Session, network_id: int, user_id: int, role: str) -> int:
    """Revoke an active grant; returns how many grants were revoked."""
    result = session.execute(
        sa.update(RoleGrant)
        .where(RoleGrant.network_id == network_id, RoleGrant.user_id == user_id,
               RoleGrant.role == role, RoleGrant.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return result.rowcount
