"""No page runs more SQL statements as the region grows (the N+1 guard of issue 26).

Each page is opened as its representative person on a small region and on one four times its
size (tests/scaling/conftest.py); the statement count of the larger may not exceed the smaller's.
Pages that still grow are marked xfail(strict=True) with the cause: fixing a page makes its test
pass, and the strict mark then fails until it is removed.
"""
from __future__ import annotations

import pytest

from tests.scaling.probe import client_as, open_page

# page → why its statements grow (what the page loads one row at a time).
GROWING = {
}

PAGES = [
    "start page", "my route", "surveys", "survey form", "events", "event (teacher)", "calendar", "resource map",
    "offering", "organizations", "survey submit", "sign-up", "event (tutor, LMS roster)", "grading page",
    "save grades", "portfolio (tutor)", "consultations (tutor)", "route (tutor)", "dashboard", "yearly report", "clusters report",
    "cluster report", "monitoring", "planner", "planner run review", "tutor pairing", "portfolio", "survey report",
    "competence dynamics", "surveys (staff)", "commission", "candidate file", "event (methodist)",
    "event without roster (teacher)", "protocol", "events (staff)", "map matrix", "map people", "admin console", "grades in the LMS",
    "planner run (whole region)", "yearly report XLSX", "portfolio XLSX", "survey report XLSX", "protocol XLSX",
    "map export XLSX", "year plan", "year archive", "opening the next year", "offers for the map",
    "my events", "my teachers", "my year",
    "protocol document", "protocol DOCX", "survey spravka", "survey spravka DOCX", "yearly report document",
    "yearly report DOCX", "commission meeting protocol", "extract from the protocol",
    "notifications", "notification preferences", "network notification settings", "email outbox",
]


def _param(name: str):
    reason = GROWING.get(name)
    return pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=f"issue 26: {reason}")) if reason else name


@pytest.mark.parametrize("name", [_param(n) for n in PAGES])
def test_statements_do_not_grow_with_the_region(regions, name):
    counts = []
    for region in regions:
        page = region.pages[name]
        client = client_as(region.app, region.picks, page.role)
        client.get("/")  # the process's first request: one-off lookups are not the page's
        opened = open_page(region.app, region.picks, page, client)
        assert opened.status in (200, 302, 303), (name, opened.status)
        counts.append(len(opened.statements))
    small, mid = counts
    assert mid <= small, f"{name}: {small} statements on the small region, {mid} on one four times its size"
