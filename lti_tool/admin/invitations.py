"""Network invitation codes: issue, list, revoke, check and consume (single use, expiring)."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..core.clock import utcnow
from .models import NetworkInvitation

DEFAULT_DAYS = 7


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().encode("utf-8")).hexdigest()


def issue(session: Session, network_id: int, *, days: int = DEFAULT_DAYS, note: str | None = None,
          created_by_id: int | None = None) -> str:
    """Create an invitation and return its code (shown once; only the hash is stored)."""
    code = secrets.token_urlsafe(12)
    session.add(NetworkInvitation(network_id=network_id, code_hash=_hash(code), note=note or None,
                                  created_by_id=created_by_id,
                                  expires_at=utcnow() + timedelta(days=max(1, min(days, 90)))))
    session.flush()
    return code


def list_for(session: Session, network_id: int) -> list[NetworkInvitation]:
    """The network's invitations, newest first."""
    query = (sa.select(NetworkInvitation).where(NetworkInvitation.network_id == network_id)
             .order_by(NetworkInvitation.created_at.desc(), NetworkInvitation.id.desc()).limit(200))
    return list(session.scalars(query))


def revoke(session: Session, network_id: int, invitation_id: int) -> bool:
    """Revoke an unused invitation of the network; False if there is none to revoke."""
    result = session.execute(
        sa.update(NetworkInvitation)
        .where(NetworkInvitation.id == invitation_id, NetworkInvitation.network_id == network_id,
               NetworkInvitation.used_at.is_(None), NetworkInvitation.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return result.rowcount == 1


def _usable(code: str):
    return (NetworkInvitation.code_hash == _hash(code), NetworkInvitation.used_at.is_(None),
            NetworkInvitation.revoked_at.is_(None), NetworkInvitation.expires_at > utcnow())


def find_usable(session: Session, code: str) -> NetworkInvitation | None:
    """The active invitation with this code, or None (unknown, used, revoked or expired)."""
    if not code or not code.strip():
        return None
    return session.scalars(sa.select(NetworkInvitation).where(*_usable(code))).first()


def consume(session: Session, code: str) -> NetworkInvitation | None:
    """Mark the invitation used (atomic conditional UPDATE) and return it; None if not usable."""
    if not code or not code.strip():
        return None
    # No in-Python evaluation of the criteria against a loaded row (SQLite hands back naive times).
    result = session.execute(sa.update(NetworkInvitation).where(*_usable(code)).values(used_at=utcnow())
                             .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return None
    return session.scalars(sa.select(NetworkInvitation).where(NetworkInvitation.code_hash == _hash(code))).one()
