"""The database layer of the planner: seats, teachers without needs, manual edits kept on re-planning."""
from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa

from lti_tool.pathways import planning, publishing, services
from lti_tool.pathways.models import Route, RouteStep
from lti_tool.pathways.planning import RunSettings
from lti_tool.pathways.services import PathwayError

from .world import PLAN_START, add_offering, add_teacher, set_needs

SETTINGS = RunSettings(steps_per_teacher=2, min_need=0.5, plan_start=PLAN_START)


def steps_by_teacher(session, year_id):
    """{person_id: sorted [(offering_id, source, status)]} of every route of the year."""
    session.expire_all()
    rows = session.execute(sa.select(Route.person_id, RouteStep.offering_id, RouteStep.source, RouteStep.status)
                           .join(RouteStep, RouteStep.route_id == Route.id).where(Route.year_id == year_id))
    result: dict[int, list] = {}
    for person, offering, source, status in rows:
        result.setdefault(person, []).append((offering, source, status))
    return {k: sorted(v, key=lambda r: (r[0] or 0, r[1], r[2])) for k, v in result.items()}


def seats(session, year_id):
    by = steps_by_teacher(session, year_id)
    return Counter(o for steps in by.values() for o, _s, status in steps if o and status != "cancelled")


def plan_and_publish(session, world, settings=SETTINGS, person_ids=None):
    run = planning.run_planner(session, world.network_id, world.year_id, settings, person_ids=person_ids)
    routes = publishing.publish(session, run)
    session.commit()
    return run, routes


def test_capacity_is_never_exceeded_and_held_seats_count(db_session, world):
    small = add_offering(db_session, world, 0, capacity=2)
    for p in world.teachers:
        set_needs(db_session, world, p, {0: 5})
    db_session.commit()
    run, _ = plan_and_publish(db_session, world)
    assert seats(db_session, world.year_id)[small] == 2
    assert run.figures["teachers_with_steps"] == 2

    # Two more teachers come; a second run for them only sees the seats the published routes left: none.
    newcomers = [add_teacher(db_session, world, f"Новый {i}") for i in range(2)]
    for p in newcomers:
        set_needs(db_session, world, p, {0: 5})
    db_session.commit()
    run2 = planning.run_planner(db_session, world.network_id, world.year_id, SETTINGS, person_ids=newcomers)
    assert run2.proposal["steps"] == []
    reasons = {r[3] for r in run2.proposal["unmet"]}
    assert reasons == {"все места заняты"}
    publishing.publish(db_session, run2)
    db_session.commit()
    assert seats(db_session, world.year_id)[small] == 2


def test_unlimited_offering_and_teacher_without_need_gets_nothing(db_session, world):
    open_one = add_offering(db_session, world, 1, capacity=None)
    calm, keen = world.teachers[0], world.teachers[1]
    set_needs(db_session, world, calm, {0: 1, 1: 2, 2: 1})  # needs 0, .25, 0: all below the threshold
    set_needs(db_session, world, keen, {1: 5})
    db_session.commit()
    run, _ = plan_and_publish(db_session, world)
    by = steps_by_teacher(db_session, world.year_id)
    assert calm not in by  # no route, no forced step
    assert by[keen] == [(open_one, "planner", "planned")]
    assert [u for u in run.proposal["unmet"] if u[0] == calm] == [[calm, None, 0.0, "нет потребности"]]
    # Teachers who never answered the survey are named as such, and get nothing either.
    assert set(run.proposal["no_response"]) == set(world.teachers[2:])


def test_manual_edits_survive_replanning(db_session, world):
    a = add_offering(db_session, world, 0, "consultation", capacity=5)
    b = add_offering(db_session, world, 0, "tutorial", capacity=5)
    c = add_offering(db_session, world, 1, "tutorial", capacity=5)
    d = add_offering(db_session, world, 2, "master_class", capacity=5)
    teacher = world.teachers[0]
    set_needs(db_session, world, teacher, {0: 5, 1: 5})
    db_session.commit()
    plan_and_publish(db_session, world, person_ids=[teacher])
    first = {o for o, _s, _st in steps_by_teacher(db_session, world.year_id)[teacher]}
    assert first and first <= {a, b, c}

    route = services.route_for(db_session, world.network_id, teacher, world.year_id)
    cancelled = next(s for s in route.steps if s.offering_id in first)
    services.cancel_step(db_session, cancelled)
    services.add_offering_step(db_session, route, d)  # topic 2: the planner would never pick it
    services.add_self_step(db_session, route, "publication", "Статья в сборнике")
    db_session.commit()

    plan_and_publish(db_session, world, person_ids=[teacher])
    after = steps_by_teacher(db_session, world.year_id)[teacher]
    assert (d, "manual", "planned") in after
    assert (cancelled.offering_id, "manual", "cancelled") in after
    active = [o for o, _s, status in after if status != "cancelled"]
    assert cancelled.offering_id not in active  # not proposed again
    route = services.route_for(db_session, world.network_id, teacher, world.year_id)
    assert [s.self_kind for s in route.steps if s.kind == "self_education"] == ["publication"]


def test_replanning_a_subset_keeps_other_routes_and_steps_under_way(db_session, world):
    o = add_offering(db_session, world, 0, capacity=3)
    for p in world.teachers[:3]:
        set_needs(db_session, world, p, {0: 5})
    db_session.commit()
    plan_and_publish(db_session, world)
    assert seats(db_session, world.year_id)[o] == 3
    first, second = world.teachers[0], world.teachers[1]
    step = services.route_for(db_session, world.network_id, first, world.year_id).steps[0]
    services.update_progress(db_session, step, status="done", evidence="https://example.org/x", reflection="Полезно")
    db_session.commit()

    plan_and_publish(db_session, world, person_ids=[first, second])
    by = steps_by_teacher(db_session, world.year_id)
    assert by[first] == [(o, "planner", "done")]
    assert seats(db_session, world.year_id)[o] == 3
    assert by[world.teachers[2]] == [(o, "planner", "planned")]


def test_manual_step_refused_when_full_and_adjusting_a_proposal(db_session, world):
    o = add_offering(db_session, world, 0, capacity=1)
    spare = add_offering(db_session, world, 1, capacity=1)
    first, second = world.teachers[:2]
    set_needs(db_session, world, first, {0: 5})
    db_session.commit()
    plan_and_publish(db_session, world, person_ids=[first])
    route = services.route_for(db_session, world.network_id, second, world.year_id, create=True)
    with pytest.raises(PathwayError):
        services.add_offering_step(db_session, route, o)
    db_session.rollback()

    run = planning.run_planner(db_session, world.network_id, world.year_id, SETTINGS, person_ids=[second])
    with pytest.raises(PathwayError):
        publishing.adjust(db_session, run, second, add_offering=o)  # held by the first teacher's route
    publishing.adjust(db_session, run, second, add_offering=spare)
    publishing.publish(db_session, run)
    db_session.commit()
    assert steps_by_teacher(db_session, world.year_id)[second] == [(spare, "manual", "planned")]
