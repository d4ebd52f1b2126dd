"""Queue notifications by the network's and each person's choices; the centre; the settings.

Plain functions on a `Session`: they add and flush, the caller (a view, a task, or the sender of a
signal) commits. `notify` runs inside the transaction of the change that caused it.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..core.clock import utcnow
from ..core.notices import Notice, queue_notices
from .kinds import CHANNELS, KINDS, options
from .models import NetworkNotificationKind, NotificationPreference, NotificationProfile

PAGE_SIZE = 30


class NotificationError(ValueError):
    """Bad input to a settings change (shown to the user)."""


def network_kinds(session: Session, network_id: int) -> dict[str, tuple[bool, dict]]:
    """Every kind: (on?, options) for the network (stored rows over the defaults: on)."""
    stored = {row.kind: row for row in session.scalars(
        sa.select(NetworkNotificationKind).where(NetworkNotificationKind.network_id == network_id))}
    return {kind: (stored[kind].enabled if kind in stored else True,
                   options(kind, stored[kind].options if kind in stored else None)) for kind in KINDS}


def kind_setting(session: Session, network_id: int, kind: str) -> tuple[bool, dict]:
    """(on?, options) of one kind in the network: one statement."""
    row = session.scalar(sa.select(NetworkNotificationKind).where(
        NetworkNotificationKind.network_id == network_id, NetworkNotificationKind.kind == kind))
    return (row.enabled if row else True), options(kind, row.options if row else None)


def set_network_kinds(session: Session, network_id: int, enabled: set[str], hours_before: list[int] | None = None) -> None:
    """Switch the network's kinds (those in `enabled` on, the rest off) and the reminder hours."""
    stored = {row.kind: row for row in session.scalars(
        sa.select(NetworkNotificationKind).where(NetworkNotificationKind.network_id == network_id))}
    for kind in KINDS:
        row = stored.get(kind) or NetworkNotificationKind(network_id=network_id, kind=kind, options={})
        row.enabled = kind in enabled
        if kind == "event_reminder" and hours_before is not None:
            if not hours_before or any(h < 1 or h > 24 * 14 for h in hours_before):
                raise NotificationError("hours")
            row.options = {**(row.options or {}), "hours_before": sorted(set(hours_before), reverse=True)}
        session.add(row)
    session.flush()


def notify(session: Session, *, network_id: int, kind: str, person_ids, object_key: str, moment: str | datetime,
           params: dict, link: str | None = None, now: datetime | None = None) -> int:
    """Queue `kind` for each person, by the network's switch and each person's channels.

    A person who switched both channels off gets no row; the email side of a row is `pending`
    (the worker decides at sending time about digest, quiet hours and addresses). Queuing the same
    (kind, object, person, moment) twice adds nothing. Returns how many rows were new.
    """
    return notify_each(session, network_id=network_id, kind=kind, now=now,
                       items=[(pid, object_key, moment, params, link) for pid in sorted(set(person_ids))])


def notify_each(session: Session, *, network_id: int, kind: str, items: list[tuple], now: datetime | None = None) -> int:
    """`notify` for items that differ per person: (person_id, object_key, moment, params, link) each;
    the network's switch and the people's choices are read once (three statements and the insert,
    whatever the number of items)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    person_ids = sorted({item[0] for item in items})
    if not person_ids or not kind_setting(session, network_id, kind)[0]:
        return 0
    off: dict[int, set[str]] = {}
    for pid, channel in session.execute(
            sa.select(NotificationPreference.person_id, NotificationPreference.channel)
            .where(NotificationPreference.person_id.in_(person_ids), NotificationPreference.kind == kind,
                   NotificationPreference.enabled.is_(False))):
        off.setdefault(pid, set()).add(channel)
    email_off = set(session.scalars(sa.select(NotificationProfile.person_id).where(
        NotificationProfile.person_id.in_(person_ids), NotificationProfile.email_off.is_(True))))
    now = now or utcnow()
    rows = []
    for pid, object_key, moment, params, link in items:
        in_app = "app" not in off.get(pid, ())
        email = "email" not in off.get(pid, ()) and pid not in email_off
        if in_app or email:
            rows.append(dict(network_id=network_id, person_id=pid, kind=kind, object_key=object_key,
                             moment=moment.isoformat() if isinstance(moment, datetime) else str(moment),
                             params=params, link=link, in_app=in_app, email_status="pending" if email else "none",
                             next_attempt_at=now, created_at=now))
    return queue_notices(session, rows)


def centre(session: Session, person_id: int, page: int = 1) -> tuple[int, list[Notice]]:
    """(total, one page of the person's centre items, newest first)."""
    where = (Notice.person_id == person_id, Notice.in_app.is_(True))
    total = session.scalar(sa.select(sa.func.count(Notice.id)).where(*where)) or 0
    items = list(session.scalars(sa.select(Notice).where(*where).order_by(Notice.id.desc())
                                 .limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE)))
    return total, items


def mark_read(session: Session, person_id: int, notice_id: int | None = None) -> int:
    """Mark one item (or, with None, every item) of the person read; returns how many changed."""
    query = sa.update(Notice).where(Notice.person_id == person_id, Notice.read_at.is_(None))
    if notice_id is not None:
        query = query.where(Notice.id == notice_id)
    return session.execute(query.values(read_at=utcnow())).rowcount


def preferences(session: Session, person_id: int) -> dict[tuple[str, str], bool]:
    """(kind, channel) → on, for every kind and channel."""
    stored = {(p.kind, p.channel): p.enabled for p in session.scalars(
        sa.select(NotificationPreference).where(NotificationPreference.person_id == person_id))}
    return {(k, c): stored.get((k, c), True) for k in KINDS for c in CHANNELS}


def set_preferences(session: Session, person_id: int, enabled: set[tuple[str, str]]) -> None:
    """Store the person's choices: the (kind, channel) pairs in `enabled` on, the others off."""
    stored = {(p.kind, p.channel): p for p in session.scalars(
        sa.select(NotificationPreference).where(NotificationPreference.person_id == person_id))}
    for kind in KINDS:
        for channel in CHANNELS:
            row = stored.get((kind, channel))
            on = (kind, channel) in enabled
            if row is None and not on:
                session.add(NotificationPreference(person_id=person_id, kind=kind, channel=channel, enabled=False))
            elif row is not None:
                row.enabled = on
    session.flush()


def profile(session: Session, network_id: int, person_id: int) -> NotificationProfile:
    """The person's delivery profile (created on first need)."""
    row = session.scalar(sa.select(NotificationProfile).where(NotificationProfile.person_id == person_id))
    if row is None:
        row = NotificationProfile(network_id=network_id, person_id=person_id, daily_digest=False, email_off=False)
        session.add(row)
        session.flush()
    return row


def unsubscribe(session: Session, network_id: int, person_id: int, kind: str | None) -> None:
    """One-click unsubscribe: email of `kind` off (every email when None); pending ones are dropped."""
    if kind is None:
        profile(session, network_id, person_id).email_off = True
    else:
        if kind not in KINDS:
            raise NotificationError("kind")
        row = session.scalar(sa.select(NotificationPreference).where(
            NotificationPreference.person_id == person_id, NotificationPreference.kind == kind,
            NotificationPreference.channel == "email"))
        if row is None:
            session.add(NotificationPreference(person_id=person_id, kind=kind, channel="email", enabled=False))
        else:
            row.enabled = False
    query = sa.update(Notice).where(Notice.person_id == person_id, Notice.email_status.in_(("pending", "digest")))
    if kind is not None:
        query = query.where(Notice.kind == kind)
    session.execute(query.values(email_status="suppressed"))
    session.flush()
