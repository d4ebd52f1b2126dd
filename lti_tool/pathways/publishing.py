"""Reviewing a stored proposal, adjusting it by hand, and publishing it atomically.

Publishing writes every route of the run's scope inside one savepoint: a failure anywhere (an
offering overbooked meanwhile, a database error) rolls back all of them and leaves the run proposed.
Kept steps (manual, in progress, done) and everything that is not an offering step stay as they are;
the scope's old planner steps still ``planned`` are replaced by the proposal's.
"""
from __future__ import annotations

from collections import Counter

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ..core.clock import utcnow
from ..resource_map.models import Offering
from .models import PlanRun, Route, RouteStep
from .services import PathwayError, lock_offerings, over_capacity
from .signals import routes_published


def _steps_of(run: PlanRun, teacher_id: int) -> list[dict]:
    return [s for s in run.proposal.get("steps", []) if s["teacher"] == teacher_id]


def _set_proposal(run: PlanRun, **changes) -> None:
    """Replace parts of the JSON proposal (a new dict, so the ORM sees the change)."""
    run.proposal = {**run.proposal, **changes}


def adjust(session: Session, run: PlanRun, teacher_id: int, *, add_offering: int | None = None,
           remove_offering: int | None = None) -> PlanRun:
    """Add an offering to, or remove one from, a teacher's proposed steps (a manual edit)."""
    if run.status != "proposed":
        raise PathwayError(_l("This proposal can no longer be changed."))
    if teacher_id not in run.proposal.get("teachers", []):
        raise PathwayError(_l("This teacher is not in the proposal."))
    steps = list(run.proposal["steps"])
    seats = Counter(dict(run.proposal.get("seats", [])))
    mine = _steps_of(run, teacher_id)
    if remove_offering is not None:
        step = next((s for s in mine if s["offering"] == remove_offering), None)
        if step is None or step["fixed"]:
            raise PathwayError(_l("Kept steps are changed in the route itself."))
        steps.remove(step)
        seats[remove_offering] -= 1
    if add_offering is not None:
        offering = session.get(Offering, add_offering)
        if (offering is None or offering.network_id != run.network_id or offering.year_id != run.year_id
                or offering.retired_at is not None):
            raise PathwayError(_l("Unknown offering."))
        if any(s["offering"] == add_offering for s in mine):
            raise PathwayError(_l("This offering is already in the route."))
        base = dict(run.proposal.get("base_seats", []))
        if offering.capacity is not None and base.get(add_offering, 0) + seats[add_offering] >= offering.capacity:
            raise PathwayError(_l("No free seats left in this offering."))
        steps.append({"teacher": teacher_id, "offering": add_offering, "topic": offering.topic_id,
                      "form": offering.form, "order": len(mine) + 1, "fixed": False, "manual": True})
        seats[add_offering] += 1
    _set_proposal(run, steps=steps, seats=[[o, n] for o, n in sorted(seats.items()) if n > 0])
    session.flush()
    return run


def discard(session: Session, run: PlanRun) -> PlanRun:
    """Set a proposal aside."""
    if run.status != "proposed":
        raise PathwayError(_l("This proposal can no longer be changed."))
    run.status = "discarded"
    session.flush()
    return run


def publish(session: Session, run: PlanRun, *, published_by_id: int | None = None) -> list[Route]:
    """Publish every route of the run's scope, all or none."""
    with session.begin_nested():
        # The conditional UPDATE is also the first write: on SQLite it takes the write lock. It does not
        # touch `run` in memory, so a rolled-back attempt leaves the object as it was.
        claimed = session.execute(sa.update(PlanRun).where(PlanRun.id == run.id, PlanRun.status == "proposed")
                                  .values(status="published", published_at=utcnow())
                                  .execution_options(synchronize_session=False)).rowcount
        if claimed != 1:
            raise PathwayError(_l("This proposal can no longer be changed."))
        offering_ids = {s["offering"] for s in run.proposal.get("steps", [])}
        lock_offerings(session, offering_ids)
        routes = [_write_route(session, run, teacher_id, published_by_id)
                  for teacher_id in run.proposal.get("teachers", [])]
        session.flush()
        full = over_capacity(session, run.year_id, offering_ids)
        if full:
            raise PathwayError(_l("No free seats left in: %(names)s.",
                                  names=", ".join(o.title or str(o.id) for o in full)))
    session.refresh(run)
    published = [r for r in routes if r is not None]
    routes_published.send(session, route_ids=[r.id for r in published])
    return published


def _write_route(session: Session, run: PlanRun, teacher_id: int, published_by_id: int | None) -> Route | None:
    """Replace one teacher's planner steps with the proposal's; keep the rest."""
    proposed = sorted(_steps_of(run, teacher_id), key=lambda s: s["order"])
    route = session.scalar(sa.select(Route).where(Route.person_id == teacher_id, Route.year_id == run.year_id))
    if route is None:
        if not proposed:
            return None  # nothing to plan and nothing planned before: no empty route is forced on anyone
        route = Route(network_id=run.network_id, person_id=teacher_id, year_id=run.year_id,
                      created_by_id=published_by_id)
        session.add(route)
    wanted = {s["offering"]: s for s in proposed}
    by_offering: dict[int, RouteStep] = {}
    for step in list(route.steps):
        replaceable = step.kind == "offering" and step.source == "planner" and step.status == "planned"
        if replaceable and step.offering_id not in wanted:
            route.steps.remove(step)  # the planner's own untouched step: re-planning replaces it
        elif step.offering_id is not None and step.status != "cancelled":
            by_offering[step.offering_id] = step
    offerings = {o.id: o for o in session.scalars(sa.select(Offering).where(Offering.id.in_(list(wanted))))}
    position = 0
    for s in proposed:
        position += 1
        step = by_offering.get(s["offering"])
        if step is None:
            o = offerings[s["offering"]]
            step = RouteStep(kind="offering", offering_id=o.id, topic_id=o.topic_id, form=o.form,
                             title=o.title or o.topic.name, planned_start=o.starts_on, planned_end=o.ends_on,
                             source="manual" if s.get("manual") else "planner")
            route.steps.append(step)
        step.position = position
    for step in route.steps:
        if step.offering_id not in wanted:
            position += 1
            step.position = position
    if not route.goal_topic_ids:
        top = dict((t, topics) for t, topics in run.proposal.get("needs", []))
        route.goal_topic_ids = [k for k, _n in top.get(teacher_id, [])]
    route.status, route.plan_run_id = "published", run.id
    route.published_at = route.published_at or utcnow()
    return route
