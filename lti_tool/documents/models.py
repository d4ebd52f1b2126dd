"""Tables of documents: the narrative texts a methodist saved, and a network's letterhead template."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.clock import utcnow
from ..core.db import Base


class NarrativeText(Base):
    """A narrative section of a document as the methodist wrote it; it replaces the generated draft.

    `kind` names the document (survey_report, yearly_report, …), `key` the instance (a survey id, a
    period), `section` the part (conclusions, recommendations, problems …). Figures change, the text
    stays: regenerating the document reads it back.
    """

    __tablename__ = "document_narrative"
    __table_args__ = (sa.UniqueConstraint("network_id", "kind", "key", "section"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    key: Mapped[str] = mapped_column(sa.String(64))
    section: Mapped[str] = mapped_column(sa.String(32))
    text: Mapped[str] = mapped_column(sa.Text)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Letterhead(Base):
    """A network's own .docx template (its letterhead): documents are written on it."""

    __tablename__ = "document_letterhead"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("network.id"), unique=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
    size: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
