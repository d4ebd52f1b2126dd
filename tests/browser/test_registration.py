"""An administrator registers TutorNet from the demo LMS's admin page (LTI Dynamic Registration)."""
from __future__ import annotations

import pytest

from .helpers import shot, tool_frame

pytestmark = pytest.mark.browser


def test_dynamic_registration_from_the_lms_admin_page(page, stack):
    before = {t["client_id"] for t in stack.lms.tools()}
    page.goto(f"{stack.lms_url}/admin/tools")
    page.locator("input[name=tool_url]").fill(f"{stack.tool_url}/lti/register")
    page.get_by_role("button", name="Зарегистрировать инструмент").click()

    # The tool's confirmation page, inside the LMS's registration frame, in Russian.
    frame = tool_frame(page, stack, "/lti/register")
    assert frame.evaluate("document.documentElement.lang") == "ru"
    assert frame.locator("h1").inner_text().startswith("Регистрация TutorNet в")
    name = frame.get_by_label("Название новой сети")
    name.fill("Сеть тьюторов Северска")
    shot(page, "admin-registration-confirm")
    frame.get_by_role("button", name="Зарегистрировать", exact=True).click()

    # Done: the tool posts org.imsglobal.lti.close and the LMS returns to its tool list.
    page.wait_for_url(f"{stack.lms_url}/admin/tools", timeout=30_000)
    new = [t for t in stack.lms.tools() if t["client_id"] not in before]
    assert len(new) == 1 and new[0]["status"] == "pending", new
    row = page.locator("tr", has_text=new[0]["client_id"])
    assert "ожидает активации" in row.inner_text()
    shot(page, "admin-registration-pending")

    row.get_by_role("button", name="Активировать").click()
    row = page.locator("tr", has_text=new[0]["client_id"])
    assert "активен" in row.inner_text()

    # The activated registration launches: a teacher of a course with the new link lands in TutorNet.
    link = stack.lms.create_link(course_id=1, client_id=new[0]["client_id"], title="TutorNet (новая регистрация)")
    page.goto(f"{stack.lms_url}/course/1/view/{link['link_id']}?as=teacher")
    frame = tool_frame(page, stack, "/")
    assert frame.locator("main#main").count() == 1 and "Ошибка" not in frame.locator("h1").first.inner_text()
    assert not page.js_errors, page.js_errors
