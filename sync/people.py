"""Network persons for users met in a roster pull, in bulk.

The same rules as `lti_tool.core.people.ensure_person` (linked already, else an unlinked
person of the network with the same email, else a new person), with a few queries per page of
members instead of several per member.
"""
from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lti_tool.core.reference import Person

from .db import among

_PG_PERSONS = sa.text("""
    INSERT INTO person (network_id, user_id, full_name, email, is_tutor)
    SELECT network_id, user_id, full_name, email, false
    FROM json_to_recordset(CAST(:doc AS json)) AS t(network_id integer, user_id integer, full_name text, email text)
""")


def display_name(row: dict) -> str:
    """Same rule as `User.display_name`: full name, else family+given, else email, else sub."""
    full = " ".join(p for p in (row.get("family_name"), row.get("given_name")) if p)
    return row.get("name") or full or row.get("email") or row["sub"]


def ensure_persons(session: Session, network_id: int, users: list[dict]) -> int:
    """Make sure each user (dicts with id, sub, names, email) has a person in the network.

    Returns how many persons were created or linked.
    """
    ids = [u["id"] for u in users]
    linked = set(session.scalars(sa.select(Person.user_id).where(Person.network_id == network_id,
                                                                 among(session, Person.user_id, ids))))
    missing = [u for u in users if u["id"] not in linked]
    if not missing:
        return 0
    by_email: dict[str, dict] = {}
    for u in missing:
        if u.get("email"):
            by_email.setdefault(u["email"].lower(), u)
    links: list[dict] = []
    if by_email:
        rows = session.execute(
            sa.select(Person.id, sa.func.lower(Person.email)).where(
                Person.network_id == network_id, Person.user_id.is_(None),
                among(session, sa.func.lower(Person.email), list(by_email), sa.Text),
            ).order_by(Person.id)
        ).all()
        for person_id, email in rows:
            user = by_email.pop(email, None)
            if user is not None:
                links.append({"id": person_id, "user_id": user["id"]})
    if links:
        session.execute(sa.update(Person), links)
    matched = {link["user_id"] for link in links}
    new = [{"network_id": network_id, "user_id": u["id"], "full_name": display_name(u), "email": u.get("email")}
           for u in missing if u["id"] not in matched]
    if new and session.get_bind().dialect.name == "postgresql":
        session.execute(_PG_PERSONS, {"doc": json.dumps(new, ensure_ascii=False)})
    elif new:
        session.execute(sa.insert(Person), new)
    return len(links) + len(new)
