"""A tutor marks attendance and grades with the keyboard; the worker delivers the grade to the LMS."""
from __future__ import annotations

import time

import pytest

from .helpers import open_link, shot, tool_frame

pytestmark = pytest.mark.browser


def wait_for(condition, timeout: float, what: str, stack):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}\n{stack.logs()}")


def test_tutor_grades_and_the_grade_reaches_the_lms_gradebook(page, stack, course_links, teacher_signed_up):
    if not getattr(stack, "broker", None):
        pytest.skip("Redis is not reachable: no worker to deliver grades (set TEST_REDIS_URL)")
    teacher = teacher_signed_up
    frame = open_link(page, stack, course_links["event"], "tutor", f"/events/{stack.ids['event_id']}")
    frame.get_by_role("link", name="Посещаемость и оценки").first.click()
    frame = tool_frame(page, stack, f"/events/sessions/{stack.ids['session_id']}/grading")
    row = frame.locator("tr", has=frame.get_by_role("rowheader", name=stack.ids["teacher_name"]))
    status, score, comment = (row.locator(f"[id^={kind}-]") for kind in ("status", "score", "comment"))

    # Keyboard only: the grid's controls are reached with Tab in reading order.
    status.focus()
    page.keyboard.press("Home")  # a closed select takes its first option: «присутствовал(а)»
    assert status.input_value() == "present"
    page.keyboard.press("Tab")
    assert frame.evaluate("document.activeElement.id") == score.get_attribute("id")
    page.keyboard.type("9")
    page.keyboard.press("Tab")
    assert frame.evaluate("document.activeElement.id") == comment.get_attribute("id")
    page.keyboard.type("Активно участвовала в игре-квесте")
    shot(page, "tutor-grading")
    page.keyboard.press("Enter")  # implicit submission from a text field
    frame = tool_frame(page, stack, f"/events/sessions/{stack.ids['session_id']}/grading")
    assert "Сохранена оценка 1 участника." in frame.locator(".alert-success").inner_text()
    assert frame.locator(f"#{score.get_attribute('id')}").input_value() == "9"

    # The real worker pushes the score over AGS; the demo LMS records it for the teacher.
    scores = wait_for(lambda: [s for s in stack.lms.scores(course_id=1, user_id=teacher["user_id"])
                               if s["scoreGiven"] is not None], 60, "the score in the demo LMS", stack)
    assert scores[-1]["scoreGiven"] == 9 and scores[-1]["gradingProgress"] == "FullyGraded"
    assert scores[-1]["comment"] == "Активно участвовала в игре-квесте"

    # …and a person sees it in the course gradebook.
    page.goto(f"{stack.lms_url}/course/1/grades")
    line = page.locator("tr", has_text=f"id {teacher['user_id']}").first
    assert "9" in line.inner_text(), line.inner_text()
    shot(page, "lms-gradebook")

    # Back in the tool, the grading page shows the delivery.
    frame = open_link(page, stack, course_links["event"], "tutor", f"/events/{stack.ids['event_id']}")
    frame.get_by_role("link", name="Посещаемость и оценки").first.click()
    frame = tool_frame(page, stack, f"/events/sessions/{stack.ids['session_id']}/grading")
    assert not page.js_errors, page.js_errors
