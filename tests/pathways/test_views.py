"""Views: who sees which route, the planner over HTTP, progress, comments, monitoring, portfolio export."""
from __future__ import annotations

from io import BytesIO

import sqlalchemy as sa
from openpyxl import load_workbook

from lti_tool.events import services as events
from lti_tool.pathways import services
from lti_tool.pathways.models import PlanRun, Route, RouteStep, StepComment

from .world import PLAN_START, add_offering, make_user, set_needs


def published_route(session, world, index=0, offering=None):
    """A published route of teacher `index` with one offering step; returns (route id, step id)."""
    offering = offering or add_offering(session, world, 0, capacity=5, title="Тьюториал «Экотропа»")
    route = services.route_for(session, world.network_id, world.teachers[index], world.year_id, create=True)
    step = services.add_offering_step(session, route, offering)
    services.publish_route(session, route)
    session.commit()
    return route.id, step.id


def test_teacher_sees_only_own_route_and_other_networks_get_404(client, auth, db_session, world):
    mine, _ = published_route(db_session, world, 0)
    theirs, their_step = published_route(db_session, world, 1, offering=world.offerings[0])
    auth.login("teacher", network_id=world.network_id, user_id=world.teacher_users[0])
    page = client.get("/pathways/").get_data(as_text=True)
    assert "Тьюториал «Экотропа»" in page and "Педагог 01" in page
    assert "Индивидуальный профессионально-образовательный маршрут" in page  # Russian by default
    assert "1 шаг в маршруте" in page
    assert client.get(f"/pathways/routes/{mine}").status_code == 200
    assert client.get(f"/pathways/routes/{theirs}").status_code == 403
    assert client.post(f"/pathways/steps/{their_step}/progress", data={"status": "done"}).status_code == 403
    assert client.get("/pathways/planner").status_code == 403
    assert client.get("/pathways/monitoring").status_code == 403

    auth.login("methodist")  # a methodist of another network
    assert client.get(f"/pathways/routes/{mine}").status_code == 404
    assert client.post(f"/pathways/steps/{their_step}/cancel").status_code == 404


def test_draft_route_is_hidden_from_its_teacher(client, auth, db_session, world):
    route = services.route_for(db_session, world.network_id, world.teachers[0], world.year_id, create=True)
    services.add_offering_step(db_session, route, add_offering(db_session, world, 0, title="Черновой шаг"))
    db_session.commit()
    auth.login("teacher", network_id=world.network_id, user_id=world.teacher_users[0])
    assert "Черновой шаг" not in client.get("/pathways/").get_data(as_text=True)
    assert client.get(f"/pathways/routes/{route.id}").status_code == 403


def test_methodist_plans_reviews_and_publishes(client, auth, db_session, world):
    add_offering(db_session, world, 0, capacity=1, title="Единственное место")
    for p in world.teachers[:2]:
        set_needs(db_session, world, p, {0: 5})
    db_session.commit()
    auth.login("methodist", network_id=world.network_id)
    response = client.post("/pathways/planner/run", data={"steps_per_teacher": "2", "min_need": "0.5",
                                                          "plan_start": PLAN_START})
    assert response.status_code == 302
    run = db_session.scalar(sa.select(PlanRun).where(PlanRun.network_id == world.network_id))
    review = client.get(f"/pathways/planner/runs/{run.id}").get_data(as_text=True)
    assert "Единственное место" in review
    assert "все места заняты" in review or "all seats are taken" in review  # the second teacher, and why
    assert client.post(f"/pathways/planner/runs/{run.id}/publish").status_code == 302
    db_session.expire_all()
    assert db_session.get(PlanRun, run.id).status == "published"
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Route)
                             .where(Route.network_id == world.network_id, Route.status == "published")) == 1
    assert client.get("/pathways/planner").status_code == 200
    assert client.get("/pathways/monitoring").status_code == 200


def test_attached_tutor_sees_and_comments_other_tutors_do_not(client, auth, db_session, world):
    route_id, step_id = published_route(db_session, world, 0)
    stranger_user = make_user(db_session, "Козлова Анна Сергеевна")
    from lti_tool.core.reference import Person

    db_session.add(Person(network_id=world.network_id, user_id=stranger_user.id, full_name="Козлова", is_tutor=True))
    services.attach_tutor(db_session, db_session.get(Route, route_id), world.tutor_id)
    db_session.commit()
    auth.login("tutor", network_id=world.network_id, user_id=world.tutor_user_id)
    assert client.get(f"/pathways/routes/{route_id}").status_code == 200
    assert "Педагог 01" in client.get("/pathways/").get_data(as_text=True)  # listed among "my teachers"
    client.post(f"/pathways/steps/{step_id}/comments", data={"text": "Хорошее начало"})
    assert client.post(f"/pathways/steps/{step_id}/cancel").status_code == 403  # tutors do not edit
    auth.login("tutor", network_id=world.network_id, user_id=stranger_user.id)
    assert client.get(f"/pathways/routes/{route_id}").status_code == 403
    db_session.expire_all()
    assert [c.text for c in db_session.scalars(sa.select(StepComment))] == ["Хорошее начало"]


def test_teacher_records_progress_and_sees_sign_up_for_the_offerings_event(client, auth, db_session, world):
    route_id, step_id = published_route(db_session, world, 0)
    event = events.create_event(db_session, world.network_id, year_id=world.year_id, form="tutorial",
                                title="Тьюториал 15 октября", topic_id=world.topics[0],
                                offering_id=world.offerings[0])
    event.status = "published"
    db_session.commit()
    auth.login("teacher", network_id=world.network_id, user_id=world.teacher_users[0])
    page = client.get("/pathways/").get_data(as_text=True)
    assert f'action="/events/{event.id}/signup"' in page
    client.post(f"/pathways/steps/{step_id}/progress",
                data={"status": "done", "evidence": "https://example.org/konspekt", "reflection": "Освоила приём"})
    db_session.expire_all()
    step = db_session.get(RouteStep, step_id)
    assert (step.status, step.evidence, step.reflection) == ("done", "https://example.org/konspekt", "Освоила приём")
    assert step.completed_at is not None


def test_portfolio_export_contents_and_scope(client, auth, db_session, world):
    route_id, step_id = published_route(db_session, world, 0)
    route = db_session.get(Route, route_id)
    pub = services.add_self_step(db_session, route, "publication", "Статья «Экологическая тропа в ДОО»")
    talk = services.add_self_step(db_session, route, "talk", "Выступление на городском семинаре")
    services.update_progress(db_session, pub, status="done", evidence="https://journal.example/42",
                             reflection="Обобщила опыт")
    services.update_progress(db_session, talk, status="done", evidence="Протокол № 3", reflection=None)
    services.update_progress(db_session, db_session.get(RouteStep, step_id), status="in_progress", evidence=None,
                             reflection=None)
    published_route(db_session, world, 1, offering=world.offerings[0])
    db_session.commit()

    auth.login("methodist", network_id=world.network_id)
    response = client.get("/pathways/portfolio.xlsx")
    assert response.status_code == 200
    wb = load_workbook(BytesIO(response.data))
    summary, items = wb.worksheets
    rows = {r[0]: r[1:] for r in summary.iter_rows(min_row=3, values_only=True)}
    assert rows["Педагог 01"] == ("МАДОУ № 69", 3, 2, 1, 1, 0, 0)  # no consultations
    assert rows["Педагог 02"] == ("МАДОУ № 69", 1, 0, 0, 0, 0, 0)
    detail = [r for r in items.iter_rows(min_row=2, values_only=True)]
    assert [(r[0], r[2], r[6], r[7]) for r in detail] == [
        ("Педагог 01", "Статья «Экологическая тропа в ДОО»", "https://journal.example/42", "Обобщила опыт"),
        ("Педагог 01", "Выступление на городском семинаре", "Протокол № 3", None),  # empty cell
    ]

    auth.login("teacher", network_id=world.network_id, user_id=world.teacher_users[1])
    mine = load_workbook(BytesIO(client.get("/pathways/portfolio.xlsx").data)).worksheets[0]
    assert [r[0] for r in mine.iter_rows(min_row=3, values_only=True)] == ["Педагог 02"]
    assert client.get(f"/pathways/portfolio?person={world.teachers[0]}").status_code == 403


def test_methodist_edits_a_route_by_hand(client, auth, db_session, world):
    route_id, step_id = published_route(db_session, world, 0)
    extra = add_offering(db_session, world, 1, "consultation", capacity=1, title="Консультация по теме 2")
    set_needs(db_session, world, world.teachers[0], {0: 5})
    db_session.commit()
    auth.login("methodist", network_id=world.network_id)
    page = client.get(f"/pathways/routes/{route_id}").get_data(as_text=True)
    assert "Консультация по теме 2" in page  # offered in the "add a step" list
    client.post(f"/pathways/routes/{route_id}/steps", data={"offering_id": str(extra)})
    client.post(f"/pathways/steps/{step_id}/cancel")
    client.post(f"/pathways/routes/{route_id}/tutors", data={"tutor_id": str(world.tutor_id)})
    client.post(f"/pathways/routes/{route_id}/goals", data={"goals": "Освоить ИКТ", "topic_ids": [str(world.topics[1])],
                                                            "back": "detail"})
    db_session.expire_all()
    route = db_session.get(Route, route_id)
    assert [(s.offering_id, s.status, s.source) for s in route.steps] == [
        (world.offerings[0], "cancelled", "manual"), (extra, "planned", "manual")]
    assert [t.tutor_id for t in route.tutors] == [world.tutor_id]
    assert (route.goals, route.goal_topic_ids) == ("Освоить ИКТ", [world.topics[1]])

    # The next proposal keeps both edits and can be adjusted per teacher before publishing.
    client.post("/pathways/planner/run", data={"plan_start": PLAN_START, "person_ids": [str(world.teachers[0])]})
    run = db_session.scalar(sa.select(PlanRun).where(PlanRun.network_id == world.network_id))
    steps = run.proposal["steps"]
    assert [(s["offering"], s["fixed"]) for s in steps] == [(extra, True)]
    page = client.get(f"/pathways/planner/runs/{run.id}?teacher={world.teachers[0]}").get_data(as_text=True)
    assert "Консультация по теме 2" in page
    monitoring = client.get("/pathways/monitoring").get_data(as_text=True)
    assert "Смирнова Ольга Викторовна" in monitoring  # the attached tutor's row


def test_teacher_adds_an_offering_and_an_event_to_her_own_route(client, auth, db_session, world):
    route_id, _step = published_route(db_session, world, 0)
    theirs, _ = published_route(db_session, world, 1, offering=world.offerings[0])
    extra = add_offering(db_session, world, 1, capacity=3, title="Мастер-класс «Лэпбук»")
    event = events.create_event(db_session, world.network_id, year_id=world.year_id, form="tutorial",
                                title="Тьюториал «Сказкотерапия»", topic_id=world.topics[2])
    event.status = "published"
    db_session.commit()
    auth.login("teacher", network_id=world.network_id, user_id=world.teacher_users[0])
    page = client.get("/pathways/").text
    assert "Мастер-класс «Лэпбук»" in page and "Тьюториал «Сказкотерапия»" in page  # offered to add
    assert client.post(f"/pathways/routes/{route_id}/steps", data={"offering_id": extra, "back": "mine"}) \
        .headers["Location"].endswith("/pathways/")
    assert client.post(f"/pathways/routes/{route_id}/steps", data={"event_id": event.id, "back": "mine"}) \
        .status_code == 302
    assert client.post(f"/pathways/routes/{theirs}/steps", data={"offering_id": extra}).status_code == 403
    added = db_session.scalars(sa.select(RouteStep).where(RouteStep.route_id == route_id, RouteStep.source == "self")
                               .order_by(RouteStep.id)).all()
    assert [(s.kind, s.offering_id, s.event_id) for s in added] == [("offering", extra, None), ("event", None, event.id)]
    page = client.get("/pathways/").text
    assert "по собственному выбору" in page and "методист" in page  # the sources shown


def test_a_past_planned_step_is_overdue(db_session, world):
    from datetime import date

    route_id, step_id = published_route(db_session, world, 0)
    step = db_session.get(RouteStep, step_id)  # planned 2025-10-01 – 2025-12-01
    assert services.is_overdue(step, date(2025, 12, 2)) and not services.is_overdue(step, date(2025, 12, 1))
    step.status = "in_progress"
    assert not services.is_overdue(step, date(2026, 1, 1))
    step.status, step.planned_start, step.planned_end = "planned", None, None
    assert not services.is_overdue(step, date(2026, 1, 1))  # no date: never overdue


def test_the_menu_and_the_route_page_speak_to_each_role(client, auth, db_session, world):
    """Methodists run the routes (no «Мой маршрут»); a tutor without a route is not told to wait for it;
    on the planner only «Маршруты» is highlighted."""
    auth.login("methodist", "tutor", network_id=world.network_id)
    page = client.get("/pathways/planner").get_data(as_text=True)
    assert "Мой маршрут" not in page
    assert page.count('aria-current="page"') == 1 and 'aria-current="page">Маршруты' in page
    auth.login("tutor", network_id=world.network_id)
    page = client.get("/pathways/").get_data(as_text=True)
    assert "Личного маршрута на этот год у вас нет." in page and "ещё не опубликован" not in page
    assert 'aria-current="page">Мой маршрут' in page
    auth.login("teacher", network_id=world.network_id, user_id=world.teacher_users[0])
    assert "ещё не опубликован" in client.get("/pathways/").get_data(as_text=True)
