"""LTI registrations (platforms), their deployments and the tool's own keys."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.addresses import hosts_of
from ..core.clock import utcnow
from ..core.db import Base


class Platform(Base):
    """A platform registration: one issuer + client_id pair, as in pylti1p3's tool config."""

    __tablename__ = "lti_platform"
    __table_args__ = (sa.UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # New deployments of this platform join this network.
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id"), index=True)
    issuer: Mapped[str] = mapped_column(sa.String(255))
    client_id: Mapped[str] = mapped_column(sa.String(255))
    name: Mapped[str | None] = mapped_column(sa.String(255))
    product_family: Mapped[str | None] = mapped_column(sa.String(64))
    product_version: Mapped[str | None] = mapped_column(sa.String(64))
    auth_login_url: Mapped[str] = mapped_column(sa.String(1024))
    auth_token_url: Mapped[str] = mapped_column(sa.String(1024))
    auth_audience: Mapped[str | None] = mapped_column(sa.String(1024))
    key_set_url: Mapped[str | None] = mapped_column(sa.String(1024))
    key_set: Mapped[dict | None] = mapped_column(sa.JSON)  # a static JWKS when no URL is given
    # registered_by: config | manual | dynamic
    registered_by: Mapped[str] = mapped_column(sa.String(16), default="config")
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_launch_at: Mapped[datetime | None]

    deployments: Mapped[list[Deployment]] = relationship(back_populates="platform")

    @property
    def hosts(self) -> frozenset[str]:
        """The hosts the platform's URLs may name (its registered issuer, login, token and key set
        URLs): the allow-list of every request the tool sends it or makes on its word."""
        return hosts_of(self.issuer, self.auth_login_url, self.auth_token_url, self.key_set_url)


class Deployment(Base):
    """A deployment of the tool inside a platform; it belongs to exactly one network."""

    __tablename__ = "lti_deployment"
    __table_args__ = (sa.UniqueConstraint("platform_id", "deployment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(sa.ForeignKey("lti_platform.id"), index=True)
    deployment_id: Mapped[str] = mapped_column(sa.String(255))
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id"), index=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    platform: Mapped[Platform] = relationship(back_populates="deployments")


class ToolKey(Base):
    """An RSA key of the tool. The newest active key signs; retired keys stay in the JWKS a while."""

    __tablename__ = "lti_tool_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(sa.String(64), unique=True)
    private_key_pem: Mapped[str] = mapped_column(sa.Text)
    public_jwk: Mapped[dict] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set on rotation: the key stops signing but is published until `published_until`.
    retired_at: Mapped[datetime | None]
    published_until: Mapped[datetime | None]
