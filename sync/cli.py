"""`flask sync …`: pull rosters, push completions, show status — in-process, or queued for the worker."""
from __future__ import annotations

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from lti_tool.core.clock import utcnow
from lti_tool.core.courses import Course
from lti_tool.core.scores import retry_failed

from .grades import push_platform
from .outbox import due_platforms
from .roster import pull_roster
from .runtime import runtime
from .status import outbox_counts, recent_failures, roster_status

sync = AppGroup("sync", help="Roster pull (NRPS) and completion push (AGS).")


def _runtime():
    # The app's development setting too: `flask sync` against the demo LMS speaks http on loopback.
    return runtime({"DATABASE_URL": current_app.config["DATABASE_URL"],
                    "DEV_MODE": bool(current_app.config.get("DEV_MODE"))})


@sync.command("roster")
@click.option("--context", "course_id", type=int, help="Course id in TutorNet (default: every course with NRPS).")
@click.option("--queue", is_flag=True, help="Queue the pulls for the worker instead of running them here.")
def roster_command(course_id: int | None, queue: bool) -> None:
    """Pull course rosters over NRPS."""
    rt = _runtime()
    with rt.sessions() as s:
        ids = [course_id] if course_id else list(s.scalars(
            sa.select(Course.id).where(Course.nrps_url.is_not(None)).order_by(Course.id)))
    for cid in ids:
        if queue:
            from .tasks import pull_roster as task

            task.delay(cid)
            click.echo(f"course {cid}: queued")
            continue
        r = pull_roster(rt.sessions, cid, rt.tokens, rt.http, rt.settings)
        click.echo(f"course {cid}: {r.status}{' (differences)' if r.incremental else ''} pages={r.pages} "
                   f"members={r.seen} added={r.added} removed={r.removed} not_in_lms_roster={r.launch_only}"
                   + (f" error={r.error}" if r.error else "")
                   + (f" (differences refused, full pull: {r.extra['differences_refused']})"
                      if "differences_refused" in r.extra else ""))


@sync.command("push")
@click.option("--queue", is_flag=True, help="Queue the drain for the worker instead of running it here.")
def push_command(queue: bool) -> None:
    """Deliver due scores from the outbox over AGS."""
    if queue:
        from .tasks import push_outbox

        push_outbox.delay()
        click.echo("queued")
        return
    rt = _runtime()
    with rt.sessions() as s:
        platforms = due_platforms(s, utcnow())
    for pid in platforms:
        r = push_platform(rt.sessions, pid, rt.tokens, rt.http, rt.settings)
        click.echo(f"platform {pid}: delivered={r.delivered} retry={r.retry} failed={r.failed} "
                   f"deferred={r.deferred} superseded={r.superseded}")
    if not platforms:
        click.echo("nothing due")


@sync.command("status")
@click.option("--network", "network_id", type=int, help="Only this network.")
def status_command(network_id: int | None) -> None:
    """Outbox counts, recent failures and the last roster pull of each course."""
    rt = _runtime()
    with rt.sessions() as s:
        c = outbox_counts(s, network_id)
        click.echo(f"outbox: pending={c['pending']} (due {c['due']}) delivered={c['delivered']} "
                   f"failed={c['failed']} superseded={c['superseded']} oldest_pending={c['oldest_pending']}")
        for f in recent_failures(s, network_id, limit=10):
            click.echo(f"  failed #{f['id']} {f['source_key']} {f['user']}: {f['error']}")
        for r in roster_status(s, network_id):
            click.echo(f"roster course {r['course_id']} {r['title']}: {r['status']} members={r['members']} "
                       f"added={r['added']} removed={r['removed']} not_in_lms_roster={r['launch_only']} "
                       f"incremental_next={'yes' if r['incremental_next'] else 'no'} at {r['finished_at']}"
                       + (f" error={r['error']}" if r["error"] else ""))


@sync.command("retry")
@click.option("--network", "network_id", type=int, required=True)
def retry_command(network_id: int) -> None:
    """Put the network's failed scores back in the queue."""
    rt = _runtime()
    with rt.sessions.begin() as s:
        click.echo(f"{retry_failed(s, network_id)} scores queued again")
