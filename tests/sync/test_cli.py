"""`flask sync …` commands, run through Flask's CliRunner on a small app of their own (the group is
registered in the real app by lti_tool/__init__.py)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from lti_tool.core.grades import ScoreOutbox
from sync.cli import sync

from .helpers import add_line_item, add_outbox, add_users


def runner(database_url):
    app = Flask(__name__)
    app.config["DATABASE_URL"] = database_url
    app.config["DEV_MODE"] = True  # the demo LMS speaks plain http on loopback
    app.cli.add_command(sync)
    return app.test_cli_runner()


def test_roster_push_status_and_retry(tool, database_url):
    cli = runner(database_url)
    subs = tool.lms.add_members(tool.lms_course_id, generate={"learner": 9})
    out = cli.invoke(args=["sync", "roster", "--context", str(tool.course_id)])
    assert out.exit_code == 0, out.output
    assert f"course {tool.course_id}: ok" in out.output and "members=9 added=9" in out.output

    with tool.rt.sessions.begin() as s:
        li = add_line_item(s, tool.course_id)
        [stranger] = add_users(s, tool.lms.url, ["424242"])  # not gradable at the LMS: fails
        users = dict(s.execute(sa.text("SELECT sub, id FROM user_account")).all())
        add_outbox(s, tool.network_id, tool.course_id, li, [users[sub] for sub in subs[:4]] + [stranger])
    out = cli.invoke(args=["sync", "push"])
    assert out.exit_code == 0, out.output
    assert "delivered=4" in out.output and "failed=1" in out.output

    out = cli.invoke(args=["sync", "status"])
    assert "pending=0" in out.output and "delivered=4" in out.output and "failed=1" in out.output
    assert "Incorrect score received" in out.output  # the platform's message, for the admin
    assert "members=9" in out.output

    out = cli.invoke(args=["sync", "retry", "--network", str(tool.network_id)])
    assert "1 scores queued again" in out.output
    with tool.rt.sessions() as s:
        assert s.scalar(sa.select(sa.func.count()).where(ScoreOutbox.status == "pending")) == 1


def test_push_with_nothing_due(sessions, database_url):
    out = runner(database_url).invoke(args=["sync", "push"])
    assert out.exit_code == 0 and "nothing due" in out.output
