"""A teacher's "my year" and a tutor's "my teachers"."""
from __future__ import annotations

from datetime import date, datetime, time, timezone

from lti_tool.core.reference import Person
from lti_tool.events import grading, services as events, signup
from lti_tool.events.grading import Mark
from lti_tool.pathways import my_year, services
from lti_tool.pathways.models import RouteStep

from .world import add_offering


def _year_of_teacher(session, world):
    """Teacher 0: a route with a planner step, a methodist's step and her own task; one event
    attended with a score and a tutor's comment (completed), on the first step's offering."""
    first = add_offering(session, world, 0, capacity=5, title="Тьюториал «Экотропа»")
    second = add_offering(session, world, 1, capacity=5, title="Мастер-класс «Лэпбук»")
    route = services.route_for(session, world.network_id, world.teachers[0], world.year_id, create=True)
    late = services.add_offering_step(session, route, second)
    late.planned_start, late.planned_end = date(2026, 2, 1), date(2026, 2, 1)
    early = services.add_offering_step(session, route, first)
    early.source = "planner"
    own = services.add_self_step(session, route, "publication", "Статья в сборнике", source="self")
    services.publish_route(session, route)
    event = events.create_event(session, world.network_id, year_id=world.year_id, form="tutorial",
                                title="Тьюториал «Экотропа»", topic_id=world.topics[0], offering_id=first)
    event.status = "published"
    meeting = events.add_meeting(session, event, on_date=date(2025, 10, 15), start_time=time(15, 0),
                                 end_time=time(16, 30))
    part = signup.sign_up(session, event.id, world.teachers[0], by_staff=True)
    session.commit()
    grading.grade_meeting(session, meeting, [Mark(part.id, "present", 9, "Отличная работа в группе")],
                          graded_by_id=None, today=date(2025, 10, 15))
    session.commit()
    return route, early, late, own, event


def test_my_year_orders_steps_by_date_and_joins_records(db_session, world):
    route, early, late, own, event = _year_of_teacher(db_session, world)
    person = db_session.get(Person, world.teachers[0])
    result = my_year.my_year(db_session, world.network_id, person, route.year)
    assert [s.id for s in result.steps] == [early.id, late.id, own.id]  # Oct 2025, Feb 2026, no date
    assert db_session.get(RouteStep, early.id).status == "done"  # the event closed its step
    assert [r.event.id for r in result.records] == [event.id] and result.records[0].completed
    assert result.hours == 1.5 and [r.event.id for r in result.certificates] == [event.id]


def test_my_year_page_shows_scores_comments_hours_sources_and_certificate(client, auth, db_session, world):
    _route, _early, _late, _own, event = _year_of_teacher(db_session, world)
    auth.login("teacher", network_id=world.network_id, user_id=world.teacher_users[0])
    page = client.get("/pathways/year").text
    assert "Мой год" in page and "Тьюториал «Экотропа»" in page and "Отличная работа в группе" in page
    assert "часов: 1.5" in page and f'href="/events/{event.id}/certificate"' in page
    assert "планировщик" in page and "методист" in page and "по собственному выбору" in page
    assert 'href="/pathways/year"' in page  # in the navigation


def test_my_teachers_lists_supported_routes_with_progress(client, auth, db_session, world):
    route, *_ = _year_of_teacher(db_session, world)
    services.attach_tutor(db_session, route, world.tutor_id)
    db_session.commit()
    tutees = my_year.my_teachers(db_session, world.network_id, world.tutor_id, world.year_id, date(2026, 3, 1))
    assert [(t.route.id, t.done, t.active, t.overdue) for t in tutees] == [(route.id, 1, 3, 1)]  # Feb step overdue
    auth.login("tutor", network_id=world.network_id, user_id=world.tutor_user_id)
    page = client.get("/pathways/my-teachers").text
    assert "Педагог 01" in page and f'href="/pathways/routes/{route.id}"' in page
    auth.login("teacher", network_id=world.network_id, user_id=world.teacher_users[1])
    assert client.get("/pathways/my-teachers").status_code == 403
