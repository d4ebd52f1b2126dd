"""Tool-side roles inside a network: a teacher made tutor or methodist (`RoleGrant`)."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .accounts import RoleGrant
from .clock import utcnow

GRANTABLE_ROLES = ("tutor", "methodist")


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
