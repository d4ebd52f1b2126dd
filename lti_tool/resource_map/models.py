"""The resource map's own data: clusters, internship sites and offerings (entries of the map).

Years, topics, organizations and people are the network's reference data in `lti_tool.core.reference`.
Rows are retired (`retired_at`), never deleted: routes and events point at offerings.
"""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.db import Base
from ..core.reference import Organization, Person, Topic

cluster_organization = sa.Table(
    "cluster_organization",
    Base.metadata,
    sa.Column("cluster_id", sa.ForeignKey("cluster.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("organization_id", sa.ForeignKey("organization.id"), primary_key=True),
)

cluster_person = sa.Table(
    "cluster_person",
    Base.metadata,
    sa.Column("cluster_id", sa.ForeignKey("cluster.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("person_id", sa.ForeignKey("person.id"), primary_key=True),
)


class Cluster(Base):
    """A methodological cluster (ММК): organizations and teachers with proven results on a topic."""

    __tablename__ = "cluster"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    topic_id: Mapped[int | None] = mapped_column(sa.ForeignKey("topic.id"))
    coordinator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    description: Mapped[str | None] = mapped_column(sa.Text)
    retired_at: Mapped[datetime | None]

    topic: Mapped[Topic | None] = relationship()
    coordinator: Mapped[Person | None] = relationship(foreign_keys=[coordinator_id])
    organizations: Mapped[list[Organization]] = relationship(secondary=cluster_organization)
    people: Mapped[list[Person]] = relationship(secondary=cluster_person)


class InternshipSite(Base):
    """An organization's status of internship site (стажировочная площадка) on a topic for a year."""

    __tablename__ = "internship_site"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id"), index=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"))
    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("topic.id"))
    year_id: Mapped[int] = mapped_column(sa.ForeignKey("academic_year.id"))
    status: Mapped[str] = mapped_column(sa.String(16), default="active")  # applied | active | closed
    retired_at: Mapped[datetime | None]

    organization: Mapped[Organization] = relationship()
    topic: Mapped[Topic] = relationship()


class Offering(Base):
    """An entry of the map: a provider offers support on a topic in a form during a year.

    The provider is exactly one of a tutor (person), an organization, a cluster or an internship site.
    """

    __tablename__ = "offering"
    __table_args__ = (
        sa.CheckConstraint(
            "(CASE WHEN person_id IS NULL THEN 0 ELSE 1 END + CASE WHEN organization_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN cluster_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN internship_site_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_provider",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id"), index=True)
    year_id: Mapped[int] = mapped_column(sa.ForeignKey("academic_year.id"), index=True)
    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("topic.id"), index=True)
    form: Mapped[str] = mapped_column(sa.String(32))  # a code of resource_map.catalog.FORMS
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"), index=True)
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    cluster_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cluster.id"), index=True)
    internship_site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("internship_site.id"))
    title: Mapped[str | None] = mapped_column(sa.String(512))
    description: Mapped[str | None] = mapped_column(sa.Text)
    capacity: Mapped[int | None]
    schedule: Mapped[str | None] = mapped_column(sa.String(512))
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    delivery: Mapped[str] = mapped_column(sa.String(16), default="in_person")  # in_person | online | mixed
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None]
    # Casefolded title, description, topic and provider names, kept by resource_map.services:
    # SQLite's lower() is ASCII-only, so Russian case-insensitive search matches against this.
    search_text: Mapped[str | None] = mapped_column(sa.Text)

    topic: Mapped[Topic] = relationship()
    person: Mapped[Person | None] = relationship()
    organization: Mapped[Organization | None] = relationship()
    cluster: Mapped[Cluster | None] = relationship()
    internship_site: Mapped[InternshipSite | None] = relationship()
