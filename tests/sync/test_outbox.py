"""Claiming outbox rows with a lease, recording outcomes, the admin's retry."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from lti_tool.core.clock import utcnow
from lti_tool.core.grades import ScoreOutbox
from lti_tool.core.scores import retry_failed, supersede_older
from sync.outbox import Outcome, claim, due_platforms, load_claimed, record

from .helpers import add_line_item, add_outbox, add_users, seed_tool_side


def arrange(sessions, n=5, lms_url="https://lms.example", client_id="c1"):
    with sessions.begin() as s:
        ids = seed_tool_side(s, lms_url, client_id, 1)
        li = add_line_item(s, ids["course_id"])
        users = add_users(s, lms_url, [f"{client_id}-{i}" for i in range(n)])
        add_outbox(s, ids["network_id"], ids["course_id"], li, users, age_seconds=5)
    return ids


def statuses(sessions):
    with sessions() as s:
        return dict(s.execute(sa.select(ScoreOutbox.id, ScoreOutbox.status)).all())


def test_claim_leases_rows_so_a_second_claim_gets_none(sessions):
    ids = arrange(sessions)
    now = utcnow()
    first = claim(sessions, ids["platform_id"], now, 3, lease=60)
    rest = claim(sessions, ids["platform_id"], now, 10, lease=60)
    assert len(first) == 3 and len(rest) == 2 and not set(first) & set(rest)
    assert claim(sessions, ids["platform_id"], now, 10, lease=60) == []
    with sessions() as s:
        rows = s.scalars(sa.select(ScoreOutbox)).all()
    assert all(r.attempts == 1 and r.status == "pending" for r in rows)


def test_rows_of_a_dead_worker_are_due_again_after_the_lease(sessions):
    ids = arrange(sessions, n=2)
    claimed = claim(sessions, ids["platform_id"], utcnow(), 10, lease=60)
    assert claim(sessions, ids["platform_id"], utcnow() + timedelta(seconds=30), 10, lease=60) == []
    again = claim(sessions, ids["platform_id"], utcnow() + timedelta(seconds=61), 10, lease=60)
    assert sorted(again) == sorted(claimed)


def test_claim_is_per_platform(sessions):
    a = arrange(sessions, n=2, client_id="a")
    b = arrange(sessions, n=3, client_id="b")
    with sessions() as s:
        assert sorted(due_platforms(s, utcnow())) == sorted([a["platform_id"], b["platform_id"]])
    assert len(claim(sessions, b["platform_id"], utcnow(), 10, lease=60)) == 3
    with sessions() as s:
        assert due_platforms(s, utcnow()) == [a["platform_id"]]


def test_outcomes_are_recorded(sessions):
    ids = arrange(sessions, n=4)
    got = sorted(claim(sessions, ids["platform_id"], utcnow(), 10, lease=60))
    later = utcnow() + timedelta(seconds=90)
    record(sessions, [Outcome(got[0], "delivered"), Outcome(got[1], "retry", "503: busy", later),
                      Outcome(got[2], "failed", "400: Incorrect score received"),
                      Outcome(got[3], "deferred", None, later)])
    with sessions() as s:
        rows = {r.id: r for r in s.scalars(sa.select(ScoreOutbox))}
    assert rows[got[0]].status == "delivered" and rows[got[0]].delivered_at is not None
    assert rows[got[1]].status == "pending" and rows[got[1]].last_error == "503: busy"
    assert rows[got[2]].status == "failed" and "Incorrect score" in rows[got[2]].last_error
    assert rows[got[3]].status == "pending" and rows[got[3]].attempts == 0  # never sent
    with sessions.begin() as s:
        assert retry_failed(s, ids["network_id"]) == 1
    assert statuses(sessions)[got[2]] == "pending"


def test_a_row_changed_meanwhile_is_not_overwritten(sessions):
    ids = arrange(sessions, n=1)
    [row_id] = claim(sessions, ids["platform_id"], utcnow(), 10, lease=60)
    with sessions.begin() as s:
        s.execute(sa.update(ScoreOutbox).values(status="superseded"))
    record(sessions, [Outcome(row_id, "failed", "400")])
    assert statuses(sessions)[row_id] == "superseded"


def test_only_the_newest_score_per_user_and_line_item_is_sent(sessions):
    ids = arrange(sessions, n=1)
    with sessions.begin() as s:
        old = s.scalar(sa.select(ScoreOutbox))
        s.add(ScoreOutbox(network_id=old.network_id, course_id=old.course_id, line_item_id=old.line_item_id,
                          user_id=old.user_id, source_key=old.source_key, score_given=0.5, score_maximum=1.0,
                          timestamp=utcnow(), next_attempt_at=utcnow() - timedelta(seconds=1)))
    rows = load_claimed(sessions, claim(sessions, ids["platform_id"], utcnow(), 10, lease=60))
    keep, superseded = supersede_older(rows)
    assert [r["score_given"] for r in keep] == [0.5] and len(superseded) == 1
