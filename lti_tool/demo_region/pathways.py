"""The teachers' routes (ИПОМ): the tool's planner on the needs survey, published, then lived.

The route planner itself runs over the whole region (its proposal is the stored run a methodist
reviews); publishing writes the proposal's routes in bulk, as `pathways.publishing` would one
by one. Then the year so far: steps whose event the teacher completed are done, the others by
their dates, completed events added as steps, self-education tasks, a tutor attached to every
route and a few tutor comments.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa

from . import parts
from .context import Region
from .vocabulary import GOALS, REFLECTIONS, SELF_STEPS

STEP_COLUMNS = ("route_id", "kind", "self_kind", "offering_id", "event_id", "topic_id", "form", "title",
                "planned_start", "planned_end", "status", "evidence", "reflection", "source", "position",
                "completed_at", "created_at", "updated_at")


def routes(region: Region) -> None:
    """Plan, publish and progress the routes of every teacher who answered the needs survey."""
    session, b, rng = region.bulk.session, region.bulk, region.rng("routes")
    methodist = (region.kind("methodist") or region.people)[0]
    settings = parts.planning.RunSettings(steps_per_teacher=3, min_need=0.5,
                                          plan_start=region.year_start.isoformat(),
                                          plan_end=region.year_end.isoformat())
    run = parts.planning.run_planner(session, region.network_id, region.year_id, settings,
                                     created_by_id=methodist["user_id"])
    published = region.past(region.year_start + timedelta(days=35), 15)
    run.created_at, run.status, run.published_at = published - timedelta(minutes=20), "published", published
    session.flush()
    proposal = run.proposal
    by_teacher: dict[int, list[dict]] = {}
    for step in proposal.get("steps", []):
        by_teacher.setdefault(step["teacher"], []).append(step)
    goals = {teacher: [k for k, _n in top] for teacher, top in proposal.get("needs", [])}
    teachers = [t for t in proposal.get("teachers", []) if by_teacher.get(t)]
    route_ids = dict(zip(teachers, b.ids("pathway_route", len(teachers))))
    b.insert("pathway_route", ("id", "network_id", "person_id", "year_id", "goals", "goal_topic_ids", "status",
                               "published_at", "plan_run_id", "created_by_id", "created_at", "updated_at"),
             [(route_ids[t], region.network_id, t, region.year_id, rng.choice(GOALS) if rng.random() < 0.5 else None,
               goals.get(t, []), "published", published, run.id, methodist["user_id"], published, published)
              for t in teachers])
    region.routes = route_ids
    _steps(region, by_teacher, route_ids, published, rng)
    _tutors(region, route_ids, rng)
    # A pairing proposal for the teachers still without a tutor, as a methodist would ask for one.
    parts.tutoring.run_pairing(session, region.network_id, region.year_id, created_by_id=methodist["user_id"])


def _steps(region: Region, by_teacher: dict, route_ids: dict, published, rng) -> None:
    """Planner steps with their progress, completed events, self-education tasks."""
    offerings = {o["id"]: o for o in region.offerings}
    realised = {}  # (offering, person) → event completed by that person realising the offering
    events = {e["id"]: e for e in region.events}
    for person_id, event_ids in region.completed.items():
        for event_id in event_ids:
            if events[event_id]["offering"]:
                realised[(events[event_id]["offering"], person_id)] = events[event_id]
    rows = []
    for teacher, route_id in route_ids.items():
        position, linked = 0, set()
        for s in sorted(by_teacher[teacher], key=lambda s: s["order"]):
            position += 1
            o = offerings[s["offering"]]
            event = realised.get((o["id"], teacher))
            status, done_on = _progress(rng, region, o["starts"], o["ends"])
            if event:
                status, done_on = "done", event["days"][-1]
                linked.add(event["id"])
            rows.append(_row(region, rng, route_id, "offering", None, o["id"], event["id"] if event else None,
                             o["topic"], o["form"], o["title"], o["starts"], o["ends"], status, done_on, "planner",
                             position, published))
        for event_id in sorted(region.completed.get(teacher, set()) - linked):
            if rng.random() < 0.5:
                e, position = events[event_id], position + 1
                rows.append(_row(region, rng, route_id, "event", None, None, e["id"], e["topic"], e["form"],
                                 e["title"], e["days"][0], e["days"][-1], "done", e["days"][-1], "manual", position,
                                 region.past(e["days"][0] - timedelta(days=3))))
        for _ in range(min(3, int(rng.expovariate(1.0) + 0.75))):
            self_kind, title = rng.choice(SELF_STEPS)
            status, done_on = _progress(rng, region, None, None)
            position += 1
            rows.append(_row(region, rng, route_id, "self_education", self_kind, None, None, None, "self_education",
                             title, None, None, status, done_on, "manual", position, published + timedelta(days=3)))
    region.bulk.insert("pathway_step", STEP_COLUMNS, rows)


def _progress(rng, region: Region, starts: date | None, ends: date | None) -> tuple[str, date | None]:
    """(status, day done) by the step's dates; undated steps by how much of the year has passed."""
    today = region.today
    elapsed = max(0.0, min(1.0, (today - region.year_start).days / 365))
    roll = rng.random()
    if ends is not None and ends < today:
        status = "done" if roll < 0.6 else "in_progress" if roll < 0.8 else "planned"
    elif starts is not None and starts < today:
        status = "in_progress" if roll < 0.4 else "planned"
    elif starts is None:
        status = "done" if roll < elapsed * 0.8 else "in_progress" if roll < elapsed * 1.6 else "planned"
    else:
        status = "planned"
    if status != "done":
        return status, None
    low = starts or region.year_start
    high = min(ends or today, today - timedelta(days=1))
    return status, low + timedelta(days=rng.randint(0, max(0, (high - low).days)))


def _row(region, rng, route_id, kind, self_kind, offering, event, topic, form, title, starts, ends, status, done_on,
         source, position, created):
    done = status == "done"
    return (route_id, kind, self_kind, offering, event, topic, form, title[:512], starts, ends, status,
            ("Конспект и фотоотчёт в портфолио педагога" if done and rng.random() < 0.5 else None),
            (rng.choice(REFLECTIONS) if done and rng.random() < 0.5 else None), source, position,
            region.past(done_on, 16) if done else None, created, region.past(done_on, 16) if done else created)


def _tutors(region: Region, route_ids: dict, rng) -> None:
    """A tutor of the teacher's municipality attached to every route, and some of their comments."""
    tutors_by_town: dict[int, list[dict]] = {}
    for p in region.kind("tutor"):
        tutors_by_town.setdefault(p["town"], []).append(p)
    tutors = region.kind("tutor")
    town = {p["id"]: p["town"] for p in region.people}
    rows = []
    for teacher, route_id in route_ids.items():
        tutor = rng.choice(tutors_by_town.get(town[teacher]) or tutors)
        rows.append((route_id, tutor["id"], region.past(region.year_start + timedelta(days=40))))
    region.bulk.insert("pathway_route_tutor", ("route_id", "tutor_id", "created_at"), rows)
    step, route = region.bulk.table("pathway_step"), region.bulk.table("pathway_route")
    done = region.bulk.session.execute(
        sa.select(step.c.id, step.c.route_id, step.c.completed_at).join(route, route.c.id == step.c.route_id)
        .where(route.c.network_id == region.network_id, step.c.status == "done").order_by(step.c.id)).all()
    tutor_of = {route_id: tutor_id for route_id, tutor_id, _c in rows}
    comments = [(step_id, tutor_of[route_id], "Хороший результат! Поделитесь опытом на заседании тьюторского совета.",
                 min(_utc(completed) + timedelta(days=1), region.now)) for step_id, route_id, completed in done
                if rng.random() < 0.1]
    region.bulk.insert("pathway_step_comment", ("step_id", "author_id", "text", "created_at"), comments)


def _utc(value: datetime) -> datetime:
    """SQLite returns naive datetimes; they were written in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
