"""Completion push over AGS against the demo LMS (Moodle semantics: 409 for a not-later timestamp)."""
from __future__ import annotations

import time
from datetime import timedelta, timezone

import sqlalchemy as sa

from lti_tool.core.clock import utcnow
from lti_tool.core.grades import LineItem, ScoreOutbox
from sync.grades import push_platform

from .helpers import ALL_AGS, add_line_item, add_outbox, add_users

SCORES = "/api/courses/{}/lineitems"


def arrange(tool, n=6, **line_item):
    subs = tool.lms.add_members(tool.lms_course_id, generate={"learner": n})
    with tool.rt.sessions.begin() as s:
        li = add_line_item(s, tool.course_id, **line_item)
        users = add_users(s, tool.lms.url, subs)
        add_outbox(s, tool.network_id, tool.course_id, li, users, age_seconds=1)
    return li, subs


def push(tool):
    rt = tool.rt
    return push_platform(rt.sessions, tool.platform_id, rt.tokens, rt.http, rt.settings)


def rows(tool):
    with tool.rt.sessions() as s:
        return s.scalars(sa.select(ScoreOutbox).order_by(ScoreOutbox.id)).all()


def aware(ts):
    return ts if ts.tzinfo else ts.replace(tzinfo=timezone.utc)


def make_due(tool):
    with tool.rt.sessions.begin() as s:
        s.execute(sa.update(ScoreOutbox).where(ScoreOutbox.status == "pending")
                  .values(next_attempt_at=utcnow() - timedelta(seconds=1)))


def test_completions_are_delivered_with_original_timestamp_and_one_line_item(tool):
    li, subs = arrange(tool)
    tokens_before = tool.lms.stats()["token_requests"]
    result = push(tool)
    assert result.delivered == 6 and result.failed == result.retry == 0
    items = tool.lms.lineitems(tool.lms_course_id)
    assert len(items) == 1 and items[0]["resourceId"] == "event:1" and items[0]["tag"] == "completion"
    scores = tool.lms.scores(course_id=tool.lms_course_id)
    assert sorted(s["user_id"] for s in scores) == sorted(subs)
    assert all(s["scoreGiven"] == 1.0 and s["gradingProgress"] == "FullyGraded" for s in scores)
    outbox = rows(tool)
    assert all(r.status == "delivered" and r.delivered_at for r in outbox)
    sent = {s["user_id"]: s["timestamp"] for s in scores}
    assert sent[subs[0]].startswith(outbox[0].timestamp.strftime("%Y-%m-%dT%H:%M:%S"))
    with tool.rt.sessions() as s:
        assert s.scalar(sa.select(LineItem.url).where(LineItem.id == li)) == items[0]["url"]
    assert tool.lms.stats()["token_requests"] - tokens_before == 1


def test_resent_score_meets_409_and_counts_as_delivered(tool):
    arrange(tool, n=3)
    push(tool)
    with tool.rt.sessions.begin() as s:  # as if the worker died before recording the outcome
        s.execute(sa.update(ScoreOutbox).values(status="pending", next_attempt_at=utcnow()))
    assert push(tool).delivered == 3
    assert all(s["post_count"] == 1 for s in tool.lms.scores(course_id=tool.lms_course_id))
    assert len(tool.lms.lineitems(tool.lms_course_id)) == 1


def test_existing_line_item_is_found_not_duplicated(tool):
    link = tool.lms.create_link(client_id=tool.client_id, course_id=tool.lms_course_id, title="Тьюториал",
                                lineitem={"label": "Тьюториал", "resourceId": "event:1", "tag": "completion",
                                          "scoreMaximum": 1})
    arrange(tool, n=2, link_id=str(link["link_id"]))
    assert push(tool).delivered == 2
    items = tool.lms.lineitems(tool.lms_course_id)
    assert [i["id"] for i in items] == [link["lineitem_id"]]


def test_server_errors_and_429_are_retried_until_delivered(tool):
    arrange(tool, n=6)
    prefix = SCORES.format(tool.lms_course_id)
    tool.lms.set_faults(rules=[{"path_prefix": prefix, "method": "POST", "status": 503, "count": 3},
                               {"path_prefix": prefix, "method": "POST", "status": 429, "retry_after": 1,
                                "count": 2}])
    started = utcnow()
    first = push(tool)
    assert first.delivered < 6 and first.failed == 0
    pending = [r for r in rows(tool) if r.status == "pending"]
    # Put off (a backoff of 0.1–0.2 s here, which a loaded machine may already have passed).
    assert pending and all(aware(r.next_attempt_at) > started for r in pending)
    assert all(r.last_error for r in pending if r.attempts)  # deferred rows were never sent
    deadline = time.monotonic() + 20
    while any(r.status == "pending" for r in rows(tool)) and time.monotonic() < deadline:
        time.sleep(0.3)
        push(tool)
    assert {r.status for r in rows(tool)} == {"delivered"}
    assert len(tool.lms.scores(course_id=tool.lms_course_id)) == 6


def test_retry_after_pauses_the_platform(tool):
    arrange(tool, n=5)
    tool.lms.set_faults(rules=[{"path_prefix": SCORES.format(tool.lms_course_id), "method": "POST", "status": 429,
                                "retry_after": 120, "count": None}])
    key = "POST /api/courses/<int:course_id>/lineitems/<int:li_id>/scores"
    before = tool.lms.stats()["requests"].get(key, 0)
    push(tool)
    pending = rows(tool)
    assert all(r.status == "pending" for r in pending)
    assert all(aware(r.next_attempt_at) > utcnow() + timedelta(seconds=100) for r in pending)
    # Once told to wait, the worker stops sending (at most the requests already in flight).
    assert tool.lms.stats()["requests"].get(key, 0) - before <= tool.rt.settings["SYNC_PER_PLATFORM_CONCURRENCY"]


def test_timeouts_are_retried(tool):
    link = tool.lms.create_link(client_id=tool.client_id, course_id=tool.lms_course_id,
                                lineitem={"label": "Тьюториал", "resourceId": "event:1", "tag": "completion"})
    arrange(tool, n=2, link_id=str(link["link_id"]))
    scores = f"{SCORES.format(tool.lms_course_id)}/{link['lineitem_id']}/scores"
    tool.lms.set_faults(rules=[{"path_prefix": scores, "method": "POST", "timeout": 3, "count": 2}])
    first = push(tool)
    assert first.retry == 2 and all("did not answer in time" in r.last_error for r in rows(tool))
    make_due(tool)
    assert push(tool).delivered == 2  # the platform had applied them: 409, still delivered


def test_other_4xx_fails_with_the_platform_message_and_admin_retry(tool):
    arrange(tool, n=2)
    with tool.rt.sessions.begin() as s:  # a user the LMS does not know as gradable
        [uid] = add_users(s, tool.lms.url, ["999999"])
        li = s.scalar(sa.select(LineItem.id))
        add_outbox(s, tool.network_id, tool.course_id, li, [uid])
    result = push(tool)
    assert result.delivered == 2 and result.failed == 1
    [failed] = [r for r in rows(tool) if r.status == "failed"]
    assert failed.last_error.startswith("400") and "Incorrect score received" in failed.last_error


def test_revoked_token_is_refreshed_once_on_401(tool):
    from lti_tool.lti.models import Platform
    from sync.http import push_scopes
    from sync.tokens import PlatformRef

    arrange(tool, n=3)
    with tool.rt.sessions() as s:
        ref = PlatformRef.of(s.get(Platform, tool.platform_id))
    stale = tool.rt.tokens.token(ref, push_scopes(ALL_AGS))  # cached, then revoked by the platform
    tool.lms.app.extensions["demo_lms"].store.revoke_token(stale)
    before = tool.lms.stats()["token_requests"]
    assert push(tool).delivered == 3
    assert tool.lms.stats()["token_requests"] - before == 1  # one refresh, not one per request


def test_line_item_post_that_timed_out_is_not_repeated(tool):
    arrange(tool, n=2)
    # The LMS creates the line item 3 s after the request, when the worker has given up (2 s).
    tool.lms.set_faults(rules=[{"path_prefix": SCORES.format(tool.lms_course_id), "method": "POST", "timeout": 3,
                                "count": 1}])
    assert push(tool).retry == 2
    make_due(tool)
    assert push(tool).delivered == 0  # not found yet, and no second POST
    time.sleep(1.5)
    make_due(tool)
    assert push(tool).delivered == 2
    assert len(tool.lms.lineitems(tool.lms_course_id)) == 1


def test_two_pushers_at_once_create_one_line_item(tool):
    arrange(tool, n=12)
    tool.lms.set_faults(latency_ms=150)  # a wide window for the race
    from concurrent.futures import ThreadPoolExecutor

    tool.rt.settings["SYNC_BATCH_SIZE"] = 6
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: push(tool), range(2)))
    assert sum(r.delivered for r in results) == 12
    assert len(tool.lms.lineitems(tool.lms_course_id)) == 1
