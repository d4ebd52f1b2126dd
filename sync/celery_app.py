"""The Celery application, configured from the same environment as the web app.

Run: `celery -A sync.celery_app worker -Q grades,roster,default -B` (the README's run command does).
Embedded default broker: kombu's SQLAlchemy transport on a SQLite file (no server needed);
production: CELERY_BROKER_URL=redis://… or amqp://….
"""
from __future__ import annotations

import os

from celery import Celery
from kombu import Queue

from .settings import sync_settings


def transport_options(broker_url: str) -> dict:
    """Broker options. Redis/SQS redeliver an unacknowledged task after the visibility timeout,
    longer than the longest task (a drain stops after SYNC_DRAIN_SECONDS; outbox rows in flight
    are protected by their own lease). kombu's SQLAlchemy transport hands its options to
    `create_engine`, so it gets none; it only restores unacknowledged tasks at a clean shutdown,
    which is enough because beat re-sends the drain and roster tasks and the rows live in the DB.
    """
    if broker_url.startswith("sqla+"):
        return {}
    return {"visibility_timeout": 3600, "polling_interval": 1}


def make_celery(config: dict | None = None) -> Celery:
    """Build the Celery app; `config` overrides the environment (tests)."""
    settings = sync_settings(config)
    app = Celery("tutornet", broker=settings["CELERY_BROKER_URL"], backend=settings["CELERY_RESULT_BACKEND"],
                 # Notification delivery is the notifications area's (by name: sync imports no area).
                 include=["sync.tasks", "lti_tool.notifications.tasks"])
    app.conf.update(
        tutornet=settings,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        # A task is acknowledged only after it finished: a killed worker's tasks are redelivered.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        # Long tasks (a 10,000-member roster) must not pile up prefetched grade pushes behind them.
        worker_prefetch_multiplier=1,
        broker_transport_options=transport_options(settings["CELERY_BROKER_URL"]),
        # A hung HTTP call cannot hold a worker forever (requests have their own timeouts too).
        task_soft_time_limit=int(settings["SYNC_ROSTER_LEASE_SECONDS"]),
        task_time_limit=int(settings["SYNC_ROSTER_LEASE_SECONDS"]) + 60,
        worker_hijack_root_logger=False,
        broker_connection_retry_on_startup=True,
        # Roster pulls and grade pushes have their own queues so rosters never starve grades.
        task_queues=(Queue("grades"), Queue("roster"), Queue("default")),
        task_default_queue="default",
        task_routes={
            "sync.tasks.push_outbox": {"queue": "grades"},
            "sync.tasks.push_one_platform": {"queue": "grades"},
            "sync.tasks.pull_roster": {"queue": "roster"},
            "sync.tasks.schedule_rosters": {"queue": "roster"},
            # Reading results is long and never urgent: beside the roster pulls, not the pushes.
            "sync.tasks.reconcile": {"queue": "roster"},
            "sync.tasks.reconcile_one_platform": {"queue": "roster"},
        },
        beat_schedule={
            "drain-outbox": {
                "task": "sync.tasks.push_outbox",
                "schedule": float(settings["SYNC_OUTBOX_INTERVAL_SECONDS"]),
            },
            "reconcile-grades": {
                "task": "sync.tasks.reconcile",
                "schedule": float(settings["SYNC_RECONCILE_POLL_SECONDS"]),
            },
            "deliver-notifications": {
                "task": "notifications.deliver",
                "schedule": float(os.environ.get("NOTIFY_INTERVAL_SECONDS") or 10),
            },
            "notification-reminders": {
                "task": "notifications.schedule",
                "schedule": float(os.environ.get("NOTIFY_SCHEDULE_SECONDS") or 60),
            },
            "pull-rosters": {
                "task": "sync.tasks.schedule_rosters",
                "schedule": 60.0 * settings["SYNC_ROSTER_INTERVAL_MINUTES"],
            },
        },
        timezone="UTC",
    )
    return app


celery = make_celery()
