"""The methodist's pages at 1280 px inside the LMS iframe: the menu on one line, no table wider
than its container unless the container scrolls it (issue 25)."""
from __future__ import annotations

import pytest

from .helpers import open_link, shot, tool_frame

pytestmark = pytest.mark.browser

NAV_ROWS = """() => {
  const tops = [...document.querySelectorAll('nav.navbar .nav-item')]
      .map(e => Math.round(e.getBoundingClientRect().top));
  return new Set(tops).size;
}"""

OVERFLOWING_TABLES = """() => {
  const scrolls = el => { for (let a = el.parentElement; a; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX; if (o === 'auto' || o === 'scroll') return true; } return false; };
  const main = document.querySelector('main#main').getBoundingClientRect();
  return [...document.querySelectorAll('main table')].filter(t => t.getBoundingClientRect().width > 0)
    .filter(t => !scrolls(t) && t.getBoundingClientRect().right > main.right + 1)
    .map(t => (t.caption ? t.caption.innerText : '') + ' ' + t.querySelector('tr').innerText.slice(0, 80));
}"""

PAGES = ["/reports/", "/reports/yearly", "/reports/clusters", "/resource-map/", "/resource-map/matrix",
         "/resource-map/organizations", "/resource-map/people", "/events/", "/surveys/", "/surveys/dynamics",
         "/pathways/planner", "/pathways/monitoring", "/pathways/portfolio", "/year/plan", "/admin/"]


def test_methodist_pages_fit_1280_px_in_the_lms_frame(page, stack, course_links):
    page.set_viewport_size({"width": 1280, "height": 900})
    frame = open_link(page, stack, course_links["dashboard"], "methodist", "/reports/")
    problems = []
    for path in PAGES + [f"/events/{stack.ids['event_id']}", f"/surveys/{stack.ids['survey_id']}/report"]:
        frame.goto(stack.tool_url + path)
        frame = tool_frame(page, stack, path.split("?")[0])
        rows = frame.evaluate(NAV_ROWS)
        if rows != 1:
            problems.append(f"{path}: the menu takes {rows} lines")
        wide = frame.evaluate(OVERFLOWING_TABLES)
        if wide:
            problems.append(f"{path}: tables wider than the page: {wide}")
        if frame.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"):
            problems.append(f"{path}: the page scrolls sideways")
    if problems:
        shot(page, "methodist-layout-problem")
    assert not problems, "\n".join(problems)


def test_the_attendance_choice_is_readable_beside_delivery_badges(page, stack, course_links, teacher_signed_up):
    page.set_viewport_size({"width": 1280, "height": 900})
    open_link(page, stack, course_links["event"], "tutor", f"/events/{stack.ids['event_id']}")
    path = f"/events/sessions/{stack.ids['session_id']}/grading"
    frame = tool_frame(page, stack, f"/events/{stack.ids['event_id']}")
    frame.goto(stack.tool_url + path)
    frame = tool_frame(page, stack, path)
    # The worst case seen in Moodle: a long course title in a "delivered to the LMS" badge per row.
    frame.evaluate("""() => document.querySelectorAll('#grading-form tbody tr').forEach(tr => {
      const badge = document.createElement('span');
      badge.className = 'badge text-bg-success';
      badge.textContent = 'передано в СДО: Сетевое сообщество тьюторов: профессиональное развитие педагогов ДОО';
      tr.lastElementChild.appendChild(badge);
    })""")
    clipped = frame.evaluate("""() => {
      const probe = document.createElement('span');
      probe.style.cssText = 'position:absolute;visibility:hidden;white-space:nowrap;font:' + '';
      document.body.appendChild(probe);
      return [...document.querySelectorAll('select.grading-status')].filter(sel => {
        probe.style.font = getComputedStyle(sel).font;
        const widest = Math.max(...[...sel.options].map(o => { probe.textContent = o.text; return probe.offsetWidth; }));
        return sel.clientWidth < widest + 24;  // room for the arrow
      }).map(sel => sel.id);
    }""")
    assert frame.locator("select.grading-status").count() > 0
    assert not clipped, f"attendance choices cut off: {clipped}"
