"""Networks, the users LTI platforms know, and tool-side role grants inside a network.

Every domain row carries a `network_id`: a network is the unit of tenancy, and a launch from a
deployment only ever sees the network that deployment belongs to.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .clock import utcnow
from .db import Base


class Network(Base):
    """An association of municipal network tutors or a municipal tutor centre."""

    __tablename__ = "network"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    """A person as an LTI platform knows them in one network: unique by network, issuer and `sub`.

    The network is part of the key (issue 18, finding 5): a platform of another network that
    names the same issuer, even with that network's approval, gets accounts of its own and can
    never rewrite this network's names and emails. (None only for rows made outside launches and
    roster pulls, e.g. by tests.)
    """

    __tablename__ = "user_account"
    __table_args__ = (sa.UniqueConstraint("network_id", "issuer", "sub"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int | None] = mapped_column(sa.ForeignKey("network.id"))
    issuer: Mapped[str] = mapped_column(sa.String(255))
    sub: Mapped[str] = mapped_column(sa.String(255))
    name: Mapped[str | None] = mapped_column(sa.String(255))
    given_name: Mapped[str | None] = mapped_column(sa.String(255))
    family_name: Mapped[str | None] = mapped_column(sa.String(255))
    email: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    locale: Mapped[str | None] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime | None]

    @property
    def display_name(self) -> str:
        """Full name if the platform sent one, else the email, else the opaque id."""
        full = " ".join(p for p in (self.family_name, self.given_name) if p)
        return self.name or full or self.email or self.sub


class RoleGrant(Base):
    """A tool-side role given inside a network (a teacher made tutor or methodist)."""

    __tablename__ = "role_grant"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    role: Mapped[str] = mapped_column(sa.String(16))  # tutor | methodist
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    reason: Mapped[str | None] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
