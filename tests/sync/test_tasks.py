"""The Celery tasks called directly (a real worker runs them in test_worker.py)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from lti_tool.core.clock import utcnow
from lti_tool.core.courses import RosterSync
from sync import tasks

from .helpers import add_line_item, add_outbox, add_users, seed_tool_side


@pytest.fixture
def env(monkeypatch, database_url, sessions):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("REDIS_URL", raising=False)
    return sessions


def test_schedule_rosters_skips_a_pull_in_progress(env, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.pull_roster, "delay", lambda course_id: sent.append(course_id))
    with env.begin() as s:
        a = seed_tool_side(s, "https://lms.example", "c", 1)["course_id"]
        b = seed_tool_side(s, "https://lms.example", "c", 2)["course_id"]
        stale = seed_tool_side(s, "https://lms.example", "c", 3)["course_id"]
        s.add(RosterSync(course_id=b, status="running", started_at=utcnow()))
        s.add(RosterSync(course_id=stale, status="running", started_at=utcnow() - timedelta(hours=2)))
    assert tasks.schedule_rosters() == 2
    assert sorted(sent) == sorted([a, stale])  # a pull that died long ago is restarted


def test_push_outbox_starts_one_push_per_due_platform(env, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.push_one_platform, "delay", lambda pid, slot: sent.append(pid))
    with env.begin() as s:
        ids = seed_tool_side(s, "https://lms.example", "c", 1)
        seed_tool_side(s, "https://other.example", "d", 1)  # nothing due there
        li = add_line_item(s, ids["course_id"])
        add_outbox(s, ids["network_id"], ids["course_id"], li, add_users(s, "https://lms.example", ["1", "2"]))
    assert tasks.push_outbox() == 1 and sent == [ids["platform_id"]]


def test_one_drain_per_platform_at_a_time(env):
    from sync.runtime import runtime

    rt = runtime()
    assert rt.cache.add_if_absent("sync:push:77:0", "another worker", 60)
    assert tasks.push_one_platform(77) == {"platform_id": 77, "skipped": "busy"}
    assert tasks.push_one_platform(77, 1) == {"platform_id": 77, "skipped": "busy"}  # only one slot by default
    rt.cache.delete("sync:push:77:0")
    assert tasks.push_one_platform(77)["delivered"] == 0  # no such platform: nothing to do, lock freed
    assert rt.cache.get("sync:push:77:0") is None


def test_reconcile_starts_one_run_per_platform_with_line_items_to_check(env, monkeypatch):
    from lti_tool.core.grades import LineItem, LineItemCheck

    sent = []
    monkeypatch.setattr(tasks.reconcile_one_platform, "delay", lambda pid: sent.append(pid))
    with env.begin() as s:
        ids = seed_tool_side(s, "https://lms.example", "c", 1)
        quiet = seed_tool_side(s, "https://other.example", "d", 1)
        changed, checked = add_line_item(s, ids["course_id"]), add_line_item(s, quiet["course_id"])
        for li in (changed, checked):
            s.get(LineItem, li).url = f"https://lms.example/li/{li}"
        s.add(LineItemCheck(line_item_id=changed, course_id=ids["course_id"], changed_at=utcnow()))
        s.add(LineItemCheck(line_item_id=checked, course_id=quiet["course_id"], changed_at=utcnow(),
                            checked_at=utcnow() - timedelta(minutes=5)))  # checked recently: waits an hour
    assert tasks.reconcile() == 1 and sent == [ids["platform_id"]]
    from sync.runtime import runtime

    rt = runtime()
    assert rt.cache.add_if_absent(f"sync:reconcile:{ids['platform_id']}", "another worker", 60)
    assert tasks.reconcile_one_platform(ids["platform_id"]) == {"platform_id": ids["platform_id"], "skipped": "busy"}


def test_beat_schedules_reconciliation():
    from sync.celery_app import make_celery

    app = make_celery({"SYNC_RECONCILE_POLL_SECONDS": 60.0})
    assert app.conf.beat_schedule["reconcile-grades"] == {"task": "sync.tasks.reconcile", "schedule": 60.0}
    assert app.conf.task_routes["sync.tasks.reconcile_one_platform"] == {"queue": "roster"}
