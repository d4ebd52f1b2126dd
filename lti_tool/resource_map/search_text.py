"""The normalised search column of offerings (`Offering.search_text`).

SQLite's lower() folds ASCII only and PostgreSQL's depends on the collation, so Russian
case-insensitive search cannot rely on the database: Python casefolds the words a user may look
for (title, description, topic, form, provider and its organization, municipality) into one
column, and the search matches the casefolded query with LIKE on both backends.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from ..core.reference import Organization, Person, Topic
from .catalog import FORM_NAMES_RU
from .models import Cluster, InternshipSite, Offering


def fold(text: str | None) -> str:
    """Case- and ё-insensitive form of a text (Python's casefold knows Cyrillic)."""
    return " ".join((text or "").casefold().replace("ё", "е").split())


def like_pattern(query: str) -> str:
    """A LIKE pattern for a folded query, with LIKE's wildcards escaped (escape char '\\')."""
    text = fold(query).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{text}%"


def refresh_search_text(session: Session, network_id: int, condition=None) -> int:
    """Recompute `search_text` of the network's offerings matching `condition` in two queries."""
    session.flush()
    any_org = aliased(Organization)
    org_id = sa.func.coalesce(Offering.organization_id, Person.organization_id, InternshipSite.organization_id)
    query = (
        sa.select(Offering.id, Offering.title, Offering.description, Offering.form, Offering.schedule,
                  Topic.name, Person.full_name, Cluster.name, any_org.name, any_org.number,
                  any_org.municipality)
        .join(Topic, Topic.id == Offering.topic_id)
        .outerjoin(Person, Person.id == Offering.person_id)
        .outerjoin(Cluster, Cluster.id == Offering.cluster_id)
        .outerjoin(InternshipSite, InternshipSite.id == Offering.internship_site_id)
        .outerjoin(any_org, any_org.id == org_id)
        .where(Offering.network_id == network_id)
    )
    if condition is not None:
        query = query.where(condition)
    updates = []
    for row in session.execute(query):
        offering_id, form = row[0], row[3]
        parts = [p for p in row[1:] if isinstance(p, str)] + [FORM_NAMES_RU.get(form, "")]
        updates.append({"id": offering_id, "search_text": fold(" | ".join(parts))})
    if updates:
        session.execute(sa.update(Offering), updates)
    # Bulk UPDATE by primary key bypasses the identity map: keep loaded objects in step.
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Offering):
            session.expire(obj, ["search_text"])
    return len(updates)
