"""Server-side sessions: what a launch signed in, kept in the database, not in the cookie.

The cookie carries only a random token (inside Flask's signed session); the row holds the user,
network, course and the roles the launch's LTI claims gave. At every request one indexed query
reads the row with the current tool-side grants and the `enabled` flags of the platform and the
deployment the launch came through, so a revoked grant, a disabled platform or deployment, or an
expired session takes effect at the next request (issue 18, finding 10). Before, the roles and
the name were frozen in a readable cookie for up to eight hours.
"""
from __future__ import annotations

import hashlib
import itertools
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from .accounts import RoleGrant
from .clock import utcnow
from .db import Base
from .roles import GRANTABLE_ROLES


class ToolSession(Base):
    """One signed-in browser: the token's hash, the actor's ids and the launch's roles."""

    __tablename__ = "tool_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id", ondelete="CASCADE"))
    # The registration the launch came through (None for sessions made by tests and tools). No
    # foreign key: core does not reach into the LTI package's tables; a platform or deployment
    # that is gone ends the session like a disabled one (read_session's outer join).
    platform_id: Mapped[int | None]
    deployment_id: Mapped[int | None]
    launch_roles: Mapped[list] = mapped_column(sa.JSON, default=list)  # from the LTI roles, without grants
    course_id: Mapped[int | None]
    resource_link_id: Mapped[int | None]
    name: Mapped[str] = mapped_column(sa.String(255), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


@dataclass(frozen=True)
class SessionState:
    """A live session as read at a request: ids, the launch's roles and the current grants."""

    user_id: int
    network_id: int
    launch_roles: frozenset[str]
    granted: frozenset[str]
    course_id: int | None
    resource_link_id: int | None
    name: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, *, user_id: int, network_id: int, launch_roles, lifetime: timedelta,
                 platform_id: int | None = None, deployment_id: int | None = None, course_id: int | None = None,
                 resource_link_id: int | None = None, name: str = "", replaces: str | None = None) -> str:
    """Store a new session and return its token (for the cookie); `replaces`: the token of the
    browser's previous session, removed. One INSERT (and one DELETE by the unique token index when
    the browser had a session): a launch stays cheap. Expired rows go every PURGE_EVERY sessions."""
    now = utcnow()
    if replaces:
        session.execute(sa.delete(ToolSession).where(ToolSession.token_hash == _hash(replaces))
                        .execution_options(synchronize_session=False))
    if next(_opened) % PURGE_EVERY == 0:
        purge_expired(session, now)
    token = secrets.token_urlsafe(32)
    session.execute(sa.insert(ToolSession).values(
        token_hash=_hash(token), user_id=user_id, network_id=network_id, platform_id=platform_id,
        deployment_id=deployment_id, launch_roles=sorted(launch_roles), course_id=course_id,
        resource_link_id=resource_link_id, name=(name or "")[:255], created_at=now, expires_at=now + lifetime))
    return token


PURGE_EVERY = 500  # sessions opened by this process between two purges of expired rows
_opened = itertools.count(1)


def purge_expired(session: Session, now: datetime | None = None) -> int:
    """Remove expired sessions (by the `expires_at` index); the number removed."""
    return session.execute(sa.delete(ToolSession).where(ToolSession.expires_at < (now or utcnow()))
                           .execution_options(synchronize_session=False)).rowcount


def _registration_tables():
    # Core never imports the LTI package: its tables are reached through the shared metadata.
    tables = Base.metadata.tables
    return tables["lti_platform"], tables["lti_deployment"]


def read_session(session: Session, token: str | None) -> SessionState | None:
    """The live session of `token` with the current grants, or None when it is unknown, expired, or
    its platform or deployment is disabled (or gone): one query by the token's unique index."""
    if not token or not isinstance(token, str) or len(token) > 100:
        return None
    platform, deployment = _registration_tables()
    s = ToolSession
    grants = [sa.exists().where(RoleGrant.network_id == s.network_id, RoleGrant.user_id == s.user_id,
                                RoleGrant.role == role, RoleGrant.revoked_at.is_(None)).label(role)
              for role in GRANTABLE_ROLES]
    row = session.execute(
        sa.select(s.user_id, s.network_id, s.launch_roles, s.course_id, s.resource_link_id, s.name, *grants)
        .outerjoin(platform, platform.c.id == s.platform_id)
        .outerjoin(deployment, deployment.c.id == s.deployment_id)
        .where(s.token_hash == _hash(token), s.expires_at > utcnow(),
               sa.or_(s.platform_id.is_(None), platform.c.enabled.is_(True)),
               sa.or_(s.deployment_id.is_(None), deployment.c.enabled.is_(True)))
    ).one_or_none()
    if row is None:
        return None
    granted = frozenset(role for role in GRANTABLE_ROLES if getattr(row, role))
    return SessionState(row.user_id, row.network_id, frozenset(row.launch_roles or ()), granted, row.course_id,
                        row.resource_link_id, row.name)


def close_session(session: Session, token: str | None) -> None:
    """Remove the session of `token` (sign-out)."""
    if token:
        session.execute(sa.delete(ToolSession).where(ToolSession.token_hash == _hash(token))
                        .execution_options(synchronize_session=False))
