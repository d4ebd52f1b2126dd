"""Notifications that time makes due: event reminders, surveys closing soon, reminders to those
who have not answered. Beat runs `due(…)` every NOTIFY_SCHEDULE_SECONDS; running it twice (two beat
processes) queues nothing twice, because each reminder's moment is part of its idempotency key.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..events.models import Event, EventMeeting, Participant
from ..surveys.audience import audience_of, load_people, members, respondents
from ..surveys.models import Survey
from . import services
from .receivers import meeting_start, network_tz

MAX_HOURS_BEFORE = 336  # the largest reminder offset a network may set (two weeks)


def reminder_offset(start: datetime, now: datetime, hours_before: list[int]) -> int | None:
    """The reminder due now for a meeting at `start`: the smallest offset whose time has come (a
    person who signs up 3 hours before gets the 1-hour reminder only, not a late 24-hour one)."""
    if now >= start:
        return None
    due = [h for h in hours_before if start - timedelta(hours=h) <= now]
    return min(due) if due else None


def event_reminders(session: Session, now: datetime) -> int:
    """Remind the registered participants of meetings that start soon, by each network's offsets."""
    tz = network_tz()
    settings: dict[int, tuple[bool, dict]] = {}
    today = now.date()
    rows = session.execute(
        sa.select(EventMeeting, Event).join(Event, Event.id == EventMeeting.event_id)
        .where(Event.status == "published", EventMeeting.on_date >= today - timedelta(days=1),
               EventMeeting.on_date <= today + timedelta(hours=MAX_HOURS_BEFORE + 24))).all()
    due: list[tuple[EventMeeting, Event, int, datetime]] = []
    for meeting, event in rows:
        if event.network_id not in settings:
            settings[event.network_id] = services.kind_setting(session, event.network_id, "event_reminder")
        on, options = settings[event.network_id]
        start = meeting_start(meeting, tz)
        hours = reminder_offset(start, now, list(options.get("hours_before", [])))
        if on and hours is not None:
            due.append((meeting, event, hours, start))
    if not due:
        return 0
    people: dict[int, list[int]] = {}
    for event_id, person_id in session.execute(
            sa.select(Participant.event_id, Participant.person_id).where(
                Participant.event_id.in_({e.id for _m, e, _h, _s in due}), Participant.status == "registered")):
        people.setdefault(event_id, []).append(person_id)
    queued = 0
    for meeting, event, hours, start in due:
        params = {"title": event.title, "tz": tz, "at": start.isoformat(), "hours": hours}
        if meeting.place or meeting.online_url:
            params["place"] = meeting.place or meeting.online_url
        queued += services.notify(session, network_id=event.network_id, kind="event_reminder",
                                  person_ids=people.get(event.id, []), object_key=f"meeting:{meeting.id}",
                                  moment=f"{hours}h", params=params, link=f"/events/{event.id}", now=now)
    return queued


def survey_reminders(session: Session, now: datetime) -> int:
    """Open surveys: those who have not answered hear that it closes soon, and days after it opened."""
    surveys = list(session.scalars(sa.select(Survey).where(Survey.status == "open")))
    queued = 0
    answered = respondents(session, surveys) if surveys else {}
    people_of: dict[int, object] = {}
    tz = network_tz()
    for survey in surveys:
        plans = []
        on, options = services.kind_setting(session, survey.network_id, "survey_closing")
        closes = survey.closes_at.replace(tzinfo=survey.closes_at.tzinfo or now.tzinfo) if survey.closes_at else None
        if on and closes and now < closes:
            due = [h for h in options.get("hours_before", []) if closes - timedelta(hours=h) <= now]
            if due:
                plans.append(("survey_closing", f"{min(due)}h"))
        on, options = services.kind_setting(session, survey.network_id, "survey_reminder")
        opened = survey.opens_at or survey.created_at
        opened = opened.replace(tzinfo=opened.tzinfo or now.tzinfo)
        if on and (closes is None or now < closes):
            due = [d for d in options.get("days_after_open", []) if opened + timedelta(days=d) <= now]
            if due:
                plans.append(("survey_reminder", f"{max(due)}d"))
        if not plans:
            continue
        if survey.network_id not in people_of:
            people_of[survey.network_id] = load_people(session, survey.network_id)
        waiting = members(people_of[survey.network_id], audience_of(survey)) - answered.get(survey.id, set())
        params = {"title": survey.title, "tz": tz, "closes": closes.isoformat() if closes else None}
        for kind, moment in plans:
            queued += services.notify(session, network_id=survey.network_id, kind=kind, person_ids=waiting,
                                      object_key=f"survey:{survey.id}:v{survey.version}", moment=moment,
                                      params=params, link=f"/surveys/{survey.id}", now=now)
    return queued


def due(session: Session, now: datetime) -> dict:
    """Queue every reminder due at `now` (the caller commits)."""
    return {"event_reminder": event_reminders(session, now), "surveys": survey_reminders(session, now)}


