"""The resource map's data: years, topics, organizations, people, clusters, sites and offerings.

These are the network's shared reference data: surveys, routes and events point at them, so rows
are retired (`retired_at`), never deleted.
"""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, utcnow


class AcademicYear(Base):
    """An academic year of a network, e.g. 2025/2026 from 1 September to 31 August."""

    __tablename__ = "academic_year"
    __table_args__ = (sa.UniqueConstraint("network_id", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(16))  # "2025/2026"
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    is_current: Mapped[bool] = mapped_column(default=False)


class Topic(Base):
    """A thematic direction (тематическое направление) of support, e.g. "Экологическое воспитание"."""

    __tablename__ = "topic"
    __table_args__ = (sa.UniqueConstraint("network_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    description: Mapped[str | None] = mapped_column(sa.Text)
    retired_at: Mapped[datetime | None]


class Organization(Base):
    """A kindergarten (ДОО), school (ОУ) or other institution of the network."""

    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id"), index=True)
    # kindergarten | school | methodological_centre | other
    kind: Mapped[str] = mapped_column(sa.String(32), default="kindergarten")
    number: Mapped[str | None] = mapped_column(sa.String(32))  # "№ 69"
    name: Mapped[str] = mapped_column(sa.String(512))
    municipality: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    address: Mapped[str | None] = mapped_column(sa.String(512))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    retired_at: Mapped[datetime | None]


class Person(Base):
    """A member of the network (teacher, tutor, methodist); linked to an LTI user on launch.

    A tutor may be entered before ever launching the tool; the first launch with the same email
    links the user to this person.
    """

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    full_name: Mapped[str] = mapped_column(sa.String(255))
    email: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    position: Mapped[str | None] = mapped_column(sa.String(255))  # воспитатель, старший воспитатель …
    is_tutor: Mapped[bool] = mapped_column(default=False)
    experience_years: Mapped[int | None]
    retired_at: Mapped[datetime | None]

    organization: Mapped[Organization | None] = relationship()


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
