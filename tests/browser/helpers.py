"""Driving the demo LMS and the tool's frame with Playwright; screenshots; axe-core."""
from __future__ import annotations

import re
import time

from .stack import ARTIFACTS, AXE, CLIENT_ID, Stack

SHOTS = ARTIFACTS / "screenshots"
CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def shot(page, name: str, full_page: bool = True) -> None:
    """Save a screenshot under test-artifacts/screenshots/ (kept out of git)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def tool_frame(page, stack: Stack, path_prefix: str = "/", timeout: float = 30):
    """The tool's frame once it shows a tool page under `path_prefix` (the launch has finished)."""
    deadline = time.monotonic() + timeout
    prefix = stack.tool_url + path_prefix
    while time.monotonic() < deadline:
        for frame in page.frames:
            if frame.url.startswith(prefix) and not frame.url.startswith(stack.tool_url + "/lti/l"):
                try:
                    frame.wait_for_load_state("load", timeout=5000)
                    if frame.locator("main#main").count():
                        return frame
                except Exception:  # noqa: BLE001  (the frame navigated away meanwhile: look again)
                    pass
        page.wait_for_timeout(200)
    raise AssertionError(f"no tool frame at {prefix}…; frames: {[f.url for f in page.frames]}\n"
                         + page.content()[:1500])


def open_link(page, stack: Stack, link_id: int, who: str, path_prefix: str = "/"):
    """Open a course activity as `who` the way a person does: course page → "Войти как …"."""
    page.goto(f"{stack.lms_url}/course/1")
    label = {"teacher": "педагог", "tutor": "тьютор", "methodist": "методист", "admin": "администратор"}[who]
    page.locator(f'a[href="/course/1/view/{link_id}?as={who}"]', has_text=f"Войти как {label}").click()
    return tool_frame(page, stack, path_prefix)


def wait_frame_path(page, stack: Stack, path_prefix: str):
    """After a navigation inside the frame: the frame showing `path_prefix`."""
    return tool_frame(page, stack, path_prefix)


def deep_link(page, stack: Stack, values: list[str]) -> dict[str, int]:
    """As the methodist, place items in course 1 through the deep-linking picker in the LMS frame."""
    before = {link["link_id"] for link in stack.lms.course(1)["links"]}
    page.goto(f"{stack.lms_url}/course/1")
    page.locator("select[name=tool]").select_option(CLIENT_ID)
    page.locator("select[name=as]").last.select_option(stack.lms.course(1)["representatives"]["methodist"])
    page.get_by_role("button", name="Добавить активность (Deep Linking)").click()
    frame = tool_frame(page, stack, "/lti/deep-link")
    for value in values:
        box = frame.locator(f'input[name=item][value="{value}"]')
        assert box.count() == 1, f"the picker offers no {value}"
        box.check()
    shot(page, "methodist-deep-linking")
    frame.get_by_role("button", name="Разместить в курсе").click()
    page.wait_for_url(f"{stack.lms_url}/course/1", timeout=30_000)
    created = {}
    for link in stack.lms.course(1)["links"]:
        if link["link_id"] not in before:
            created[(link["custom"] or {}).get("tutornet_kind", "?")] = link["link_id"]
    assert set(created) == {v.split(":")[0] for v in values}, created
    return created


def run_axe(frame) -> list[dict]:
    """axe-core's violations of the frame's page (WCAG 2 A/AA rules, best practices excluded)."""
    if not frame.evaluate("() => typeof window.axe !== 'undefined'"):
        frame.evaluate(AXE.read_text(encoding="utf-8"))
    return frame.evaluate("""async () => {
        const result = await axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " — " + (n.failureSummary || "").split("\\n").slice(0, 2).join(" "))}));
    }""")


def serious(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def describe(violations: list[dict]) -> str:
    return "\n".join(f"[{v['impact']}] {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in violations)
