"""NRPS `differences` (NRPS 2.0 §2.4.3) as a demo LMS option: off like Moodle by default; on, every
answer links to the changes since it, leavers come back as Deleted, old links can be refused."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests

from sync.links import parse_links

from .test_services import NRPS, bearer


def _get(url: str, tok: str):
    r = requests.get(url, headers=bearer(tok), timeout=10)
    return r, parse_links(r.headers.get("Link"))


def test_off_by_default_like_moodle(lms, tool):
    tok = tool.token([NRPS])
    r, links = _get(f"{lms.url}/api/courses/1/memberships?limit=5", tok)
    assert r.status_code == 200 and "differences" not in links and "next" in links
    refused, _ = _get(f"{lms.url}/api/courses/1/memberships?since=0", tok)
    assert refused.status_code == 410


def test_changes_since_a_response_with_leavers_deleted(lms, tool):
    tok = tool.token([NRPS])
    lms.set_nrps(differences=True)
    course = lms.create_course(title="Differences", learners=4, instructors=1)["id"]
    base = f"{lms.url}/api/courses/{course}/memberships"
    full, links = _get(base + "?limit=3", tok)
    assert len(full.json()["members"]) == 3 and {"next", "differences"} <= set(links)
    since_url = links["differences"]
    assert parse_qs(urlsplit(since_url).query)["limit"] == ["3"]  # the link keeps the page size
    assert _get(since_url, tok)[0].json()["members"] == []  # nothing changed yet

    members = {m["user_id"]: m for m in lms.members(course)}
    learner = next(uid for uid, m in members.items() if m["kind"] == "learner")
    lms.remove_members(course, [learner])
    new = lms.add_members(course, generate={"learner": 3})
    first, links2 = _get(since_url, tok)
    assert first.status_code == 200 and "next" in links2  # 4 changes, pages of 3
    second, links3 = _get(links2["next"], tok)
    changed = {m["user_id"]: m for m in first.json()["members"] + second.json()["members"]}
    assert set(changed) == {learner, *new}
    assert changed[learner]["status"] == "Deleted"
    assert changed[learner]["roles"] == ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]
    assert {changed[u]["status"] for u in new} == {"Active"} and changed[new[0]]["email"]
    # The new link starts after these changes; the role filter applies to changes too.
    assert _get(links3["differences"], tok)[0].json()["members"] == []
    only_teachers, _ = _get(since_url.replace("limit=3", "role=Instructor"), tok)
    assert only_teachers.json()["members"] == []


def test_forgotten_history_and_switching_off_refuse_old_links(lms, tool):
    tok = tool.token([NRPS])
    lms.set_nrps(differences=True)
    _, links = _get(f"{lms.url}/api/courses/1/memberships", tok)
    assert _get(links["differences"], tok)[0].status_code == 200
    lms.add_members(1, generate={"learner": 1})
    lms.set_nrps(forget_history=True)  # the change after the link is forgotten
    gone, _ = _get(links["differences"], tok)
    assert gone.status_code == 410 and gone.json()["error"] == "differences_unavailable"
    _, fresh = _get(f"{lms.url}/api/courses/1/memberships", tok)
    assert _get(fresh["differences"], tok)[0].status_code == 200
    lms.set_nrps(differences=False)
    assert _get(fresh["differences"], tok)[0].status_code == 410
