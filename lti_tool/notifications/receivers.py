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
from sqlalchemy.orm import Session, selectinload

from sync.signals import grades_failed

from ..commission.models import Candidacy, Decision
from ..commission.signals import decision_recorded
from ..core.clock import as_utc, utcnow
from ..core.grades import ScoreOutbox
from ..core.member_roles import METHODIST, member_roles
from ..core.reference import Person, Topic
from ..events.models import Event, EventLeader, EventMeeting, Participant
from ..events.signals import event_changed, signup_changed
from ..pathways.models import Route, RouteStep, StepComment
from ..pathways.signals import routes_published, step_commented
from ..resource_map.models import Offering
from ..resource_map.signals import offering_created
from ..surveys.audience import audience_of, load_people, members
from ..surveys.models import Survey
from ..surveys.needs import needs_profiles
from ..surveys.signals import survey_opened
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


def on_event_changed(session: Session, event_id: int, change: str) -> None:
    """A meeting added to a published event, or the event cancelled: tell its participants."""
    event = session.get(Event, event_id)
    if event is None:
        return
    people = list(session.scalars(sa.select(Participant.person_id).where(
        Participant.event_id == event.id, Participant.status.in_(("registered", "waitlisted")))))
    services.notify(session, network_id=event.network_id,
                    kind="event_cancelled" if change == "cancelled" else "event_changed", person_ids=people,
                    object_key=f"event:{event.id}", moment=utcnow().isoformat(timespec="seconds"),
                    params=event_params(session, event), link=f"/events/{event.id}")


def on_survey_opened(session: Session, survey_id: int) -> None:
    """A survey opened: everyone in its audience."""
    survey = session.get(Survey, survey_id)
    if survey is None:
        return
    people = members(load_people(session, survey.network_id), audience_of(survey))
    services.notify(session, network_id=survey.network_id, kind="survey_opened", person_ids=people,
                    object_key=f"survey:{survey.id}:v{survey.version}", moment="opened",
                    params={"title": survey.title, "tz": network_tz(),
                            "closes": as_utc(survey.closes_at).isoformat() if survey.closes_at else None},
                    link=f"/surveys/{survey.id}")


def on_routes_published(session: Session, route_ids: list[int]) -> None:
    """Routes (ИПОМ) published: each teacher hears about hers, with its number of steps."""
    routes = list(session.scalars(sa.select(Route).where(Route.id.in_(route_ids))
                                  .options(selectinload(Route.steps))))
    for network_id in {r.network_id for r in routes}:
        services.notify_each(session, network_id=network_id, kind="route_published", items=[
            (r.person_id, f"route:{r.id}", as_utc(r.published_at or utcnow()).isoformat(timespec="seconds"),
             {"steps": len(r.active_steps)}, "/pathways/") for r in routes if r.network_id == network_id])


def on_step_commented(session: Session, step_id: int, comment_id: int) -> None:
    """Someone else (her tutor, a methodist) commented on a step of a teacher's route."""
    comment = session.get(StepComment, comment_id)
    step = session.get(RouteStep, step_id)
    if comment is None or step is None:
        return
    route = session.get(Route, step.route_id)
    if route is None or comment.author_id == route.person_id:
        return
    author = session.get(Person, comment.author_id)
    services.notify(session, network_id=route.network_id, kind="tutor_commented", person_ids=[route.person_id],
                    object_key=f"route:{route.id}", moment=f"comment:{comment.id}",
                    params={"name": author.full_name if author else "", "text": comment.text[:300]},
                    link="/pathways/")


def on_decision_recorded(session: Session, decision_id: int) -> None:
    """The commission decided on a candidacy: the candidate hears it."""
    decision = session.get(Decision, decision_id)
    if decision is None:
        return
    candidacy = session.get(Candidacy, decision.candidacy_id)
    services.notify(session, network_id=candidacy.network_id, kind="commission_decision",
                    person_ids=[candidacy.person_id], object_key=f"candidacy:{candidacy.id}",
                    moment=f"decision:{decision.id}", params={"outcome": decision.outcome}, link=None)


def on_grades_failed(session: Session, outbox_ids: list[int]) -> None:
    """Grades the worker gave up on: the event's tutors and the network's methodists hear it."""
    rows = session.execute(sa.select(ScoreOutbox.network_id, ScoreOutbox.source_key, ScoreOutbox.last_error)
                           .where(ScoreOutbox.id.in_(outbox_ids))).all()
    by_event: dict[tuple[int, int | None], list[str]] = {}
    participant_ids = {int(key.split(":", 1)[1]) for _n, key, _e in rows
                       if key.startswith("event_participant:") and key.split(":", 1)[1].isdigit()}
    event_of = dict(session.execute(sa.select(Participant.id, Participant.event_id)
                                    .where(Participant.id.in_(participant_ids))).all()) if participant_ids else {}
    for network_id, key, error in rows:
        pid = key.split(":", 1)[1] if key.startswith("event_participant:") else ""
        by_event.setdefault((network_id, event_of.get(int(pid)) if pid.isdigit() else None), []).append(error or "")
    methodists: dict[int, list[int]] = {}
    for (network_id, event_id), errors in by_event.items():
        if network_id not in methodists:
            methodists[network_id] = [p for p, roles in member_roles(session, network_id, fallback=False).items()
                                      if METHODIST in roles]
        people = list(methodists[network_id])
        params = {"count": len(errors), "error": errors[-1][:300]}
        if event_id is not None:
            event = session.get(Event, event_id)
            params["title"] = event.title
            people += list(session.scalars(sa.select(EventLeader.person_id).where(EventLeader.event_id == event_id)))
        services.notify(session, network_id=network_id, kind="grade_failed", person_ids=people,
                        object_key=f"grades:event:{event_id}", moment=f"outbox:{max(outbox_ids)}", params=params,
                        link=f"/events/{event_id}" if event_id else "/admin/grades/failed")


TOP_NEEDS = 3  # a new offering is news to those for whom its topic is among their 3 strongest needs


def on_offering_created(session: Session, offering_id: int) -> None:
    """A new offering of the resource map: those whose top needs include its topic."""
    offering = session.get(Offering, offering_id)
    if offering is None:
        return
    # An import creates many offerings in one transaction: the needs are computed once for it.
    cache = session.info.setdefault("notifications_top_needs", {})
    key = (offering.network_id, id(session.get_transaction()))
    if key not in cache:
        cache.clear()
        profiles = needs_profiles(session, offering.network_id)
        cache[key] = {person: {t for t, v in sorted(needs.items(), key=lambda kv: -kv[1])[:TOP_NEEDS] if v > 0}
                      for person, needs in profiles.items()}
    people = [person for person, topics in cache[key].items() if offering.topic_id in topics]
    topic = session.get(Topic, offering.topic_id)
    services.notify(session, network_id=offering.network_id, kind="new_offering", person_ids=people,
                    object_key=f"offering:{offering.id}", moment="new",
                    params={"title": offering.title or (topic.name if topic else ""), "topic": topic.name if topic else ""},
                    link=f"/resource-map/offerings/{offering.id}")


def connect_signals() -> None:
    """Subscribe to the areas' signals (connecting again is harmless: blinker keeps one connection)."""
    signup_changed.connect(on_signup_changed)
    event_changed.connect(on_event_changed)
    survey_opened.connect(on_survey_opened)
    routes_published.connect(on_routes_published)
    step_commented.connect(on_step_commented)
    decision_recorded.connect(on_decision_recorded)
    grades_failed.connect(on_grades_failed)
    offering_created.connect(on_offering_created)
