"""Narrative sections: a draft generated from the figures until the methodist saves her own text.

A document asks for its sections with their drafts (`resolve`); a saved text wins over the draft and
survives any regeneration with new figures. Saving an empty text goes back to the generated draft.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .model import Narrative
from .models import NarrativeText

MAX_TEXT = 20000


def saved(session: Session, network_id: int, kind: str, key: str) -> dict[str, NarrativeText]:
    """The saved texts of one document, by section."""
    return {n.section: n for n in session.scalars(sa.select(NarrativeText).where(
        NarrativeText.network_id == network_id, NarrativeText.kind == kind, NarrativeText.key == key))}


def resolve(session: Session, network_id: int, kind: str, key: str,
            drafts: list[tuple[str, str, str]]) -> list[Narrative]:
    """(section, title, draft) → blocks with the saved text where there is one (one query)."""
    texts = saved(session, network_id, kind, key)
    return [Narrative(section, title, texts[section].text if section in texts else draft, section in texts)
            for section, title, draft in drafts]


def save(session: Session, network_id: int, kind: str, key: str, section: str, text: str,
         user_id: int | None = None) -> NarrativeText | None:
    """Store the methodist's text of a section (None and the row gone: back to the generated draft)."""
    text = "\n".join(line.rstrip() for line in (text or "").replace("\r\n", "\n").split("\n")).strip()[:MAX_TEXT]
    row = session.scalar(sa.select(NarrativeText).where(
        NarrativeText.network_id == network_id, NarrativeText.kind == kind, NarrativeText.key == key,
        NarrativeText.section == section))
    if not text:
        if row is not None:
            session.delete(row)
            session.flush()
        return None
    if row is None:
        row = NarrativeText(network_id=network_id, kind=kind, key=key, section=section, text=text,
                            updated_by_id=user_id)
        session.add(row)
    else:
        row.text, row.updated_by_id = text, user_id
    session.flush()
    return row
