"""One school year, walked by every role in the demo LMS: the methodist's year plan, an event that
delivers the teacher's route offering placed in the course, the teacher's sign-up, the leading
tutor's "my events" and grading, the teacher's step done and "my year", the LMS gradebook, the
dashboard and the yearly report."""
from __future__ import annotations

import time
from datetime import date, time as clock

import pytest
import sqlalchemy as sa

from lti_tool.core.school_years import school_year_of

from .helpers import deep_link, open_link, shot, tool_frame
from .scenario import tool_app

pytestmark = pytest.mark.browser

TITLE = "Тьюториал «Математика в игре: логические задачи»"


def _arrange(stack) -> dict:
    """A published tutorial meeting today (15:00–16:30), not yet linked to the map, and an open
    offering step of the teacher's route for the methodist to link it to."""
    from lti_tool.core.reference import AcademicYear, Person
    from lti_tool.events import services as events
    from lti_tool.pathways import services as pathways
    from lti_tool.pathways.models import Route, RouteStep
    from lti_tool.resource_map.models import Offering
    from lti_tool.web.extensions import db

    app = tool_app(stack)
    with app.test_request_context("/"):
        s = db.session
        network_id = stack.ids["network_id"]
        year = s.scalar(sa.select(AcademicYear).where(AcademicYear.network_id == network_id,
                                                      AcademicYear.is_current.is_(True)))
        teacher = s.scalar(sa.select(Person).where(Person.network_id == network_id,
                                                   Person.email == stack.ids["teacher"]["email"]))
        tutor = s.scalar(sa.select(Person).where(Person.network_id == network_id,
                                                 Person.email == stack.member("tutor")["email"]))
        route = s.scalar(sa.select(Route).where(Route.person_id == teacher.id, Route.year_id == year.id))
        step = next((st for st in route.steps if st.offering_id and st.status in ("planned", "in_progress")), None)
        if step is None:
            held = {st.offering_id for st in route.steps}
            offering = s.scalar(sa.select(Offering).where(Offering.year_id == year.id, Offering.capacity.is_(None),
                                                          Offering.id.not_in(held)).limit(1))
            step = pathways.add_offering_step(s, route, offering.id)
        event = events.create_event(s, network_id, year_id=year.id, form="tutorial", title=TITLE, capacity=30,
                                    min_sessions=1, min_score=6)
        events.set_status(s, event, "published")
        events.add_meeting(s, event, on_date=date.today(), start_time=clock(15, 0), end_time=clock(16, 30),
                           place="МАДОУ № 8")
        s.commit()
        ids = {"event_id": event.id, "step_id": step.id, "step_title": step.title, "offering_id": step.offering_id,
               "tutor_person_id": tutor.id, "tutor_name": tutor.full_name}
        assert s.get(RouteStep, step.id).status in ("planned", "in_progress")
    app.extensions["tutornet_db"][0].dispose()
    return ids


def _step_status(stack, step_id: int) -> str:
    from lti_tool.pathways.models import RouteStep
    from lti_tool.web.extensions import db

    app = tool_app(stack)
    with app.test_request_context("/"):
        status = db.session.get(RouteStep, step_id).status
    app.extensions["tutornet_db"][0].dispose()
    return status


def test_one_year_flows_from_the_plan_to_the_gradebook(page, stack, course_links, teacher_signed_up):
    ids = _arrange(stack)
    teacher = teacher_signed_up

    # The methodist sees the live year's plan (the demo follows today's date).
    frame = open_link(page, stack, course_links["dashboard"], "methodist", "/reports")
    frame.locator("nav.navbar").get_by_role("link", name="План года").click()
    frame = tool_frame(page, stack, "/year/plan")
    assert school_year_of(date.today())[0] in frame.locator("main").inner_text()
    shot(page, "year-plan")

    # …links the tutorial to the offering of the teacher's route, makes the LMS tutor its leader…
    frame.goto(f"{stack.tool_url}/events/{ids['event_id']}/edit")
    frame = tool_frame(page, stack, f"/events/{ids['event_id']}/edit")
    frame.locator("#offering_id").select_option(str(ids["offering_id"]))
    frame.get_by_role("button", name="Сохранить", exact=True).click()
    # The edit page's address starts like the event's: wait for the event page's own content.
    frame.locator("#leader-person").wait_for(timeout=30_000)
    frame = tool_frame(page, stack, f"/events/{ids['event_id']}")
    assert "Предложение ресурсной карты" in frame.locator("main").inner_text()
    frame.locator("#leader-person").select_option(str(ids["tutor_person_id"]))
    frame.locator("form[action$='/leaders'] button[type=submit]").click()
    # The page reloads at the same address: wait for the new content, not for the address.
    frame.locator("#leaders", has_text=ids["tutor_name"]).wait_for()

    # …and places it in the course.
    placed = deep_link(page, stack, [f"event:{ids['event_id']}"])

    # The teacher signs up from the course.
    frame = open_link(page, stack, placed["event"], "teacher", f"/events/{ids['event_id']}")
    frame.get_by_role("button", name="Записаться").click()
    frame.locator(".alert-success", has_text="Вы записаны.").wait_for()

    # The leading tutor finds it under "my events" and grades it in one click.
    frame = open_link(page, stack, placed["event"], "tutor", f"/events/{ids['event_id']}")
    frame.locator("nav.navbar").get_by_role("link", name="Мои мероприятия").click()
    frame = tool_frame(page, stack, "/events/mine")
    row = frame.locator("tr", has_text=TITLE)
    assert row.count() == 1, frame.locator("main").inner_text()[:1500]
    shot(page, "tutor-my-events")
    row.get_by_role("link", name="Оценить").click()
    frame = tool_frame(page, stack, "/events/sessions/")
    line = frame.locator("tr", has=frame.get_by_role("rowheader", name=stack.ids["teacher_name"]))
    line.locator("[id^=status-]").select_option("present")
    line.locator("[id^=score-]").fill("8")
    line.locator("[id^=comment-]").fill("Решала логические задачи вместе с группой")
    frame.get_by_role("button", name="Сохранить оценки").click()
    frame = tool_frame(page, stack, "/events/sessions/")
    assert "Сохранена оценка 1 участника." in frame.locator(".alert-success").inner_text()

    # Her route step is done; "my year" shows the score, the comment, the hours and the certificate.
    assert _step_status(stack, ids["step_id"]) == "done"
    frame = open_link(page, stack, placed["event"], "teacher", f"/events/{ids['event_id']}")
    frame.locator("nav.navbar").get_by_role("link", name="Мой год").click()
    frame = tool_frame(page, stack, "/pathways/year")
    article = frame.locator(f"#event-{ids['event_id']}").inner_text()
    assert "8" in article and "Решала логические задачи вместе с группой" in article and "1.5" in article
    assert "Сертификат участника" in article
    shot(page, "teacher-my-year")

    # The LMS gradebook has the grade (the real worker delivered it over AGS).
    if getattr(stack, "broker", None):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any(
                s["scoreGiven"] == 8 for s in stack.lms.scores(course_id=1, user_id=teacher["user_id"])):
            time.sleep(0.5)
        assert any(s["scoreGiven"] == 8 for s in stack.lms.scores(course_id=1, user_id=teacher["user_id"])), \
            stack.logs()

    # The methodist's yearly report lists the tutorial.
    frame = open_link(page, stack, course_links["dashboard"], "methodist", "/reports")
    frame.goto(f"{stack.tool_url}/reports/yearly")
    frame = tool_frame(page, stack, "/reports/yearly")
    assert TITLE in frame.locator("main").inner_text()
    assert not page.js_errors, page.js_errors
