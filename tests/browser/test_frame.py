"""Inside the LMS iframe: cross-site cookies, lti.frameResize, links that leave the frame."""
from __future__ import annotations

import pytest

from .helpers import open_link, tool_frame
from .stack import ONLINE_URL

pytestmark = pytest.mark.browser


def frame_height(page) -> float:
    return page.locator("iframe#tool").evaluate("f => f.getBoundingClientRect().height")


def test_the_frame_is_cross_site_and_its_session_cookie_is_partitioned(page, stack, course_links):
    frame = open_link(page, stack, course_links["route"], "teacher", "/pathways/")
    assert page.url.startswith("http://127.0.0.1:") and frame.url.startswith("http://localhost:")
    cookies = {c["name"]: c for c in page.context.cookies(stack.tool_url)}
    session = cookies["tutornet_session"]
    assert session["sameSite"] == "None" and session["secure"] and session["httpOnly"]
    assert session.get("partitionKey"), session  # CHIPS: kept per top-level site (the LMS)
    # Navigation inside the frame keeps the sign-in (no error page, the teacher's name shown).
    frame.locator("nav.navbar").get_by_role("link", name="Ресурсная карта").click()
    frame = tool_frame(page, stack, "/resource-map/")
    assert stack.ids["teacher"]["family_name"] in frame.locator(".navbar-text").inner_text()


def test_the_frame_grows_to_a_long_page(page, stack, course_links):
    page.set_viewport_size({"width": 1280, "height": 800})
    frame = open_link(page, stack, course_links["route"], "teacher", "/pathways/")
    page.wait_for_function("() => document.getElementById('tool').style.height !== ''", timeout=10_000)
    short = frame_height(page)
    frame.locator("nav.navbar").get_by_role("link", name="Анкетирование").click()
    frame = tool_frame(page, stack, "/surveys/")
    frame.goto(f"{stack.tool_url}/surveys/{stack.ids['survey_id']}")
    frame = tool_frame(page, stack, f"/surveys/{stack.ids['survey_id']}")
    content = frame.evaluate("document.documentElement.scrollHeight")
    page.wait_for_function("h => document.getElementById('tool').getBoundingClientRect().height >= h - 2",
                           arg=content, timeout=10_000)
    assert frame_height(page) > short + 200
    # No inner scrollbar: the whole page is visible in the frame.
    assert frame.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 2")


def test_the_frame_shrinks_to_a_short_page(page, stack, course_links):
    frame = open_link(page, stack, course_links["survey"], "teacher", f"/surveys/{stack.ids['survey_id']}")
    page.wait_for_function("() => document.getElementById('tool').getBoundingClientRect().height > 1500",
                           timeout=10_000)
    frame.goto(f"{stack.tool_url}/events/calendar")
    frame = tool_frame(page, stack, "/events/calendar")
    content = frame.evaluate("document.body.scrollHeight")
    page.wait_for_function("h => document.getElementById('tool').getBoundingClientRect().height < h + 100",
                           arg=content, timeout=5_000)


def test_links_that_leave_the_frame_open_a_new_window(page, stack, course_links, teacher_signed_up):
    frame = open_link(page, stack, course_links["event"], "teacher", f"/events/{stack.ids['event_id']}")
    online = frame.locator(f'a[href="{ONLINE_URL}"]')
    assert online.get_attribute("target") == "_blank"
    assert "noopener" in (online.get_attribute("rel") or "")
    # Every link to another site in the tool's page opens outside the LMS frame.
    outside = frame.evaluate("""() => [...document.querySelectorAll('a[href]')]
        .filter(a => new URL(a.href, location.href).origin !== location.origin)
        .filter(a => a.target !== '_blank' || !/noopener/.test(a.rel)).map(a => a.outerHTML)""")
    assert outside == []
    # Clicking one really opens a new window and leaves the course page in place.
    page.route(ONLINE_URL, lambda route: route.fulfill(status=200, body="webinar", content_type="text/plain"))
    page.context.route(ONLINE_URL, lambda route: route.fulfill(status=200, body="webinar", content_type="text/plain"))
    with page.context.expect_page() as popup:
        online.click()
    assert popup.value.url == ONLINE_URL
    assert popup.value.evaluate("window.opener") is None
    assert page.url.startswith(stack.lms_url) and frame.url.startswith(stack.tool_url)
