"""Upcoming events (filterable by topic and form) and each teacher's iCalendar feed (RFC 5545).

Session dates and times are local times of the network (`tz_name`, Europe/Moscow by default);
the feed gives them in UTC so every calendar app shows them right without a VTIMEZONE.
"""
from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from ..core.clock import utcnow
from ..resource_map.catalog import FORM_NAMES_RU
from .models import CalendarToken, Event, EventMeeting, Participant

DEFAULT_TZ = "Europe/Moscow"
PRODID = "-//TutorNet//Events//RU"
# Calendar-app reminders of a registered person's timed meetings: a day and an hour before, as the
# tool's own reminders by default (the network's offsets live in the notifications area, which the
# events area does not import).
ALARM_HOURS = (24, 1)


def upcoming(session: Session, network_id: int, *, today: date, topic_id: int | None = None,
             form: str | None = None, include_drafts: bool = False) -> list[tuple[EventMeeting, Event]]:
    """Sessions from `today` on, in date order, of published (or, for staff, draft) events."""
    statuses = ("published", "draft") if include_drafts else ("published",)
    query = (sa.select(EventMeeting, Event).join(Event, Event.id == EventMeeting.event_id)
             .where(Event.network_id == network_id, Event.status.in_(statuses), EventMeeting.on_date >= today)
             .order_by(EventMeeting.on_date, EventMeeting.start_time, Event.title))
    if topic_id:
        query = query.where(Event.topic_id == topic_id)
    if form:
        query = query.where(Event.form == form)
    return [(s, e) for s, e in session.execute(query)]


def feed_token(session: Session, network_id: int, person_id: int, *, rotate: bool = False) -> str:
    """The person's feed secret, created on first use; `rotate` replaces it (old URLs stop working)."""
    row = session.scalar(sa.select(CalendarToken).where(CalendarToken.person_id == person_id))
    if row is None:
        row = CalendarToken(network_id=network_id, person_id=person_id, token=secrets.token_urlsafe(32))
        session.add(row)
    elif rotate:
        row.token, row.created_at = secrets.token_urlsafe(32), utcnow()
    session.flush()
    return row.token


def person_for_token(session: Session, token: str) -> CalendarToken | None:
    """The token row of a feed URL, or None."""
    if not token or len(token) > 64:
        return None
    return session.scalar(sa.select(CalendarToken).where(CalendarToken.token == token))


def person_meetings(session: Session, person_id: int) -> list[tuple[EventMeeting, Event, Participant]]:
    """Sessions of the events the person is registered or waitlisted for (not cancelled events)."""
    query = (sa.select(EventMeeting, Event, Participant)
             .join(Event, Event.id == EventMeeting.event_id)
             .join(Participant, Participant.event_id == Event.id)
             .where(Participant.person_id == person_id, Participant.status.in_(("registered", "waitlisted")),
                    Event.status.in_(("published", "held")))
             .options(selectinload(Event.topic))
             .order_by(EventMeeting.on_date, EventMeeting.start_time))
    return [tuple(row) for row in session.execute(query)]


def escape_text(value: str) -> str:
    """TEXT value escaping of RFC 5545 §3.3.11."""
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> str:
    """Fold a content line at 75 octets (continuations start with a space), never inside a character."""
    out, current, size = [], "", 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        limit = 75 if not out else 74  # continuation lines carry the leading space
        if size + width > limit:
            out.append(current)
            current, size = "", 0
        current += ch
        size += width
    out.append(current)
    return "\r\n ".join(out)


def _utc(day: date, at: time | None, tz: ZoneInfo) -> str:
    return datetime.combine(day, at, tzinfo=tz).astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def ics_feed(rows: list[tuple[EventMeeting, Event, Participant]], *, host: str, tz_name: str = DEFAULT_TZ,
             now: datetime | None = None, name: str = "TutorNet", alarm_hours=ALARM_HOURS) -> str:
    """A VCALENDAR with one VEVENT per session; all-day when the session has no start time.

    Timed meetings the person is registered for carry a VALARM (RFC 5545 §3.6.6) per `alarm_hours`.
    """
    tz = ZoneInfo(tz_name)
    stamp = (now or utcnow()).astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{escape_text(name)}"]
    for s, event, participant in rows:
        lines += ["BEGIN:VEVENT", f"UID:event-session-{s.id}@{host}", f"DTSTAMP:{stamp}"]
        if s.start_time:
            end = s.end_time or (datetime.combine(s.on_date, s.start_time) + timedelta(hours=1)).time()
            lines += [f"DTSTART:{_utc(s.on_date, s.start_time, tz)}", f"DTEND:{_utc(s.on_date, end, tz)}"]
        else:
            lines += [f"DTSTART;VALUE=DATE:{s.on_date:%Y%m%d}",
                      f"DTEND;VALUE=DATE:{s.on_date + timedelta(days=1):%Y%m%d}"]
        summary = f"{FORM_NAMES_RU.get(event.form, event.form)}: {event.title}"
        lines.append(f"SUMMARY:{escape_text(summary)}")
        description = event.description or ""
        if participant.status == "waitlisted":
            description = ("Лист ожидания. " + description).strip()
        if description:
            lines.append(f"DESCRIPTION:{escape_text(description)}")
        if s.place or s.online_url:
            lines.append(f"LOCATION:{escape_text(s.place or s.online_url)}")
        if s.online_url:
            lines.append(f"URL:{s.online_url}")
        lines.append("STATUS:" + ("TENTATIVE" if participant.status == "waitlisted" else "CONFIRMED"))
        if s.start_time and participant.status == "registered":
            for hours in alarm_hours:
                lines += ["BEGIN:VALARM", "ACTION:DISPLAY", f"DESCRIPTION:{escape_text(summary)}",
                          f"TRIGGER:-PT{int(hours)}H", "END:VALARM"]
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
