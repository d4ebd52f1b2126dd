"""A teacher in the LMS course: launch into the frame, the needs survey, the route, a tutorial."""
from __future__ import annotations

import pytest

from .helpers import CYRILLIC, open_link, shot, tool_frame
from .stack import EVENT_TITLE, ONLINE_URL, SURVEY_TITLE

pytestmark = pytest.mark.browser


def fill_survey(frame) -> None:
    """Answer every question: first option of each choice group, 4 for the first topics, text."""
    for fieldset in frame.locator("fieldset.tn-question").all():
        radios = fieldset.locator("input[type=radio]")
        names = []
        for radio in radios.all():
            name = radio.get_attribute("name")
            if name not in names:
                names.append(name)
        for n, name in enumerate(names):
            group = fieldset.locator(f'input[type=radio][name="{name}"]')
            group.nth(3 if n < 3 and group.count() == 5 else 0).check()
        boxes = fieldset.locator("input[type=checkbox]")
        if boxes.count():
            boxes.first.check()
        for text in fieldset.locator("input[type=text]:not([data-other-for])").all():
            text.fill("12" if text.get_attribute("inputmode") == "decimal" else "МАДОУ № 48 г. Томска")
        for area in fieldset.locator("textarea").all():
            area.fill("Хочу больше практических занятий.")


def test_teacher_answers_the_survey_sees_the_route_and_signs_up(page, stack, course_links):
    teacher = stack.ids["teacher"]

    # The launch from the course page lands inside the LMS frame, on the placed survey, in Russian.
    frame = open_link(page, stack, course_links["survey"], "teacher", f"/surveys/{stack.ids['survey_id']}")
    assert frame.evaluate("document.documentElement.lang") == "ru"
    assert frame.locator("h1").inner_text() == SURVEY_TITLE
    nav = frame.locator("nav.navbar").inner_text()
    assert CYRILLIC.search(nav) and "Surveys" not in nav and "My route" not in nav, nav
    assert teacher["family_name"] in frame.locator(".navbar-text").inner_text()
    shot(page, "teacher-survey-launch", full_page=False)

    fill_survey(frame)
    shot(page, "teacher-survey-filled")
    frame.get_by_role("button", name="Отправить").click()
    frame = tool_frame(page, stack, f"/surveys/{stack.ids['survey_id']}/done")
    assert CYRILLIC.search(frame.locator("main").inner_text())

    # The session cookie (SameSite=None; Secure; Partitioned) carries the sign-in across
    # navigation inside the cross-site frame: the nav link opens the teacher's own route.
    frame.locator("nav.navbar").get_by_role("link", name="Мой маршрут").click()
    frame = tool_frame(page, stack, "/pathways/")
    main = frame.locator("main").inner_text()
    assert stack.ids["teacher_name"] in main
    assert frame.locator("ol.tn-timeline > li[id^=step-]").count() >= 1, main[:800]
    shot(page, "teacher-route")

    # The tutorial placed in the course: sign up; the online session opens outside the frame.
    frame = open_link(page, stack, course_links["event"], "teacher", f"/events/{stack.ids['event_id']}")
    assert frame.locator("h1").inner_text().startswith(EVENT_TITLE[:20])
    online = frame.locator(f'a[href="{ONLINE_URL}"]')
    assert online.get_attribute("target") == "_blank" and "noopener" in online.get_attribute("rel")
    cancel = frame.get_by_role("button", name="Отменить мою запись")
    if cancel.count():  # signed up already by another test's fixture: cancel (confirmed), then sign up
        page.once("dialog", lambda dialog: dialog.accept())
        cancel.click()
        frame = tool_frame(page, stack, f"/events/{stack.ids['event_id']}")
        frame.get_by_text("Ваша запись отменена.").first.wait_for()
    frame.get_by_role("button", name="Записаться").click()
    # The page posts and comes back to the same address: until the answer has loaded, the frame
    # still shows the page before the click, so wait for the confirmation as for the cancellation.
    frame = tool_frame(page, stack, f"/events/{stack.ids['event_id']}")
    frame.get_by_text("Вы записаны.").first.wait_for()
    assert frame.get_by_role("button", name="Отменить мою запись").count() == 1
    shot(page, "teacher-signed-up")

    # The events list shows it among the teacher's own sign-ups.
    frame.locator("nav.navbar").get_by_role("link", name="Мероприятия").click()
    frame = tool_frame(page, stack, "/events/")
    assert EVENT_TITLE in frame.locator("main").inner_text()
    assert not page.js_errors, page.js_errors
