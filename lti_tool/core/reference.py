"""The reference data every area points at: academic years, topics, organizations and people.

Rows are retired (`retired_at`), never deleted: surveys, routes, events and the resource map point
at them.
"""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import Base


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
