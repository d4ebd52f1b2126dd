"""The notifications area's receivers of the other areas' signals.

Each runs inside the sender's transaction and session: it reads what the texts need and queues
rows (`services.notify`), never commits, never calls the network — so a change that is rolled back
leaves no notification behind. `connect_signals()` is called by the app factory (and by the worker,
whose tasks send signals too).
"""
from __future__ import annotations

import os
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..events.models import Event, EventMeeting
from ..events.signals import signup_changed
from . import services

SIGNUP_KINDS = {"confirmed": "signup_confirmed", "waitlisted": "signup_waitlisted", "promoted": "signup_promoted",
                "cancelled": "signup_cancelled"}


def network_tz() -> str:
    """The zone event times are written in (EVENTS_TIMEZONE, as in the calendar feed)."""
    return os.environ.get("EVENTS_TIMEZONE") or "Europe/Moscow"


def meeting_start(meeting: EventMeeting, tz: str) -> datetime:
    """A meeting's start as an aware UTC datetime (all-day meetings: 9:00 local)."""
    local = datetime.combine(meeting.on_date, meeting.start_time or datetime.min.time().replace(hour=9),
                             tzinfo=ZoneInfo(tz))
    return local.astimezone(timezone.utc)


def event_params(session: Session, event: Event) -> dict:
    """Title, next meeting's start and place, and the zone to write them in."""
    tz = network_tz()
    first = session.scalar(sa.select(EventMeeting).where(EventMeeting.event_id == event.id)
                           .order_by(EventMeeting.on_date, EventMeeting.start_time).limit(1))
    params = {"title": event.title, "tz": tz}
    if first is not None:
        params["at"] = meeting_start(first, tz).isoformat()
        if first.place or first.online_url:
            params["place"] = first.place or first.online_url
    return params


def on_signup_changed(session: Session, event_id: int, person_ids: list[int], change: str, version: int) -> None:
    """Confirmed, waitlisted, moved from the waitlist, cancelled: tell each person."""
    event = session.get(Event, event_id)
    if event is None or change not in SIGNUP_KINDS:
        return
    services.notify(session, network_id=event.network_id, kind=SIGNUP_KINDS[change], person_ids=person_ids,
                    object_key=f"event:{event.id}", moment=f"v{version}", params=event_params(session, event),
                    link=f"/events/{event.id}")


def connect_signals() -> None:
    """Subscribe to the areas' signals (connecting again is harmless)."""
    signup_changed.connect(on_signup_changed)
