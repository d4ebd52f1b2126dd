"""The planner page at region size: routes a page at a time with their figures, teachers found by name."""
from __future__ import annotations

from lti_tool.core.reference import Person
from lti_tool.pathways import overview
from lti_tool.pathways.models import Route, RouteStep
from tests.conftest import METHODIST, TEACHER
from tests.pathways.world import build_world


def make_routes(db_session, world, count: int) -> None:
    """A route per teacher, each with two steps of which the first is done."""
    for person_id in world.teachers[:count]:
        route = Route(network_id=world.network_id, person_id=person_id, year_id=world.year_id, status="published")
        route.steps = [RouteStep(kind="self_education", self_kind="reading", title="Чтение", status="done"),
                       RouteStep(kind="self_education", self_kind="talk", title="Выступление", status="planned"),
                       RouteStep(kind="self_education", self_kind="talk", title="Отменено", status="cancelled")]
        db_session.add(route)
    db_session.commit()


def test_routes_come_a_page_at_a_time_with_their_figures(db_session):
    world = build_world(db_session, teachers=overview.PER_PAGE + 5)
    make_routes(db_session, world, overview.PER_PAGE + 5)
    first = overview.route_page(db_session, world.network_id, world.year_id)
    assert (first.total, first.pages, len(first.rows)) == (overview.PER_PAGE + 5, 2, overview.PER_PAGE)
    assert (first.rows[0].steps, first.rows[0].done, first.rows[0].progress) == (2, 1, 0.5)  # cancelled: not counted
    second = overview.route_page(db_session, world.network_id, world.year_id, page=2)
    assert len(second.rows) == 5
    assert {r.route_id for r in first.rows}.isdisjoint(r.route_id for r in second.rows)
    names = [r.teacher for r in first.rows + second.rows]
    assert names == sorted(names)
    assert overview.route_page(db_session, world.network_id, world.year_id, page=99).page == 2


def test_routes_and_teachers_are_found_by_part_of_the_name(db_session, client, auth):
    world = build_world(db_session, teachers=3)
    db_session.get(Person, world.teachers[1]).full_name = "Орлова Дарья Олеговна"
    db_session.commit()
    make_routes(db_session, world, 3)
    found = overview.route_page(db_session, world.network_id, world.year_id, query="орлова")
    assert [r.teacher for r in found.rows] == ["Орлова Дарья Олеговна"] and found.total == 1
    orlova = db_session.get(Person, world.teachers[1])
    label = "Орлова Дарья Олеговна" + (f" — {orlova.organization.name}" if orlova.organization else "")
    assert overview.find_teachers(db_session, world.network_id, "ОРЛОВА") == [(world.teachers[1], label)]
    auth.login(METHODIST, network_id=world.network_id)
    page = client.get("/pathways/planner?find=Орлова&q=Орлова").get_data(as_text=True)
    assert page.count(f'<option value="{world.teachers[1]}">{label}</option>') == 2  # both pickers
    assert client.get("/pathways/planner/teachers?q=орл").get_json()["candidates"] == [
        {"value": str(world.teachers[1]), "label": label}]
    auth.login(TEACHER, network_id=world.network_id)
    assert client.get("/pathways/planner/teachers?q=орл").status_code == 403


def test_the_portfolio_list_is_counted_and_paged_and_one_teacher_has_their_steps(db_session, client, auth):
    from lti_tool.pathways import portfolio

    world = build_world(db_session, teachers=portfolio.PER_PAGE + 2)
    make_routes(db_session, world, portfolio.PER_PAGE + 2)
    first = portfolio.summary_page(db_session, world.network_id, world.year_id)
    assert (first.total, first.pages, len(first.rows)) == (portfolio.PER_PAGE + 2, 2, portfolio.PER_PAGE)
    assert (first.rows[0].steps, first.rows[0].done, first.rows[0].talks) == (2, 1, 0)
    mine = portfolio.summary_page(db_session, world.network_id, world.year_id, person_ids=world.teachers[:1])
    assert [r.person_id for r in mine.rows] == world.teachers[:1]
    auth.login(METHODIST, network_id=world.network_id)
    page = client.get("/pathways/portfolio?page=2").get_data(as_text=True)
    assert "Страница 2 из 2" in page and page.count("?person=") == 2
    one = client.get(f"/pathways/portfolio?person={world.teachers[0]}").get_data(as_text=True)
    assert "Чтение" in one and "Отменено" not in one  # the done step is listed, the cancelled one is not


def test_the_proposal_review_shows_a_page_of_teachers_and_the_one_looked_at(db_session, client, auth):
    from lti_tool.pathways import review
    from lti_tool.pathways.models import PlanRun

    world = build_world(db_session, teachers=review.PER_PAGE + 3)
    with_steps = world.teachers[:review.PER_PAGE]
    figures = {"teachers": len(world.teachers), "teachers_with_steps": review.PER_PAGE, "steps": review.PER_PAGE,
               "covered": 0, "priority_needs": 0, "coverage_top3": 0.0, "greedy_covered": 0}
    run = PlanRun(network_id=world.network_id, year_id=world.year_id, settings={}, figures=figures, proposal={
        "teachers": world.teachers, "no_response": world.teachers[review.PER_PAGE:],
        "steps": [{"teacher": t, "offering": 0, "topic": world.topics[0], "form": "tutorial", "order": 1,
                   "fixed": False, "manual": False} for t in with_steps],
        "unmet": [[t, world.topics[1], 0.9, "no_offerings"] for t in world.teachers[review.PER_PAGE:]]})
    db_session.add(run)
    db_session.commit()
    data = review.build_review(db_session, run)
    assert (data.total, data.pages, len(data.teachers), data.without_steps) == (review.PER_PAGE + 3, 2,
                                                                                review.PER_PAGE, 3)
    only = review.build_review(db_session, run, without_steps=True, teacher=world.teachers[-1])
    assert [r.person_id for r in only.teachers] == world.teachers[review.PER_PAGE:]
    assert only.selected.no_response and only.selected.unmet and only.reasons[0][1] == 3
    auth.login(METHODIST, network_id=world.network_id)
    page = client.get(f"/pathways/planner/runs/{run.id}?page=2").get_data(as_text=True)
    assert "Страница 2 из 2" in page and "Только 3 педагога без шагов" in page


def test_namesakes_are_told_apart_in_the_teacher_pickers(db_session):
    world = build_world(db_session, teachers=3)
    a, b, c = (db_session.get(Person, pid) for pid in world.teachers)
    for person, position in ((a, "воспитатель"), (b, "музыкальный руководитель")):
        person.full_name, person.position = "Смирнова Анна Игоревна", position
        person.organization_id = c.organization_id or a.organization_id
    db_session.commit()
    labels = [label for _pid, label in overview.find_teachers(db_session, world.network_id, "смирнова анна")]
    assert len(labels) == 2 and len(set(labels)) == 2, labels
    assert any(label.endswith(", воспитатель") for label in labels)
