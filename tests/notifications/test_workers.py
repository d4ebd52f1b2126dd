"""Integration: two real Celery workers, each with its own beat process, on Redis and PostgreSQL,
deliver every email exactly once to a real SMTP server on loopback."""
from __future__ import annotations

import os
from collections import Counter

import pytest
import redis as redis_lib
import sqlalchemy as sa

from lti_tool.core.accounts import Network
from lti_tool.core.db import make_engine, make_session_factory
from lti_tool.core.notices import Notice, queue_notices
from lti_tool.core.reference import Person
from lti_tool.models import Base
from tests import backends
from tests.sync.worker import Worker, wait_for

from .smtp_server import SmtpServer

pytestmark = pytest.mark.integration
REDIS_DB = 9  # a database index of its own (shifted by TEST_REDIS_DB_OFFSET)
PEOPLE = 40


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


def test_two_workers_and_two_beats_send_each_email_once(pg, smtp, tmp_path):
    url, sessions = pg
    broker = backends.private_redis_url(REDIS_DB)
    if broker is None:
        pytest.skip("Redis is not reachable")
    redis_lib.Redis.from_url(broker).flushdb()
    with sessions.begin() as s:
        net = Network(name="АМСТ", slug="net-" + os.urandom(3).hex())
        s.add(net)
        s.flush()
        people = [Person(network_id=net.id, full_name=f"Педагог {i:02d}", email=f"t{i}@school.test")
                  for i in range(PEOPLE)]
        s.add_all(people)
        s.flush()
        queue_notices(s, [dict(network_id=net.id, person_id=p.id, kind="event_reminder", object_key="event_session:1",
                               moment="24h", params={"title": "Тьюториал", "hours": 24,
                                                     "at": "2025-10-15T12:00:00+00:00", "tz": "Asia/Tomsk"},
                               email_status="pending") for p in people])
    env = {"DATABASE_URL": url, "CELERY_BROKER_URL": broker, "TUTORNET_INSTANCE": str(tmp_path),
           "SECRET_KEY": "workers-secret", "SMTP_URL": smtp.url, "NOTIFY_INTERVAL_SECONDS": "1",
           "NOTIFY_BATCH_SIZE": "3", "NOTIFY_RATE_PER_HOUR": "5", "SYNC_OUTBOX_INTERVAL_SECONDS": "3600",
           "SYNC_ROSTER_INTERVAL_MINUTES": "600"}
    workers = [Worker(env, tmp_path, name=name).start(beat=True) for name in ("n1", "n2")]
    try:
        def all_sent():
            with sessions() as s:
                return s.scalar(sa.select(sa.func.count()).where(Notice.email_status == "sent")) == PEOPLE
        wait_for(all_sent, 90, "every reminder sent", workers[0])
        # Both beats kept starting drains for a while: still nothing twice.
        wait_for(lambda: all(w.log.exists() and "notifications.deliver" in w.log.read_text() for w in workers),
                 30, "both workers drained", workers[1])
    finally:
        for w in workers:
            w.kill()
    received = Counter(rcpt for rcpts, _m in smtp.inbox.messages for rcpt in rcpts)
    assert len(received) == PEOPLE and set(received.values()) == {1}, received.most_common(3)
    [message] = smtp.inbox.to("t0@school.test")
    assert "15 октября 2025, 19:00 (Asia/Tomsk)" in message.get_body(("plain",)).get_content()
