"""Row ids that arrive from outside (forms, query strings, URLs): parsed within range and checked
against the actor's network in one place.

An id a form carries is a claim, not a fact: before the fix of issue 18, posting another
network's `topic_id` tagged a question with that topic, and its name then showed on the page, so
names of other networks could be read by trying ids. Ids past 64 bits made the database driver
raise (500). Every id from outside goes through `parse_id`, and every id that names a row goes
through `owned` (or `owned_ids`), which refuses unknown ids and other networks' alike.
"""
from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

MAX_ID = 2**31 - 1  # PostgreSQL `integer`; SQLite takes 64 bits, but ids never get near this


class ForeignId(ValueError):
    """An id that is malformed, unknown or another network's; `field` names the form field."""

    def __init__(self, field: str):
        super().__init__(f"{field}: not a row of this network")
        self.field = field


def db_id(value) -> int:
    """`value` as a row id (1 … MAX_ID), else ValueError: usable as `request.args.get(name, type=db_id)`,
    which then gives the default for junk, so no query ever sees an id out of range."""
    text = str(value).strip()
    if not text.isascii() or not text.isdigit():
        raise ValueError("not an id")
    number = int(text)
    if not 1 <= number <= MAX_ID:
        raise ValueError("id out of range")
    return number


def parse_id(value) -> int | None:
    """`value` (form or query text, or an int) as a row id, or None when it is empty or not an id."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return db_id(value)
    except ValueError:
        return None


def owned(session: Session, model, network_id: int, value, *, field: str):
    """The `model` row whose id is `value` in `network_id`; None when `value` is empty.

    ForeignId when the value is not an id, the row does not exist or belongs to another network:
    the three look the same to the caller, so nothing about other networks leaks.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    row_id = parse_id(value)
    row = session.get(model, row_id) if row_id is not None else None
    if row is None or row.network_id != network_id:
        raise ForeignId(field)
    return row


def owned_ids(session: Session, model, network_id: int, values: Iterable, *, field: str) -> list[int]:
    """The ids among `values` that name rows of `model` in `network_id`, in the order given, once
    each; ForeignId when any value does not (one query for all of them)."""
    wanted: list[int] = []
    for value in values:
        row_id = parse_id(value)
        if row_id is None:
            raise ForeignId(field)
        if row_id not in wanted:
            wanted.append(row_id)
    if not wanted:
        return []
    found = set(session.scalars(sa.select(model.id).where(model.id.in_(wanted), model.network_id == network_id)))
    if len(found) != len(wanted):
        raise ForeignId(field)
    return wanted
