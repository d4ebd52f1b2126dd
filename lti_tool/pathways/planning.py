"""The database ↔ planner adapter: teachers' needs and the year's offerings in, a stored proposal out.

Seats. An offering's capacity (None = no limit) is shared by every route of the year. When the
planner runs for a scope of teachers (all, or a subset being re-planned):

* active steps of *published* routes of teachers outside the scope hold their seats — the planner
  sees only ``capacity - held``;
* in the scope, steps a methodist added or changed by hand (``source = manual``) and steps already
  under way or done are kept: they go to the planner as fixed assignments (they use seats too);
* the scope's other planner steps (still ``planned``) are free to be replaced;
* a step cancelled by hand excludes that (teacher, offering) pair, so re-planning does not bring it back.

Publishing re-checks every capacity under a lock (``publishing.py``): proposals do not hold seats.
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from ..core.courses import Course, Enrollment
from ..core.reference import Organization, Person
from ..resource_map.models import InternshipSite, Offering, cluster_organization, cluster_person
from ..surveys.needs import needs_profiles
from . import planner
from .models import PlanRun, Route, RouteStep
from .planner import OfferingSlot, PlannerSettings, PlanningError, TeacherNeeds

KEPT_STATUSES = ("in_progress", "done")
ACTIVE = ("planned", "in_progress", "done")


@dataclass(frozen=True)
class RunSettings:
    """What a methodist chooses before running the planner (stored with the run as JSON)."""

    steps_per_teacher: int = 3
    min_need: float = 0.5
    local_preference: float = 0.1  # bonus per step in the teacher's own cluster or municipality
    topics_per_teacher: int = 3
    plan_start: str | None = None  # ISO dates
    plan_end: str | None = None

    def planner_settings(self, fixed=(), excluded=frozenset()) -> PlannerSettings:
        """The planner's settings with the kept steps and exclusions of this run."""
        return PlannerSettings(
            steps_per_teacher=self.steps_per_teacher, topics_per_teacher=self.topics_per_teacher,
            min_need=self.min_need, local_bonus=self.local_preference,
            plan_start=date.fromisoformat(self.plan_start) if self.plan_start else None,
            plan_end=date.fromisoformat(self.plan_end) if self.plan_end else None,
            fixed=tuple(fixed), excluded=frozenset(excluded))


def _is_learner(roles) -> bool:
    return any(str(role).rsplit("#", 1)[-1].rsplit("/", 1)[-1] == "Learner" for role in roles or ())


def network_teachers(session: Session, network_id: int) -> list[Person]:
    """The network's teachers: active persons who are not tutors, or who are learners in a course."""
    people = list(session.scalars(sa.select(Person).where(Person.network_id == network_id,
                                                          Person.retired_at.is_(None)).order_by(Person.id)))
    learners = {user_id for user_id, roles in session.execute(
        sa.select(Enrollment.user_id, Enrollment.lti_roles).join(Course, Course.id == Enrollment.course_id)
        .where(Course.network_id == network_id, Enrollment.status == "active")) if _is_learner(roles)}
    return [p for p in people if not p.is_tutor or p.user_id in learners]


def _places(session: Session, network_id: int, people: list[Person]) -> dict[int, tuple[int | None, str | None]]:
    """(cluster_id, municipality) of each person: own cluster membership, else the organization's."""
    by_person = dict(session.execute(sa.select(cluster_person.c.person_id, sa.func.min(cluster_person.c.cluster_id))
                                     .group_by(cluster_person.c.person_id)).all())
    by_org = dict(session.execute(sa.select(cluster_organization.c.organization_id,
                                            sa.func.min(cluster_organization.c.cluster_id))
                                  .group_by(cluster_organization.c.organization_id)).all())
    towns = dict(session.execute(sa.select(Organization.id, Organization.municipality)
                                 .where(Organization.network_id == network_id)).all())
    return {p.id: (by_person.get(p.id) or by_org.get(p.organization_id), towns.get(p.organization_id))
            for p in people}


def year_offerings(session: Session, network_id: int, year_id: int) -> list[Offering]:
    """The year's offerings that are not retired, with what `offering_town` reads loaded with them."""
    return list(session.scalars(sa.select(Offering).where(
        Offering.network_id == network_id, Offering.year_id == year_id, Offering.retired_at.is_(None))
        .order_by(Offering.id)
        .options(selectinload(Offering.organization),
                 selectinload(Offering.person).selectinload(Person.organization),
                 selectinload(Offering.internship_site).selectinload(InternshipSite.organization))))


def offering_town(offering: Offering) -> str | None:
    """Where an offering takes place, as far as the local preference is concerned."""
    for provider in (offering.organization, offering.person.organization if offering.person else None,
                     offering.internship_site.organization if offering.internship_site else None):
        if provider is not None and provider.municipality:
            return provider.municipality
    return None


def seats_held(session: Session, year_id: int, exclude_person_ids=(), offering_ids=None) -> Counter:
    """{offering_id: seats} held by active steps of published routes of the year (minus some teachers)."""
    query = (sa.select(RouteStep.offering_id, sa.func.count())
             .join(Route, Route.id == RouteStep.route_id)
             .where(Route.year_id == year_id, Route.status == "published", RouteStep.status.in_(ACTIVE),
                    RouteStep.offering_id.is_not(None))
             .group_by(RouteStep.offering_id))
    if exclude_person_ids:
        query = query.where(Route.person_id.not_in(list(exclude_person_ids)))
    if offering_ids is not None:
        query = query.where(RouteStep.offering_id.in_(list(offering_ids)))
    return Counter(dict(session.execute(query).all()))


def scope_steps(session: Session, year_id: int, person_ids: list[int]) -> tuple[list[tuple[int, int]], set]:
    """Fixed (teacher, offering) pairs kept in the scope, and the pairs cancelled by hand (excluded)."""
    rows = session.execute(
        sa.select(Route.person_id, RouteStep.offering_id, RouteStep.status, RouteStep.source)
        .join(Route, Route.id == RouteStep.route_id)
        .where(Route.year_id == year_id, Route.person_id.in_(person_ids), RouteStep.offering_id.is_not(None))).all()
    fixed = {(p, o) for p, o, status, source in rows
             if status in KEPT_STATUSES or (status == "planned" and source in ("manual", "self"))}
    excluded = {(p, o) for p, o, status, source in rows if status == "cancelled" and source == "manual"} - fixed
    return sorted(fixed), excluded


def build_inputs(session: Session, network_id: int, year_id: int, person_ids: list[int] | None = None):
    """(teachers, offering slots, seats held outside the scope, persons without a survey response)."""
    teachers = network_teachers(session, network_id)
    if person_ids is not None:
        wanted = set(person_ids)
        teachers = [p for p in teachers if p.id in wanted]
    scope = [p.id for p in teachers]
    profiles = needs_profiles(session, network_id, person_ids=scope) if scope else {}
    places = _places(session, network_id, teachers)
    needs = [TeacherNeeds(p.id, profiles.get(p.id, {}), *places[p.id]) for p in teachers]
    held = seats_held(session, year_id, exclude_person_ids=scope)
    unlimited = max(1, len(teachers))
    slots = []
    for o in year_offerings(session, network_id, year_id):
        capacity = unlimited if o.capacity is None else max(0, o.capacity - held[o.id])
        slots.append(OfferingSlot(o.id, o.topic_id, o.form, capacity, o.starts_on, o.ends_on, o.cluster_id,
                                  offering_town(o)))
    no_response = [p.id for p in teachers if p.id not in profiles]
    return needs, slots, held, no_response


def run_planner(session: Session, network_id: int, year_id: int, settings: RunSettings,
                person_ids: list[int] | None = None, created_by_id: int | None = None) -> PlanRun:
    """Plan routes for the network's teachers (or a subset) and store the proposal as a PlanRun.

    Raises PlanningError when kept steps already overbook an offering (its capacity was lowered).
    """
    needs, slots, held, no_response = build_inputs(session, network_id, year_id, person_ids)
    scope = [t.teacher_id for t in needs]
    fixed, excluded = scope_steps(session, year_id, scope) if scope else ([], set())
    valid = {s.offering_id for s in slots}
    fixed = [pair for pair in fixed if pair[1] in valid]  # steps on retired offerings stay as they are
    ps = settings.planner_settings(fixed=fixed, excluded={pair for pair in excluded if pair[1] in valid})
    started = time.perf_counter()
    plan = planner.plan_routes(needs, slots, ps)
    seconds = time.perf_counter() - started
    figures = _figures(plan, needs, slots, ps, seconds)
    proposal = _proposal(plan, needs, held, no_response, person_ids is not None, ps)
    proposal["unmet"] = _seats_taken_elsewhere(proposal["unmet"], slots, held, ps)
    run = PlanRun(network_id=network_id, year_id=year_id, settings=asdict(settings), created_by_id=created_by_id,
                  figures=figures, proposal=proposal)
    session.add(run)
    session.flush()
    return run


def _seats_taken_elsewhere(unmet: list, slots: list[OfferingSlot], held: Counter, ps: PlannerSettings) -> list:
    """"No offerings on the topic" becomes "all seats are taken" when published routes hold them all.

    The planner never sees seats held outside the scope, only offerings with no seats left.
    """
    def in_dates(o: OfferingSlot) -> bool:
        ended = ps.plan_start is not None and o.ends_on is not None and o.ends_on < ps.plan_start
        late = ps.plan_end is not None and o.starts_on is not None and o.starts_on > ps.plan_end
        return not (ended or late)

    full = {o.topic_id for o in slots if o.capacity == 0 and held[o.offering_id] and in_dates(o)}
    return [[t, k, n, planner.REASON_NO_SEATS if reason == planner.REASON_NO_OFFERINGS and k in full else reason]
            for t, k, n, reason in unmet]


def _proposal(plan, needs, held, no_response, subset: bool, ps: PlannerSettings) -> dict:
    """The JSON form of a Plan (lists, not dicts with int keys: JSON keys are strings)."""
    top = []
    for t in needs:
        ranked = sorted(((k, n) for k, n in t.needs.items() if n >= ps.min_need and n > 0),
                        key=lambda kn: (-kn[1], kn[0]))[: ps.topics_per_teacher]
        top.append([t.teacher_id, [[k, round(n, 3)] for k, n in ranked]])
    return {
        "subset": subset,
        "teachers": [t.teacher_id for t in needs],
        "steps": [{"teacher": a.teacher_id, "offering": a.offering_id, "topic": a.topic_id, "form": a.form,
                   "order": a.order, "fixed": a.fixed, "manual": False} for a in plan.assignments],
        "unmet": [[u.teacher_id, u.topic_id, round(u.need, 3), u.reason]
                  for rows in plan.unmet.values() for u in rows],
        "seats": [[o, n] for o, n in plan.seats_used.items() if n],
        "base_seats": [[o, n] for o, n in held.items() if n],
        "needs": top,
        "no_response": no_response,
    }


def _figures(plan, needs, slots, ps: PlannerSettings, seconds: float) -> dict:
    """Coverage and comparison figures a methodist reviews (the greedy baseline side by side)."""
    greedy = planner.plan_greedy(needs, slots, ps)
    priority = sum(len(v) for _, v in _top(needs, ps))
    with_steps = {a.teacher_id for a in plan.assignments}
    return {
        "method": plan.method, "seconds": round(seconds, 3), "objective": round(plan.objective, 3),
        "covered": plan.covered, "priority_needs": priority, "teachers": len(needs),
        "teachers_with_steps": len(with_steps), "steps": len(plan.assignments),
        "coverage_top3": round(planner.coverage_top3(plan, needs, ps.min_need), 4),
        "greedy_covered": greedy.covered, "greedy_steps": len(greedy.assignments),
    }


def _top(needs, ps: PlannerSettings):
    for t in needs:
        yield t.teacher_id, [k for k, n in t.needs.items() if n >= ps.min_need and n > 0][: ps.topics_per_teacher]


__all__ = ["PlanningError", "RunSettings", "build_inputs", "network_teachers", "run_planner", "scope_steps",
           "seats_held", "year_offerings"]
