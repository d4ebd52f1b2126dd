"""Inside the LMS iframe: cross-site cookies, lti.frameResize, links that leave the frame."""
from __future__ import annotations

import pytest
import requests

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


def _drop_frame_cookies(page, stack) -> list[str]:
    """Make the LMS page behave like Safari or Firefox in strict mode: the tool, inside the LMS
    frame, can set no cookie (Set-Cookie dropped from every tool response to this page, where the
    tool only ever runs in the frame); a window of its own (another page) keeps its cookies.
    Returns the URLs whose cookies were dropped."""
    dropped: list[str] = []

    def handle(route):
        # Fetched outside the browser: Playwright's own route.fetch() would store the cookies in
        # the browser context (unpartitioned), which is what this test must not do.
        request = route.request
        headers = {k: v for k, v in request.all_headers().items() if not k.startswith(":")}
        response = requests.request(request.method, request.url, headers=headers, data=request.post_data_buffer,
                                    allow_redirects=False, timeout=30)
        kept = [(k, v) for k, v in response.raw.headers.items()
                if k.lower() not in ("set-cookie", "content-length", "transfer-encoding", "content-encoding")]
        if "set-cookie" in response.headers:
            dropped.append(request.url)
        route.fulfill(status=response.status_code, headers=dict(kept), body=response.content)

    page.route(f"{stack.tool_url}/**", handle)
    return dropped


def test_without_cookies_in_the_frame_the_tool_opens_in_a_new_window(page, stack, course_links):
    """The cookie check finds its probe missing, offers a new window, and the launch finishes
    there with the teacher signed in (pylti1p3's new-window fallback, done by lti.js)."""
    dropped = _drop_frame_cookies(page, stack)
    page.goto(f"{stack.lms_url}/course/1")
    page.locator(f'a[href="/course/1/view/{course_links["route"]}?as=teacher"]').click()
    frame = page.frame_locator("iframe#tool")
    warning = frame.get_by_text("Ваш браузер не позволяет TutorNet")
    warning.wait_for(state="visible", timeout=20_000)
    assert any("/lti/login" in url for url in dropped), dropped
    with page.context.expect_page(timeout=20_000) as popup_info:
        frame.get_by_role("button", name="Открыть в новом окне").click()
    popup = popup_info.value
    popup.wait_for_url(f"{stack.tool_url}/pathways/**", timeout=30_000)
    popup.locator("main#main").wait_for(timeout=20_000)
    assert stack.ids["teacher"]["family_name"] in popup.locator(".navbar-text").inner_text()
    session = {c["name"]: c for c in page.context.cookies(stack.tool_url)}["tutornet_session"]
    assert session["sameSite"] == "None" and session["secure"]
    assert not page.js_errors
