"""The Celery application, configured from the same environment as the web app.

Run: `celery -A sync.celery_app worker -Q grades,roster,default -B` (the README's run command does).
Embedded default broker: kombu's SQLAlchemy transport on a SQLite file (no server needed);
production: CELERY_BROKER_URL=redis://… or amqp://….
"""
from __future__ import annotations

from celery import Celery
from kombu import Queue

from lti_tool.config import load_config


def make_celery(config: dict | None = None) -> Celery:
    """Build the Celery app; `config` overrides the environment (tests)."""
    settings = load_config()
    if config:
        settings.update(config)
    app = Celery("tutornet", broker=settings["CELERY_BROKER_URL"], backend=settings["CELERY_RESULT_BACKEND"],
                 include=["sync.tasks"])
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
        # Redis/SQS redeliver unacknowledged tasks after this; longer than the longest task.
        broker_transport_options={"visibility_timeout": 3600, "polling_interval": 1},
        broker_connection_retry_on_startup=True,
        # Roster pulls and grade pushes have their own queues so rosters never starve grades.
        task_queues=(Queue("grades"), Queue("roster"), Queue("default")),
        task_default_queue="default",
        task_routes={
            "sync.tasks.push_outbox": {"queue": "grades"},
            "sync.tasks.push_one_platform": {"queue": "grades"},
            "sync.tasks.pull_roster": {"queue": "roster"},
            "sync.tasks.schedule_rosters": {"queue": "roster"},
        },
        beat_schedule={
            "drain-outbox": {
                "task": "sync.tasks.push_outbox",
                "schedule": float(settings["SYNC_OUTBOX_INTERVAL_SECONDS"]),
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
