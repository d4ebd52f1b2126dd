"""Accessibility in the browser: axe-core (WCAG 2.1 A/AA, contrast included) on the pages of the
teacher, tutor and methodist paths, and keyboard navigation through the survey."""
from __future__ import annotations

import pytest

from .helpers import describe, open_link, run_axe, serious, shot, tool_frame
from .stack import AXE

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def axe_available():
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: run scripts/install-browser (axe-core from the npm registry)")


def test_no_serious_axe_violations_on_the_paths_pages(page, stack, course_links, teacher_signed_up, axe_available):
    ids = stack.ids
    pages = [
        ("teacher", "survey", f"/surveys/{ids['survey_id']}", None),
        ("teacher", "route", "/pathways/", None),
        ("teacher", "event", "/events/", "/events/"),
        ("tutor", "event", f"/events/sessions/{ids['session_id']}/grading",
         f"/events/sessions/{ids['session_id']}/grading"),
        ("methodist", "dashboard", "/reports/", None),
        ("methodist", "resource_map", "/resource-map/", None),
    ]
    found = []
    for who, kind, path, goto in pages:
        frame = open_link(page, stack, course_links[kind], who, "/" if goto else path)
        if goto:
            frame.goto(stack.tool_url + goto)
            frame = tool_frame(page, stack, path)
        violations = serious(run_axe(frame))
        if violations:
            shot(page, f"axe-{who}-{path.strip('/').replace('/', '-') or 'home'}")
            found.append(f"{who} {path}:\n{describe(violations)}")
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)


def test_the_survey_is_usable_with_the_keyboard(page, stack, course_links):
    frame = open_link(page, stack, course_links["survey"], "teacher", f"/surveys/{stack.ids['survey_id']}")
    form = frame.locator("main form").filter(has=frame.locator("fieldset.tn-question"))
    # One Tab stop per control, one per radio group (arrows move inside a group).
    expected = set(form.evaluate("""f => [...f.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
        .filter(e => !e.disabled).map(e => e.type === 'radio' ? 'radio:' + e.name : (e.id || e.name || e.textContent.trim()))"""))
    form.locator("fieldset.tn-question input, fieldset.tn-question textarea").first.focus()
    reached = set()
    for _ in range(len(expected) + 10):
        key = frame.evaluate("""() => { const e = document.activeElement;
            if (!e.closest('main form')) return null;
            return e.type === 'radio' ? 'radio:' + e.name : (e.id || e.name || e.textContent.trim()); }""")
        if key is None:
            break
        reached.add(key)
        page.keyboard.press("Tab")
    assert expected <= reached, f"not reachable with Tab: {sorted(expected - reached)}"

    # Space checks a radio, arrows move within its group, Space ticks a checkbox.
    radio = form.locator("fieldset.tn-question input[type=radio]").first
    radio.focus()
    page.keyboard.press("Space")
    assert radio.is_checked()
    page.keyboard.press("ArrowRight")
    name = radio.get_attribute("name")
    assert form.locator(f'input[name="{name}"]').nth(1).is_checked()
    box = form.locator("fieldset.tn-question input[type=checkbox]").first
    if box.count():
        box.focus()
        page.keyboard.press("Space")
        assert box.is_checked()
    # The focused control is visibly marked (an outline or a box shadow).
    focus_style = box.evaluate("e => { const s = getComputedStyle(e); return s.outlineStyle + ' ' + s.boxShadow; }") \
        if box.count() else radio.evaluate("e => { const s = getComputedStyle(e); return s.outlineStyle + ' ' + s.boxShadow; }")
    assert focus_style.split()[0] != "none" or "rgba" in focus_style or "rgb" in focus_style, focus_style
