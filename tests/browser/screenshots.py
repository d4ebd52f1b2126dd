"""The README's screenshots from the running stack: `.venv/bin/python -m tests.browser.screenshots`.

Starts the same stack as the browser tests (PostgreSQL + demo data, demo LMS, tool; no worker),
opens each view the way a person does (the LMS course page, "Войти как …", the tool in the
frame) and writes 1280×800 PNGs of the tool's frame to docs/screenshots/:
teacher-route, teacher-survey, tutor-grading, methodist-dashboard, resource-map.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import warnings
from pathlib import Path

from .stack import CHROMIUM, CHROMIUM_ARGS, ROOT, start_stack

OUT = ROOT / "docs" / "screenshots"


def _place_everything(page, stack) -> dict:
    from .helpers import deep_link

    return deep_link(page, stack, [f"survey:{stack.ids['survey_id']}", f"event:{stack.ids['event_id']}",
                                   "route:", "resource_map:", "dashboard:"])


def _frame_shot(page, frame, name: str, out: Path) -> None:
    """The tool's frame alone, its top 1280×800 (what a person sees first)."""
    page.set_viewport_size({"width": 1280, "height": 800})
    frame.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(300)
    box = page.locator("iframe").first.bounding_box()
    page.screenshot(path=str(out / f"{name}.png"),
                    clip={"x": box["x"], "y": box["y"], "width": min(1280, box["width"]), "height": 800},
                    full_page=True)


def make(out: Path = OUT) -> list[Path]:
    """Start the stack, take the screenshots, stop everything."""
    from playwright.sync_api import sync_playwright

    from lti_tool.cli import upgrade
    from tests import backends

    from .conftest import _create_unmigrated_tables
    from .helpers import open_link, tool_frame
    from .scenario import arrange, sign_up_lti_user

    server = backends.postgres_url()
    if server is None:
        raise SystemExit("PostgreSQL is not reachable (TEST_DATABASE_URL)")
    url = backends.create_postgres_database(server)
    stack = None
    out.mkdir(parents=True, exist_ok=True)
    try:
        upgrade(url)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _create_unmigrated_tables(url)
        stack = start_stack(Path(tempfile.mkdtemp(prefix="tutornet-shots-")), url)
        stack.ids = arrange(stack)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="ru-RU")
            context.set_default_timeout(30_000)
            page = context.new_page()
            links = _place_everything(page, stack)
            frame = open_link(page, stack, links["survey"], "teacher", f"/surveys/{stack.ids['survey_id']}")
            _frame_shot(page, frame, "teacher-survey", out)
            frame = open_link(page, stack, links["route"], "teacher", "/pathways/")
            _frame_shot(page, frame, "teacher-route", out)
            sign_up_lti_user(stack, stack.ids["teacher"]["user_id"], stack.ids["event_id"])
            frame = open_link(page, stack, links["event"], "tutor", f"/events/{stack.ids['event_id']}")
            frame.goto(f"{stack.tool_url}/events/sessions/{stack.ids['session_id']}/grading")
            frame = tool_frame(page, stack, f"/events/sessions/{stack.ids['session_id']}/grading")
            frame.locator("select[id^=status-]").first.select_option("present")
            frame.locator("input[id^=score-]").first.fill("9")
            frame.locator("input[id^=comment-]").first.fill("Активно участвовала в игре-квесте")
            _frame_shot(page, frame, "tutor-grading", out)
            frame = open_link(page, stack, links["dashboard"], "methodist", "/reports/")
            _frame_shot(page, frame, "methodist-dashboard", out)
            frame = open_link(page, stack, links["resource_map"], "methodist", "/resource-map/")
            _frame_shot(page, frame, "resource-map", out)
            browser.close()
    finally:
        if stack is not None:
            stack.stop()
        backends.drop_postgres_database(server, url)
    return sorted(out.glob("*.png"))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    os.environ.setdefault("TUTORNET_INSTANCE", tempfile.mkdtemp(prefix="tutornet-shots-instance-"))
    for path in make(args.out):
        print(f"{path.relative_to(ROOT)}\t{path.stat().st_size // 1024} KiB")
