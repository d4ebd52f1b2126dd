"""Reconciliation against the demo LMS: results read page by page, differences queued again with
the reason, only changed line items read, unreachable results counted."""
from __future__ import annotations

import json
from datetime import timedelta

import sqlalchemy as sa

from lti_tool.core.clock import utcnow
from lti_tool.core.grades import LineItem, LineItemCheck, ScoreOutbox, ScoreState
from lti_tool.lti.models import Platform
from sync.grades import iso_timestamp, push_platform
from sync.http import MT_SCORE, PlatformClient, push_scopes
from sync.reconcile import due_line_items, reconcile_platform
from sync.tokens import PlatformRef

from .helpers import ALL_AGS, add_line_item, add_outbox, add_users

RESULTS = "GET /api/courses/<int:course_id>/lineitems/<int:li_id>/results"


def settings(tool, **over):
    return {**tool.rt.settings, "SYNC_RECONCILE_INTERVAL_SECONDS": 0.0, "SYNC_RESULTS_PAGE_SIZE": 4, **over}


def delivered(tool, n=6, resource_id="event:1"):
    subs = tool.lms.add_members(tool.lms_course_id, generate={"learner": n})
    with tool.rt.sessions.begin() as s:
        li = add_line_item(s, tool.course_id, resource_id=resource_id)
        users = add_users(s, tool.lms.url, subs)
        add_outbox(s, tool.network_id, tool.course_id, li, users, age_seconds=5)
    assert push(tool).delivered == n
    return li, subs, users


def push(tool):
    rt = tool.rt
    return push_platform(rt.sessions, tool.platform_id, rt.tokens, rt.http, rt.settings)


def reconcile(tool, **over):
    rt = tool.rt
    return reconcile_platform(rt.sessions, tool.platform_id, rt.tokens, rt.http, settings(tool, **over))


def overwrite_in_lms(tool, li, sub, score):
    """Someone (a teacher in the gradebook, a lost write) leaves another grade in the LMS, stamped
    later than TutorNet's (a minute ahead: the LMS's clock need not agree with ours)."""
    with tool.rt.sessions() as s:
        ref = PlatformRef.of(s.get(Platform, tool.platform_id))
        url = s.scalar(sa.select(LineItem.url).where(LineItem.id == li))
    client = PlatformClient(ref, push_scopes(ALL_AGS), tool.rt.tokens, tool.rt.http)
    body = {"userId": sub, "scoreGiven": score, "scoreMaximum": 1, "activityProgress": "Completed",
            "gradingProgress": "FullyGraded", "timestamp": iso_timestamp(utcnow() + timedelta(seconds=60))}
    assert client.request("POST", url + "/scores", body=json.dumps(body).encode(),
                          headers={"Content-Type": MT_SCORE}).status_code == 200


def results_requests(tool) -> int:
    return tool.lms.stats()["requests"].get(RESULTS, 0)


def test_differences_are_queued_again_with_the_reason_and_delivered(tool):
    li, subs, users = delivered(tool)
    overwrite_in_lms(tool, li, subs[1], 0.0)
    overwrite_in_lms(tool, li, subs[4], 0.5)
    before = results_requests(tool)
    result = reconcile(tool)
    assert (result.line_items, result.matching, result.resent, result.unreachable) == (1, 4, 2, 0)
    assert results_requests(tool) - before == 2 == result.requests  # 6 results, 4 a page
    with tool.rt.sessions() as s:
        again = s.scalars(sa.select(ScoreOutbox).where(ScoreOutbox.status == "pending")
                          .order_by(ScoreOutbox.user_id)).all()
        assert [r.user_id for r in again] == [users[1], users[4]]
        assert again[0].reason == "reconcile: the LMS holds 0.0 of 1.0" and again[0].score_given == 1.0
        check = s.get(LineItemCheck, li)
        assert (check.matching, check.resent, check.unreachable, check.error) == (4, 2, 0, None)
        assert check.checked_at is not None
    assert push(tool).delivered == 2
    held = {x["user_id"]: x["scoreGiven"] for x in tool.lms.scores(course_id=tool.lms_course_id)}
    assert held == {sub: 1.0 for sub in subs}
    second = reconcile(tool)  # the re-sent grades changed the line item: read again, all match
    assert (second.matching, second.resent) == (6, 0)
    with tool.rt.sessions() as s:
        assert set(s.scalars(sa.select(ScoreState.verdict))) == {"match"}


def test_only_line_items_with_changes_are_read(tool):
    first, _, _ = delivered(tool, n=3, resource_id="event:1")
    assert reconcile(tool).line_items == 1
    before = results_requests(tool)
    assert reconcile(tool).line_items == 0
    assert results_requests(tool) == before  # nothing changed: nothing read
    second, _, _ = delivered(tool, n=2, resource_id="event:2")
    result = reconcile(tool)
    assert (result.line_items, result.matching) == (1, 2)
    with tool.rt.sessions() as s:  # a changed line item waits for the interval after its last check
        assert due_line_items(s, utcnow(), 3600) == []
        s.execute(sa.update(LineItemCheck).where(LineItemCheck.line_item_id == first)
                  .values(requested_at=utcnow()))
        s.commit()
        assert [item.line_item_id for _, item in due_line_items(s, utcnow(), 3600)] == [first]


def test_unreadable_results_count_as_unreachable_and_are_tried_again(tool):
    li, _, _ = delivered(tool, n=3)
    tool.lms.set_faults(rules=[{"path_prefix": "/api/", "method": "GET", "status": 503, "count": None}])
    result = reconcile(tool)
    assert (result.matching, result.resent, result.unreachable) == (0, 0, 3)
    with tool.rt.sessions() as s:
        check = s.get(LineItemCheck, li)
        assert check.checked_at is None and check.failed_at is not None and "503" in check.error
        assert s.scalar(sa.select(sa.func.count()).select_from(ScoreOutbox)
                        .where(ScoreOutbox.status == "pending")) == 0  # nothing queued on a guess
    tool.lms.set_faults()
    assert reconcile(tool).matching == 3


def test_a_pending_newer_grade_is_not_second_guessed(tool):
    li, subs, users = delivered(tool, n=2)
    overwrite_in_lms(tool, li, subs[0], 0.0)
    with tool.rt.sessions.begin() as s:  # the tutor already changed it again
        add_outbox(s, tool.network_id, tool.course_id, li, users[:1], score=0.0)
    result = reconcile(tool)
    assert (result.matching, result.resent) == (1, 0)
    with tool.rt.sessions() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(ScoreOutbox)
                        .where(ScoreOutbox.status == "pending")) == 1


def test_statements_per_line_item_do_not_grow_with_its_grades(tool):
    from tests.scaling.probe import count_statements

    small, few, _ = delivered(tool, n=2, resource_id="event:1")
    large, subs, _ = delivered(tool, n=9, resource_id="event:2")
    overwrite_in_lms(tool, small, few[1], 0.0)  # the same verdicts on both: some match, some differ
    overwrite_in_lms(tool, large, subs[0], 0.0)
    overwrite_in_lms(tool, large, subs[5], 0.0)
    engine = tool.rt.sessions.kw["bind"]
    counts = {}
    for li in (small, large):
        with tool.rt.sessions.begin() as s:  # check one line item at a time
            s.execute(sa.update(LineItemCheck).where(LineItemCheck.line_item_id != li)
                      .values(checked_at=utcnow() + timedelta(hours=1)))
            s.execute(sa.update(LineItemCheck).where(LineItemCheck.line_item_id == li).values(checked_at=None))
        with count_statements(engine) as statements:
            result = reconcile(tool)
        assert result.line_items == 1
        counts[li] = len(statements)
    assert result.resent == 2 and result.requests == 3  # 9 results, 4 a page
    assert counts[large] == counts[small]
