"""Invitations that let a newly registered platform join an existing network."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.clock import as_utc, utcnow
from ..core.db import Base


class NetworkInvitation(Base):
    """A single-use, expiring code issued in the admin console of a network.

    Without one, a platform registered through dynamic registration gets a new network of its
    own: registering is open to anyone who can reach /lti/register, joining a network is not.
    Only a hash of the code is stored; the code is shown once, when it is issued.
    """

    __tablename__ = "admin_network_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    note: Mapped[str | None] = mapped_column(sa.String(255))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by_platform_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lti_platform.id"))
    revoked_at: Mapped[datetime | None]

    def state(self, now: datetime) -> str:
        """active | used | revoked | expired."""
        if self.used_at:
            return "used"
        if self.revoked_at:
            return "revoked"
        expires = as_utc(self.expires_at)
        return "expired" if expires <= now else "active"
