"""The pages of a generated region worth measuring, and who opens them.

`representatives` picks, from the tables, one person per role and the rows their journeys touch
(the tutor of the biggest event still to grade, an upcoming event with free seats, the open
self-assessment, the latest planner run …). `pages` lists every page as (name, role, method,
path, form). The statement-count tests, the single-client benchmark and the load test all use
these, so a page is measured the same way everywhere.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .parts import METADATA

T = METADATA.tables


@dataclass(frozen=True)
class Page:
    """One request of a journey. `form`: POST fields (a list of pairs: repeated names allowed)."""

    name: str
    role: str  # teacher | tutor | methodist | admin
    path: str
    method: str = "GET"
    form: tuple[tuple[str, str], ...] = ()
    background: bool = False  # a region-sized export: measured, not part of the interactive mix


@dataclass
class Picks:
    """Ids of the representative people and rows (see the module docstring)."""

    network_id: int
    users: dict[str, int] = field(default_factory=dict)  # role → user id
    persons: dict[str, int] = field(default_factory=dict)  # role → person id
    ids: dict[str, int] = field(default_factory=dict)


def _one(session: Session, query) -> int | None:
    return session.execute(query.limit(1)).scalar()


def representatives(session: Session, network_id: int) -> Picks:
    """Pick the representative rows of the network (deterministic: the largest, then the lowest id)."""
    picks = Picks(network_id)
    ev, es, ep, el = T["event"], T["event_session"], T["event_participant"], T["event_leader"]
    person, enrollment, route = T["person"], T["enrollment"], T["pathway_route"]
    survey, response, run = T["survey"], T["survey_response"], T["pathway_plan_run"]
    registered = (sa.select(sa.func.count()).where(ep.c.event_id == ev.c.id, ep.c.status == "registered")
                  .scalar_subquery())
    ungraded = sa.exists().where(es.c.event_id == ev.c.id, es.c.on_date < sa.func.current_date(),
                                 ~sa.exists().where(T["event_attendance"].c.session_id == es.c.id))
    # Preferably an event under way (an earlier session graded: its gradebook column exists), so
    # regions of any size compare the same kind of save.
    under_way = sa.exists().where(es.c.event_id == ev.c.id, sa.exists().where(
        T["event_attendance"].c.session_id == es.c.id))
    picks.ids["grade_event"] = _one(session, sa.select(ev.c.id).where(ev.c.network_id == network_id,
                                                                      ev.c.status == "published", ungraded)
                                    .order_by(under_way.desc(), registered.desc(), ev.c.id))
    picks.ids["grade_session"] = _one(session, sa.select(es.c.id).where(
        es.c.event_id == picks.ids["grade_event"], es.c.on_date < sa.func.current_date(),
        ~sa.exists().where(T["event_attendance"].c.session_id == es.c.id)).order_by(es.c.on_date.desc()))
    picks.persons["tutor"] = _one(session, sa.select(el.c.person_id).where(el.c.event_id == picks.ids["grade_event"])
                                  .order_by(el.c.id))
    picks.ids["upcoming_event"] = _one(session, sa.select(ev.c.id).where(
        ev.c.network_id == network_id, ev.c.status == "published", ev.c.signup_closes_at > sa.func.now(),
        sa.or_(ev.c.signup_opens_at.is_(None), ev.c.signup_opens_at <= sa.func.now()),
        sa.or_(ev.c.capacity.is_(None), ev.c.capacity > registered)).order_by((ev.c.capacity - registered).desc(),
                                                                              ev.c.id))
    picks.ids["held_event"] = _one(session, sa.select(ev.c.id).where(ev.c.network_id == network_id,
                                                                     ev.c.status == "held")
                                   .order_by(registered.desc(), ev.c.id))
    kinds = dict(session.execute(sa.select(survey.c.kind, sa.func.min(survey.c.id)).where(
        survey.c.network_id == network_id).group_by(survey.c.kind)).all())
    picks.ids["needs_survey"] = kinds.get("needs")
    picks.ids["start_survey"] = kinds.get("self_assessment")
    picks.ids["open_survey"] = _one(session, sa.select(survey.c.id).where(
        survey.c.network_id == network_id, survey.c.status == "open").order_by(survey.c.id.desc()))
    # The teacher: has a published route, has not answered the open survey, is not signed up yet.
    steps = sa.select(sa.func.count()).where(T["pathway_step"].c.route_id == route.c.id).scalar_subquery()
    picks.persons["teacher"] = _one(session, sa.select(route.c.person_id).where(
        route.c.network_id == network_id, route.c.status == "published",
        ~sa.exists().where(response.c.person_id == route.c.person_id, response.c.survey_id == picks.ids["open_survey"]),
        ~sa.exists().where(ep.c.person_id == route.c.person_id, ep.c.event_id == picks.ids["upcoming_event"]))
        .order_by(steps.desc(), route.c.person_id))
    picks.ids["route"] = _one(session, sa.select(route.c.id).where(route.c.person_id == picks.persons["teacher"]))
    roles = session.execute(sa.select(person.c.id, person.c.user_id, enrollment.c.lti_roles)
                            .join(enrollment, enrollment.c.user_id == person.c.user_id)
                            .where(person.c.network_id == network_id).order_by(person.c.id).limit(50)).all()
    picks.persons["methodist"] = next(p for p, _u, r in roles if any(str(x).endswith("#ContentDeveloper") for x in r))
    picks.persons["admin"] = picks.persons["methodist"]
    users = dict(session.execute(sa.select(person.c.id, person.c.user_id)
                                 .where(person.c.id.in_(list(picks.persons.values())))).all())
    picks.users = {role: users[p] for role, p in picks.persons.items()}
    picks.ids["run"] = _one(session, sa.select(run.c.id).where(run.c.network_id == network_id).order_by(run.c.id.desc()))
    for name, table in (("cluster", "cluster"), ("offering", "offering"), ("organization", "organization"),
                        ("candidacy", "commission_candidacy"), ("pairing_run", "pathway_pairing_run")):
        picks.ids[name] = _one(session, sa.select(T[table].c.id).where(T[table].c.network_id == network_id)
                               .order_by(T[table].c.id))
    picks.ids["meeting"] = _one(session, sa.select(T["commission_meeting"].c.id).where(
        T["commission_meeting"].c.network_id == network_id).order_by(T["commission_meeting"].c.id))
    picks.ids["decision"] = _one(session, sa.select(T["commission_decision"].c.id).join(
        T["commission_candidacy"], T["commission_candidacy"].c.id == T["commission_decision"].c.candidacy_id).where(
        T["commission_candidacy"].c.network_id == network_id).order_by(T["commission_decision"].c.id))
    picks.ids["course"] = _one(session, sa.select(T["course"].c.id).where(T["course"].c.network_id == network_id)
                               .order_by(T["course"].c.id))
    picks.ids["tutor_route"] = _one(session, sa.select(T["pathway_route_tutor"].c.route_id).where(
        T["pathway_route_tutor"].c.tutor_id == picks.persons["tutor"]).order_by(T["pathway_route_tutor"].c.route_id))
    return picks


def pages(session: Session, picks: Picks, rng: random.Random | None = None) -> list[Page]:
    """Every measured page of the region, in journey order per role."""
    rng = rng or random.Random(26)
    i = picks.ids
    event, upcoming, held, session_id = i["grade_event"], i["upcoming_event"], i["held_event"], i["grade_session"]
    result = [
        Page("start page", "teacher", "/"),
        Page("my route", "teacher", "/pathways/"),
        Page("surveys", "teacher", "/surveys/"),
        Page("survey form", "teacher", f"/surveys/{i['open_survey']}"),
        Page("events", "teacher", "/events/"),
        Page("event (teacher)", "teacher", f"/events/{upcoming}"),
        Page("calendar", "teacher", "/events/calendar"),
        Page("resource map", "teacher", "/resource-map/"),
        Page("offering", "teacher", f"/resource-map/offerings/{i['offering']}"),
        Page("organizations", "teacher", "/resource-map/organizations"),
        Page("survey submit", "teacher", f"/surveys/{i['open_survey']}", "POST",
             survey_form(session, picks, i["open_survey"], rng)),
        Page("sign-up", "teacher", f"/events/{upcoming}/signup", "POST"),
        Page("event (tutor, LMS roster)", "tutor", f"/events/{event}"),
        Page("grading page", "tutor", f"/events/sessions/{session_id}/grading"),
        Page("save grades", "tutor", f"/events/sessions/{session_id}/grading", "POST",
             grading_form(session, event, rng)),
        Page("portfolio (tutor)", "tutor", "/pathways/portfolio"),
        Page("consultations (tutor)", "tutor", "/pathways/consultations"),
        Page("route (tutor)", "tutor", f"/pathways/routes/{i['tutor_route']}"),
        Page("my events", "tutor", "/events/mine"),
        Page("my teachers", "tutor", "/pathways/my-teachers"),
        Page("my year", "teacher", "/pathways/year"),
        Page("dashboard", "methodist", "/reports/"),
        Page("yearly report", "methodist", "/reports/yearly"),
        Page("clusters report", "methodist", "/reports/clusters"),
        Page("cluster report", "methodist", f"/reports/clusters/{i['cluster']}"),
        Page("monitoring", "methodist", "/pathways/monitoring"),
        Page("planner", "methodist", "/pathways/planner"),
        Page("planner run review", "methodist", f"/pathways/planner/runs/{i['run']}"),
        Page("tutor pairing", "methodist", f"/pathways/tutors/runs/{i['pairing_run']}"),
        Page("portfolio", "methodist", "/pathways/portfolio"),
        Page("survey report", "methodist", f"/surveys/{i['needs_survey']}/report"),
        Page("competence dynamics", "methodist",
             f"/surveys/dynamics?start={i['start_survey']}&end={i['open_survey']}"),
        Page("surveys (staff)", "methodist", "/surveys/"),
        Page("commission", "methodist", "/commission/"),
        Page("candidate file", "methodist", f"/commission/candidates/{i['candidacy']}"),
        Page("event (methodist)", "methodist", f"/events/{held}"),
        Page("event without roster (teacher)", "teacher", f"/events/{held}"),
        Page("protocol", "methodist", f"/events/{held}/protocol"),
        Page("events (staff)", "methodist", "/events/"),
        Page("map matrix", "methodist", "/resource-map/matrix"),
        Page("map people", "methodist", "/resource-map/people"),
        Page("admin console", "admin", "/admin/"),
        Page("grades in the LMS", "admin", "/admin/grades/verified"),
        Page("year plan", "methodist", "/year/plan"),
        Page("year archive", "methodist", "/year/archive"),
        Page("opening the next year", "methodist", "/year/open"),
        Page("offers for the map", "methodist", "/surveys/offers"),
        Page("notifications", "teacher", "/notifications/"),
        Page("notification preferences", "teacher", "/notifications/preferences"),
        Page("network notification settings", "methodist", "/notifications/settings"),
        Page("email outbox", "admin", "/admin/outbox"),
        Page("planner run (whole region)", "methodist", "/pathways/planner/run", "POST",
             (("steps_per_teacher", "3"), ("min_need", "0.5")), background=True),
        Page("yearly report XLSX", "methodist", "/reports/yearly.xlsx", background=True),
        Page("portfolio XLSX", "methodist", "/pathways/portfolio.xlsx", background=True),
        Page("survey report XLSX", "methodist", f"/surveys/{i['needs_survey']}/report.xlsx", background=True),
        Page("protocol XLSX", "methodist", f"/events/{held}/protocol.xlsx"),
        Page("map export XLSX", "methodist", "/resource-map/export.xlsx", background=True),
        Page("protocol document", "methodist", f"/events/{held}/protocol/document"),
        Page("protocol DOCX", "methodist", f"/events/{held}/protocol.docx"),
        Page("survey spravka", "methodist", f"/surveys/{i['needs_survey']}/spravka", background=True),
        Page("survey spravka DOCX", "methodist", f"/surveys/{i['needs_survey']}/spravka.docx", background=True),
        Page("yearly report document", "methodist", "/reports/yearly/document", background=True),
        Page("yearly report DOCX", "methodist", "/reports/yearly.docx", background=True),
        Page("commission meeting protocol", "methodist", f"/commission/meetings/{i['meeting']}/protocol"),
        Page("extract from the protocol", "methodist", f"/commission/decisions/{i['decision']}/extract.docx"),
    ]
    return result


def grading_form(session: Session, event_id: int, rng: random.Random) -> tuple[tuple[str, str], ...]:
    """The grading grid of an event's registered participants, filled in as a tutor would (on the
    scale of the event's form: points up to its maximum, or pass/fail)."""
    ep, ev, scale = T["event_participant"], T["event"], T["event_grading_scale"]
    ids = session.execute(sa.select(ep.c.id).where(ep.c.event_id == event_id, ep.c.status == "registered")
                          .order_by(ep.c.id)).scalars().all()
    kind, top = session.execute(sa.select(scale.c.kind, scale.c.max_points).join(
        ev, sa.and_(ev.c.network_id == scale.c.network_id, ev.c.form == scale.c.form)).where(ev.c.id == event_id)
    ).first() or ("points", 10.0)
    form = []
    for pid in ids:
        status = rng.choices(("present", "late", "absent"), (90, 5, 5))[0]
        score = rng.choice((0, 1)) if kind == "pass_fail" else rng.randint(int(top) // 2, int(top))
        form += [(f"status-{pid}", status), (f"score-{pid}", str(score) if status != "absent" else ""),
                 (f"comment-{pid}", "")]
    return tuple(form)


def survey_form(session: Session, picks: Picks, survey_id: int, rng: random.Random) -> tuple[tuple[str, str], ...]:
    """A complete, valid answer to every question of the survey (form field names of `answering`)."""
    q, o, s = T["survey_question"], T["survey_option"], T["survey_section"]
    topics = session.execute(sa.select(T["topic"].c.id).where(T["topic"].c.network_id == picks.network_id,
                                                              T["topic"].c.retired_at.is_(None))).scalars().all()
    questions = session.execute(sa.select(q.c.id, q.c.type).join(s, s.c.id == q.c.section_id)
                                .where(q.c.survey_id == survey_id).order_by(s.c.position, q.c.position)).all()
    options: dict[int, list[int]] = {}
    for qid, oid in session.execute(sa.select(o.c.question_id, o.c.id).join(q, q.c.id == o.c.question_id)
                                    .where(q.c.survey_id == survey_id).order_by(o.c.position)):
        options.setdefault(qid, []).append(oid)
    form: list[tuple[str, str]] = []
    for qid, qtype in questions:
        key = f"q{qid}"
        if qtype == "topic_matrix":
            form += [(f"{key}_t{t}", str(rng.randint(1, 5))) for t in topics]
        elif qtype == "likert":
            form.append((key, str(rng.randint(1, 5))))
        elif qtype == "number":
            form.append((key, str(rng.randint(1, 30))))
        elif qtype in ("single", "multiple"):
            form += [(key, str(oid)) for oid in rng.sample(options[qid], k=1 if qtype == "single" else 2)]
        else:
            form.append((key, "Ответ"))
    return tuple(form) + (("action", "submit"),)
