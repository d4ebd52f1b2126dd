"""Publishing a proposal: all routes or none, seats re-checked, a proposal published once."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from lti_tool.pathways import planning, publishing
from lti_tool.pathways.models import PlanRun, Route, RouteStep
from lti_tool.pathways.planning import RunSettings
from lti_tool.pathways.services import PathwayError

from .world import PLAN_START, add_offering, set_needs

SETTINGS = RunSettings(steps_per_teacher=2, min_need=0.5, plan_start=PLAN_START)


def counts(session):
    session.expire_all()
    return (session.scalar(sa.select(sa.func.count()).select_from(Route)),
            session.scalar(sa.select(sa.func.count()).select_from(RouteStep)))


def proposed_run(session, world):
    add_offering(session, world, 0, capacity=10)
    add_offering(session, world, 1, "consultation", capacity=10)
    for p in world.teachers:
        set_needs(session, world, p, {0: 5, 1: 4})
    session.commit()
    run = planning.run_planner(session, world.network_id, world.year_id, SETTINGS)
    session.commit()
    return run


def test_failure_midway_publishes_nothing(db_session, world, monkeypatch):
    run = proposed_run(db_session, world)
    assert len(run.proposal["steps"]) == 2 * len(world.teachers)
    real, calls = publishing._write_route, []

    def flaky(session, plan_run, teacher_id, by):
        calls.append(teacher_id)
        if len(calls) == 3:
            raise RuntimeError("database went away")
        return real(session, plan_run, teacher_id, by)

    monkeypatch.setattr(publishing, "_write_route", flaky)
    with pytest.raises(RuntimeError):
        publishing.publish(db_session, run)
    db_session.commit()  # even a caller that commits afterwards keeps nothing of the failed publication
    assert counts(db_session) == (0, 0)
    assert db_session.get(PlanRun, run.id).status == "proposed"

    monkeypatch.setattr(publishing, "_write_route", real)
    routes = publishing.publish(db_session, db_session.get(PlanRun, run.id))
    db_session.commit()
    assert len(routes) == len(world.teachers)
    assert counts(db_session) == (len(world.teachers), 2 * len(world.teachers))
    assert {r.status for r in db_session.scalars(sa.select(Route))} == {"published"}


def test_seats_taken_meanwhile_refuse_the_whole_publication(db_session, world):
    offering = add_offering(db_session, world, 0, capacity=2)
    add_offering(db_session, world, 1, capacity=10)
    for p in world.teachers:
        set_needs(db_session, world, p, {0: 5, 1: 4})
    db_session.commit()
    # Two proposals made side by side for different teachers: each sees both seats of `offering` free.
    first = planning.run_planner(db_session, world.network_id, world.year_id, SETTINGS, person_ids=world.teachers[:2])
    second = planning.run_planner(db_session, world.network_id, world.year_id, SETTINGS, person_ids=world.teachers[2:])
    db_session.commit()
    assert sum(s["offering"] == offering for s in second.proposal["steps"]) == 2
    publishing.publish(db_session, first)
    db_session.commit()
    before = counts(db_session)
    with pytest.raises(PathwayError):
        publishing.publish(db_session, db_session.get(PlanRun, second.id))
    db_session.rollback()
    assert counts(db_session) == before  # not even the steps on the other offering were written
    assert db_session.get(PlanRun, second.id).status == "proposed"
    # Re-planning those teachers now sees the held seats and fits.
    again = planning.run_planner(db_session, world.network_id, world.year_id, SETTINGS, person_ids=world.teachers[2:])
    publishing.publish(db_session, again)
    db_session.commit()
    assert counts(db_session)[0] == 4


def test_a_proposal_is_published_once_and_discarded_ones_cannot_be(db_session, world):
    run = proposed_run(db_session, world)
    publishing.publish(db_session, run)
    db_session.commit()
    with pytest.raises(PathwayError):
        publishing.publish(db_session, db_session.get(PlanRun, run.id))
    db_session.rollback()
    second = planning.run_planner(db_session, world.network_id, world.year_id, SETTINGS)
    publishing.discard(db_session, second)
    db_session.commit()
    with pytest.raises(PathwayError):
        publishing.publish(db_session, db_session.get(PlanRun, second.id))


def test_republishing_replaces_planner_steps_but_keeps_their_comments_when_unchanged(db_session, world):
    run = proposed_run(db_session, world)
    publishing.publish(db_session, run)
    db_session.commit()
    route = db_session.scalar(sa.select(Route).where(Route.person_id == world.teachers[0]))
    step_ids = sorted(s.id for s in route.steps)
    again = planning.run_planner(db_session, world.network_id, world.year_id, SETTINGS)
    publishing.publish(db_session, again)
    db_session.commit()
    db_session.expire_all()
    route = db_session.get(Route, route.id)
    assert sorted(s.id for s in route.steps) == step_ids  # same offerings: the same step rows
    assert route.plan_run_id == again.id
