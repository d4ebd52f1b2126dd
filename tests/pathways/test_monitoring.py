"""Monitoring figures and the dashboard summary, on a small hand-counted network."""
from __future__ import annotations

from datetime import date

from lti_tool.pathways import reporting, services
from lti_tool.pathways.monitoring import network_progress

from .world import add_offering


def test_progress_by_topic_organization_tutor_and_summary(db_session, world):
    a = add_offering(db_session, world, 0, capacity=5)
    b = add_offering(db_session, world, 1, capacity=5)
    first = services.route_for(db_session, world.network_id, world.teachers[0], world.year_id, create=True)
    s1 = services.add_offering_step(db_session, first, a)
    services.add_offering_step(db_session, first, b)
    services.update_progress(db_session, s1, status="done", evidence=None, reflection=None)
    services.attach_tutor(db_session, first, world.tutor_id)
    services.publish_route(db_session, first)
    second = services.route_for(db_session, world.network_id, world.teachers[1], world.year_id, create=True)
    services.cancel_step(db_session, services.add_offering_step(db_session, second, a))
    services.add_offering_step(db_session, second, b)
    services.publish_route(db_session, second)
    draft = services.route_for(db_session, world.network_id, world.teachers[2], world.year_id, create=True)
    services.add_offering_step(db_session, draft, a)  # not published: not counted
    db_session.commit()

    p = network_progress(db_session, world.network_id, world.year_id)
    assert (p.routes, p.total.steps, p.total.done, p.total.teachers) == (2, 3, 1, 2)
    assert {r.label: (r.steps, r.done) for r in p.by_topic} == {"Тема 1": (1, 1), "Тема 2": (2, 0)}
    assert [(r.label, r.steps, r.done) for r in p.by_organization] == [("МАДОУ № 69", 3, 1)]
    assert [(r.label, r.steps, r.done) for r in p.by_tutor] == [("Смирнова Ольга Викторовна", 2, 1)]
    assert p.by_status == {"done": 1, "planned": 2, "cancelled": 1}
    assert reporting.summary(db_session, world.network_id, date(2025, 9, 1), date(2026, 8, 31)) == {
        "published": 2, "steps": 3, "steps_done": 1, "consultations": 0, "consultation_minutes": 0}
    assert reporting.summary(db_session, world.network_id, date(2027, 9, 1), date(2028, 8, 31)) == {
        "published": 0, "steps": 0, "steps_done": 0, "consultations": 0, "consultation_minutes": 0}
