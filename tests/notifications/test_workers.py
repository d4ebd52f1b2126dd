"""Integration: two real Celery workers, each with its own beat process, on Redis and PostgreSQL:
the beats both look for due reminders and both start drains, and each participant still gets the
event's reminder exactly once from a real SMTP server on loopback."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import redis as redis_lib
import sqlalchemy as sa

from lti_tool.core.clock import utcnow
from lti_tool.core.db import make_engine, make_session_factory
from lti_tool.core.notices import Notice
from lti_tool.core.reference import Person
from lti_tool.events.models import EventMeeting, Participant
from lti_tool.models import Base
from tests import backends
from tests.events.world import build_world
from tests.sync.worker import Worker, wait_for

from .smtp_server import SmtpServer

pytestmark = pytest.mark.integration
REDIS_DB = 9  # a database index of its own (shifted by TEST_REDIS_DB_OFFSET)
PEOPLE = 30


@pytest.fixture
def pg():
    server = backends.postgres_url()
    if server is None:
        pytest.skip("PostgreSQL is not reachable")
    url = backends.create_postgres_database(server)
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    yield url, make_session_factory(engine)
    engine.dispose()
    backends.drop_postgres_database(server, url)


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


def test_two_workers_and_two_beats_remind_each_participant_once(pg, smtp, tmp_path):
    url, sessions = pg
    broker = backends.private_redis_url(REDIS_DB)
    if broker is None:
        pytest.skip("Redis is not reachable")
    redis_lib.Redis.from_url(broker).flushdb()
    start = (utcnow() + timedelta(minutes=50)).astimezone(ZoneInfo("Asia/Tomsk"))
    with sessions() as s:
        world = build_world(s, teachers=PEOPLE, capacity=None)
        meetings = list(s.scalars(sa.select(EventMeeting).where(EventMeeting.event_id == world.event_id)))
        meetings[0].on_date, meetings[0].start_time = start.date(), start.time().replace(second=0, microsecond=0)
        meetings[0].end_time = None
        s.delete(meetings[1])
        for i, person_id in enumerate(world.teachers):
            s.get(Person, person_id).email = f"t{i}@school.test"
            # Rows written directly: the sign-up notifications are another test's subject.
            s.add(Participant(event_id=world.event_id, person_id=person_id, status="registered", queue_seq=i))
        s.commit()
    env = {"DATABASE_URL": url, "CELERY_BROKER_URL": broker, "TUTORNET_INSTANCE": str(tmp_path),
           "SECRET_KEY": "workers-secret", "SMTP_URL": smtp.url, "EVENTS_TIMEZONE": "Asia/Tomsk",
           "NOTIFY_INTERVAL_SECONDS": "1", "NOTIFY_SCHEDULE_SECONDS": "1", "NOTIFY_BATCH_SIZE": "4",
           "SYNC_OUTBOX_INTERVAL_SECONDS": "3600", "SYNC_ROSTER_INTERVAL_MINUTES": "600"}
    workers = [Worker(env, tmp_path, name=name).start(beat=True) for name in ("n1", "n2")]
    try:
        def all_sent():
            with sessions() as s:
                return s.scalar(sa.select(sa.func.count()).where(
                    Notice.kind == "event_reminder", Notice.email_status == "sent")) == PEOPLE
        wait_for(all_sent, 120, "every reminder sent", workers[0])
        # Both beats kept scheduling and draining for a while after: still nothing twice.
        wait_for(lambda: all("notifications.schedule" in w.log.read_text(errors="replace") for w in workers),
                 30, "both beats scheduled", workers[1])
    finally:
        for w in workers:
            w.kill()
    received = Counter(rcpt for rcpts, _m in smtp.inbox.messages for rcpt in rcpts)
    assert len(received) == PEOPLE and set(received.values()) == {1}, received.most_common(3)
    [message] = smtp.inbox.to("t0@school.test")
    assert message["Subject"] == "Напоминание: Тьюториал «Экологическая тропа»"
    expected = start.strftime("%H:%M") + " (Asia/Tomsk)"
    assert expected in message.get_body(("plain",)).get_content()
    assert "через 1 час" in message.get_body(("plain",)).get_content()
    with sessions() as s:
        assert s.scalar(sa.select(sa.func.count()).where(Notice.kind == "event_reminder")) == PEOPLE
