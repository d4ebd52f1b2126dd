"""Grades the LMS really holds: Moodle's answers that lost a grade while TutorNet showed it delivered.

Each test failed on the worker before issue 27 (a 409 was taken as delivered, any 2xx was
delivered, a regrade within the second of an unanswered score met 409): the LMS kept the old value.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from demo_lms.faults import DROP_AFTER_WRITE, TERMINATED
from lti_tool.core.grades import ScoreOutbox, ScoreState
from lti_tool.core.scores import queue_scores
from sync.grades import push_platform

from .helpers import add_line_item, add_users


@pytest.fixture
def moodle(tool):
    """The demo LMS keeping score timestamps to the second, like Moodle."""
    tool.lms.set_ags(second_timestamps=True)
    yield tool
    tool.lms.set_ags(second_timestamps=False)


def whole_second(offset: float) -> datetime:
    """`offset` seconds into the current whole second, minus a minute (a grade given just now)."""
    return datetime.now(timezone.utc).replace(microsecond=0) - timedelta(seconds=60) + timedelta(seconds=offset)


def arrange(tool, n=3):
    subs = tool.lms.add_members(tool.lms_course_id, generate={"learner": n})
    with tool.rt.sessions.begin() as s:
        li = add_line_item(s, tool.course_id)
        users = add_users(s, tool.lms.url, subs)
    return li, users, subs


def grade(tool, li, users, score, at):
    """Grades as the events area queues them (core.scores.queue_scores), stamped `at`."""
    with tool.rt.sessions.begin() as s:
        queue_scores(s, [dict(network_id=tool.network_id, course_id=tool.course_id, line_item_id=li, user_id=u,
                              source_key=f"event_participant:{u}", score_given=score, score_maximum=1.0,
                              completed=True, comment=None, now=at) for u in users])


def push(tool):
    rt = tool.rt
    return push_platform(rt.sessions, tool.platform_id, rt.tokens, rt.http, rt.settings)


def held(tool) -> dict[str, float]:
    """What the LMS gradebook holds, by user."""
    return {s["user_id"]: s["scoreGiven"] for s in tool.lms.scores(course_id=tool.lms_course_id)}


def statuses(tool) -> list[str]:
    with tool.rt.sessions() as s:
        return list(s.scalars(sa.select(ScoreOutbox.status).order_by(ScoreOutbox.id)))


def test_regrade_within_the_same_second_reaches_moodle(moodle):
    li, users, subs = arrange(moodle)
    grade(moodle, li, users, 0.3, whole_second(0.1))
    assert push(moodle).delivered == 3
    grade(moodle, li, users, 0.4, whole_second(0.9))  # the tutor corrects it within the second
    assert push(moodle).delivered == 3
    assert held(moodle) == {sub: 0.4 for sub in subs}
    assert statuses(moodle) == ["delivered"] * 6
    with moodle.rt.sessions() as s:
        sent = dict(s.execute(sa.select(ScoreOutbox.score_given, ScoreOutbox.sent_timestamp)
                              .where(ScoreOutbox.user_id == users[0])).all())
        state = s.scalar(sa.select(ScoreState).where(ScoreState.user_id == users[0]))
        assert state.score_given == 0.4 and state.delivered_at is not None
    # Not reordered: the regrade went out at least a second after the first grade.
    assert _utc(sent[0.4]) - _utc(sent[0.3]) >= timedelta(seconds=1)
    assert _utc(state.last_timestamp) == _utc(sent[0.4])


def test_a_200_terminated_answer_is_verified_and_the_grade_sent_again(tool):
    li, users, subs = arrange(tool)
    grade(tool, li, users, 0.3, whole_second(0.1))
    assert push(tool).delivered == 3
    prefix = f"/api/courses/{tool.lms_course_id}/lineitems"
    tool.lms.set_faults(rules=[{"path_prefix": prefix, "method": "POST", "count": 2, **TERMINATED}])
    injected = tool.lms.stats()["faults_injected"]
    grade(tool, li, users, 0.8, whole_second(2.0))
    assert push(tool).delivered == 3
    assert held(tool) == {sub: 0.8 for sub in subs}
    assert tool.lms.stats()["faults_injected"] - injected == 2
    assert statuses(tool) == ["delivered"] * 6


def test_first_grade_answered_terminated_is_sent_again(tool):
    li, users, subs = arrange(tool, n=1)
    prefix = f"/api/courses/{tool.lms_course_id}/lineitems"
    tool.lms.set_faults(rules=[{"path_prefix": prefix, "method": "POST", **TERMINATED}])
    grade(tool, li, users, 1.0, whole_second(0.5))
    # The first POST creates the line item; the score POST meets the Terminated answer.
    tool.lms.set_faults(rules=[{"path_prefix": prefix + "/", "method": "POST", **TERMINATED}])
    assert push(tool).delivered == 1
    assert held(tool) == {subs[0]: 1.0}


def test_dropped_connection_after_the_write_then_a_regrade_in_the_same_second(moodle):
    li, users, subs = arrange(moodle, n=2)
    prefix = f"/api/courses/{moodle.lms_course_id}/lineitems/"
    # The line item exists first (its POST is not what this test drops).
    grade(moodle, li, users[:1], 0.1, whole_second(-5))
    assert push(moodle).delivered == 1
    # Both the POST and the client's own re-send on a fresh connection are written, then dropped.
    moodle.lms.set_faults(rules=[{"path_prefix": prefix, "method": "POST", "count": 4, **DROP_AFTER_WRITE}])
    grade(moodle, li, users, 0.3, whole_second(0.1))
    first = push(moodle)
    assert held(moodle) == {sub: 0.3 for sub in subs}  # written, though no answer came back
    grade(moodle, li, users, 0.6, whole_second(0.6))  # the regrade within the same second
    drain(moodle)
    assert held(moodle) == {sub: 0.6 for sub in subs}
    # Verified by reading the results, not retried blindly: each grade written once.
    assert first.delivered == 2 and first.retry == 0
    assert all(s["post_count"] == 3 for s in moodle.lms.scores(course_id=moodle.lms_course_id)
               if s["user_id"] == subs[0])


def drain(tool, rounds: int = 10) -> None:
    """Push until nothing is pending (rows waiting for a retry are made due at once)."""
    for _ in range(rounds):
        with tool.rt.sessions.begin() as s:
            s.execute(sa.update(ScoreOutbox).where(ScoreOutbox.status == "pending")
                      .values(next_attempt_at=datetime.now(timezone.utc) - timedelta(seconds=1)))
        push(tool)
        if "pending" not in statuses(tool):
            return


def test_dropped_connection_with_nothing_written_is_sent_again(tool):
    li, users, subs = arrange(tool, n=1)
    grade(tool, li, users, 0.2, whole_second(-5))
    assert push(tool).delivered == 1
    prefix = f"/api/courses/{tool.lms_course_id}/lineitems/"
    tool.lms.set_faults(rules=[{"path_prefix": prefix, "method": "POST", "drop": "before", "count": 2}])
    grade(tool, li, users, 0.7, whole_second(1))
    assert push(tool).delivered == 1
    assert held(tool) == {subs[0]: 0.7}


def _utc(ts: datetime) -> datetime:
    return ts if ts.tzinfo else ts.replace(tzinfo=timezone.utc)
