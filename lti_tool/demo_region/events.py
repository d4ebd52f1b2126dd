"""The system of events of the year: held ones, this week's still to grade, and upcoming ones.

Held events are spread from the start of the year to last week (at least three weeks back when
the year has just begun); the ones "to grade" had their last session in the past six days; the
upcoming ones start within 45 days, sign-up open and partly filled. A few tutors lead many
events; most participants come from the host's municipality. Grades, completions, protocols
and the LMS side are written by `grades.py`.
"""
from __future__ import annotations

from datetime import date, time, timedelta

from . import parts
from .context import Region, at

# form: (weight, sessions, participants low–high)
FORMS = {"tutorial": (30, (2, 2, 3), (26, 34)), "consultation": (14, (1,), (10, 20)),
         "master_class": (15, (1,), (20, 35)), "immersion_seminar": (8, (2,), (25, 40)),
         "open_demo": (8, (1,), (25, 40)), "problem_group": (8, (2, 3), (12, 20)), "training": (7, (2,), (15, 25)),
         "expert_review": (3, (1,), (5, 10)), "open_day": (4, (1,), (30, 60)), "internship": (3, (3,), (8, 12))}
TIMES = ((time(14, 30), time(16, 0)), (time(10, 0), time(12, 0)), (time(15, 0), time(17, 0)))
EVENT_COLUMNS = ("id", "network_id", "year_id", "form", "topic_id", "title", "description", "host_organization_id",
                 "offering_id", "capacity", "signup_opens_at", "signup_closes_at", "status", "roster_version",
                 "min_sessions", "min_score", "best_practice", "created_by_id", "created_at")


def events(region: Region) -> None:
    """Events with sessions, leaders and participants; `region.events` keeps what grading needs."""
    rng, sizes, today = region.rng("events"), region.sizes, region.today
    upcoming = round(sizes.events * sizes.upcoming_share)
    to_grade = round(sizes.events * sizes.to_grade_share)
    held = max(0, sizes.events - upcoming - to_grade)
    first = min(region.year_start + timedelta(days=10), today - timedelta(days=21))
    last = max(first + timedelta(days=1), today - timedelta(days=8))
    kinds = ["held"] * held + ["to_grade"] * to_grade + ["upcoming"] * upcoming
    tutors = region.kind("tutor")
    lead_weight = [rng.paretovariate(1.3) for _ in tutors]
    teachers_by_town: dict[int, list[dict]] = {}
    for p in region.kind("teacher"):
        teachers_by_town.setdefault(p["town"], []).append(p)
    all_teachers = region.kind("teacher")
    org_of = {o[0]: o for o in region.organizations}
    topics = {t: (n, a) for t, n, a in region.topics}
    offerings = {}
    for o in region.offerings:
        offerings.setdefault((o["topic"], o["form"]), []).append(o)
    methodists = region.kind("methodist") or tutors
    for kind, event_id in zip(kinds, region.bulk.ids("event", len(kinds))):
        form = rng.choices(list(FORMS), [w for w, _s, _p in FORMS.values()])[0]
        _w, session_counts, (low, high) = FORMS[form]
        leads = _leads(rng, tutors, lead_weight)
        host = org_of[leads[0]["org"]]
        audience = "school" if host[1] == "school" else "preschool"
        topic = rng.choice([t for t, (_n, a) in topics.items() if a in (audience, "any")])
        if form == "internship" and region.sites:
            site = rng.choice(region.sites)
            host, topic = org_of[site["org"]], site["topic"]
        n = rng.choice(session_counts)
        days = _days(rng, kind, n, first, last, today)
        choices = offerings.get((topic, form), [])
        own = [o for o in choices if o["kind"] == "person" and o["provider"] in {p["id"] for p in leads}]
        offering = (own or choices or [None])[0] if rng.random() < 0.8 else None
        size = max(2, round(rng.randint(low, high) * sizes.participants_scale))
        capacity = size if kind == "upcoming" else (None if rng.random() < 0.1 else size + rng.randint(0, 5))
        if kind == "upcoming":
            size = max(1, round(size * rng.uniform(0.4, 1.0))) + (rng.randint(1, 5) if rng.random() < 0.1 else 0)
        pool = teachers_by_town.get(host[2], []) if rng.random() < 0.7 else all_teachers
        people = rng.sample(pool if len(pool) >= size else all_teachers, k=min(size, len(all_teachers)))
        region.events.append({
            "id": event_id, "kind": kind, "cancelled": kind == "held" and rng.random() < 0.02, "form": form,
            "topic": topic, "title": f"{parts.FORM_NAMES_RU[form]} «{topics[topic][0]}»", "host": host,
            "offering": offering["id"] if offering else None, "capacity": capacity, "days": days,
            "time": rng.choice(TIMES), "online": rng.random() < 0.2, "leads": leads, "people": people,
            "min_sessions": n if form == "internship" else 1, "min_score": 6.0 if form == "tutorial" else None,
            "best": kind == "held" and rng.random() < 0.05, "by": rng.choice(methodists)["user_id"],
        })
    _write(region)


def _leads(rng, tutors: list[dict], weights: list[float]) -> list[dict]:
    lead = rng.choices(tutors, weights)[0]
    if rng.random() < 0.3:
        other = rng.choices(tutors, weights)[0]
        if other is not lead:
            return [lead, other]
    return [lead]


def _days(rng, kind: str, n: int, first: date, last: date, today: date) -> list[date]:
    """Session dates a week apart: in the held window, ending this week, or ahead."""
    if kind == "held":
        span = max(1, (last - first).days - 7 * (n - 1))
        start = first + timedelta(days=rng.randrange(span))
    elif kind == "to_grade":
        start = today - timedelta(days=rng.randint(1, 6) + 7 * (n - 1))
    else:
        start = today + timedelta(days=rng.randint(1, 45))
    return [start + timedelta(days=7 * k) for k in range(n)]


def _write(region: Region) -> None:
    """Events, sessions, leaders and participants (statuses by kind; grading comes later)."""
    b, rng = region.bulk, region.rng("event-rows")
    events, sessions, leaders, participants = [], [], [], []
    for e in region.events:
        status = "cancelled" if e["cancelled"] else {"held": "held"}.get(e["kind"], "published")
        opens = region.past(e["days"][0] - timedelta(days=30), 9)
        closes = at(e["days"][0] - timedelta(days=1), 20)
        events.append((e["id"], region.network_id, region.year_id, e["form"], e["topic"], e["title"],
                       f"{e['title']}. Место проведения: {e['host'][3]}.", e["host"][0], e["offering"], e["capacity"],
                       opens, closes, status, len(e["people"]), e["min_sessions"], e["min_score"], e["best"], e["by"],
                       region.past(e["days"][0] - timedelta(days=rng.randint(20, 40)), 10)))
        e["sessions"] = list(b.ids("event_session", len(e["days"])))
        starts, ends = e["time"]
        for session_id, day in zip(e["sessions"], e["days"]):
            sessions.append((session_id, e["id"], day, starts, ends, None if e["online"] else e["host"][3],
                             f"https://meet.example.ru/event-{e['id']}" if e["online"] else None))
        leaders += [(e["id"], p["id"], "lead") for p in e["leads"]]
        e["participants"] = []
        full = e["capacity"] if e["kind"] == "upcoming" and e["capacity"] is not None else len(e["people"])
        for seq, (participant_id, p) in enumerate(zip(b.ids("event_participant", len(e["people"])), e["people"]), 1):
            state = ("cancelled" if e["cancelled"] or rng.random() < 0.03 else
                     "registered" if seq <= full else "waitlisted")
            signed = region.past(e["days"][0] - timedelta(days=rng.randint(1, 25)), rng.randint(8, 20))
            participants.append((participant_id, e["id"], p["id"], state, seq, None, signed, signed))
            e["participants"].append((participant_id, p, state))
    b.insert("event", EVENT_COLUMNS, events)
    b.insert("event_session", ("id", "event_id", "on_date", "start_time", "end_time", "place", "online_url"), sessions)
    b.insert("event_leader", ("event_id", "person_id", "kind"), leaders)
    b.insert("event_participant", ("id", "event_id", "person_id", "status", "queue_seq", "added_by_id", "created_at",
                                   "updated_at"), participants)
