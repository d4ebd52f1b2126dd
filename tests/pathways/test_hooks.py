"""The events hook: completing an event marks the matching route steps done."""
from __future__ import annotations

from datetime import date

from lti_tool.events import grading, signup
from lti_tool.events import services as events
from lti_tool.events.grading import Mark
from lti_tool.pathways import services
from lti_tool.pathways.models import RouteStep

from .world import add_offering


def test_completing_an_event_marks_the_offering_step_done(db_session, world):
    offering = add_offering(db_session, world, 0, capacity=5)
    teacher, other = world.teachers[:2]
    route = services.route_for(db_session, world.network_id, teacher, world.year_id, create=True)
    step = services.add_offering_step(db_session, route, offering)
    services.publish_route(db_session, route)
    other_route = services.route_for(db_session, world.network_id, other, world.year_id, create=True)
    untouched = services.add_offering_step(db_session, other_route, offering)
    event = events.create_event(db_session, world.network_id, year_id=world.year_id, form="tutorial",
                                title="Тьюториал", topic_id=world.topics[0], offering_id=offering)
    event.status = "published"
    session_row = events.add_meeting(db_session, event, on_date=date(2025, 10, 15))
    participant = signup.sign_up(db_session, event.id, teacher)
    db_session.commit()

    grading.grade_meeting(db_session, session_row, [Mark(participant.id, "present", 8.0)], graded_by_id=None)
    db_session.commit()
    db_session.expire_all()
    done = db_session.get(RouteStep, step.id)
    assert (done.status, done.event_id) == ("done", event.id)
    assert done.completed_at is not None
    assert db_session.get(RouteStep, untouched.id).status == "planned"  # another teacher did not attend


def test_event_step_marked_and_done_steps_left_alone(db_session, world):
    from lti_tool.pathways.hooks import on_event_completed

    teacher = world.teachers[0]
    event = events.create_event(db_session, world.network_id, year_id=world.year_id, form="master_class",
                                title="Мастер-класс", topic_id=world.topics[1])
    event.status = "published"
    route = services.route_for(db_session, world.network_id, teacher, world.year_id, create=True)
    step = services.add_event_step(db_session, route, event.id)
    db_session.commit()
    on_event_completed(db_session, event.id, [teacher])
    on_event_completed(db_session, event.id, [world.teachers[1]])
    db_session.commit()
    first = db_session.get(RouteStep, step.id).completed_at
    assert db_session.get(RouteStep, step.id).status == "done"
    on_event_completed(db_session, event.id, [teacher])  # again: nothing changes
    db_session.commit()
    assert db_session.get(RouteStep, step.id).completed_at == first


def _completed_event(session, world, *, topic_index, offering=None):
    event = events.create_event(session, world.network_id, year_id=world.year_id, form="tutorial",
                                title="Тьюториал", topic_id=world.topics[topic_index], offering_id=offering)
    event.status = "published"
    session.flush()
    return event


def test_without_offering_or_event_the_earliest_step_on_the_topic_is_done(db_session, world):
    from lti_tool.pathways.hooks import on_event_completed

    teacher = world.teachers[0]
    early = add_offering(db_session, world, 0, capacity=None, title="Ранний")
    late = add_offering(db_session, world, 0, capacity=None, title="Поздний")
    other_topic = add_offering(db_session, world, 1, capacity=None)
    route = services.route_for(db_session, world.network_id, teacher, world.year_id, create=True)
    late_step = services.add_offering_step(db_session, route, late)
    late_step.planned_start = date(2026, 3, 1)
    early_step = services.add_offering_step(db_session, route, early)
    early_step.planned_start = date(2025, 10, 1)
    other_step = services.add_offering_step(db_session, route, other_topic)
    own = services.add_self_step(db_session, route, "reading", "Книга", topic_id=world.topics[0])
    services.publish_route(db_session, route)
    event = _completed_event(db_session, world, topic_index=0)  # no offering
    db_session.commit()

    on_event_completed(db_session, event.id, [teacher])
    db_session.commit()
    status = {s: db_session.get(RouteStep, s).status for s in (early_step.id, late_step.id, other_step.id, own.id)}
    assert status == {early_step.id: "done", late_step.id: "planned", other_step.id: "planned", own.id: "planned"}
    assert db_session.get(RouteStep, early_step.id).event_id == event.id


def test_the_offering_step_wins_over_the_topic(db_session, world):
    from lti_tool.pathways.hooks import on_event_completed

    teacher = world.teachers[0]
    first = add_offering(db_session, world, 0, capacity=None, title="Другое предложение по теме")
    delivered = add_offering(db_session, world, 0, capacity=None, title="Предложение мероприятия")
    route = services.route_for(db_session, world.network_id, teacher, world.year_id, create=True)
    first_step = services.add_offering_step(db_session, route, first)
    first_step.planned_start = date(2025, 9, 10)
    delivered_step = services.add_offering_step(db_session, route, delivered)
    services.publish_route(db_session, route)
    event = _completed_event(db_session, world, topic_index=0, offering=delivered)
    db_session.commit()
    on_event_completed(db_session, event.id, [teacher])
    db_session.commit()
    assert db_session.get(RouteStep, delivered_step.id).status == "done"
    assert db_session.get(RouteStep, first_step.id).status == "planned"
