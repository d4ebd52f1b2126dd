"""Notification benchmark: N event reminders queued by the scheduler and sent by a real Celery
worker (with beat) to a real SMTP server on loopback (aiosmtpd, in this process).

    python benchmarks/bench_notifications.py --count 20000

The tool database is a fresh PostgreSQL database (TEST_DATABASE_URL or 127.0.0.1:5432), or a
SQLite file with --sqlite; the broker is Redis (TEST_REDIS_URL or 127.0.0.1:6379, database slot 11
shifted by TEST_REDIS_DB_OFFSET, as the tests' databases) or, with --embedded-broker, kombu's
SQLAlchemy transport. One event has one meeting that starts in 50 minutes and N registered
participants, each with an address.

Printed: the time to queue the reminders (the scheduler's `event_reminders`, one transaction), the
time from the worker's start to the last message accepted by the SMTP server and from the first
accepted to the last (the sending rate), and the worker's peak memory: the largest RSS of its pool
process (where the drain runs) and of its whole process tree (main, pool, beat), sampled every 0.1 s.
The worker's CPU time (its whole tree, sampled) per email compares runs on a shared machine better
than wall time; the load average is printed before and after.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psutil
import sqlalchemy as sa
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lti_tool.core.accounts import Network  # noqa: E402
from lti_tool.core.clock import utcnow  # noqa: E402
from lti_tool.core.db import make_engine, make_session_factory  # noqa: E402
from lti_tool.core.notices import Notice  # noqa: E402
from lti_tool.core.reference import AcademicYear, Person  # noqa: E402
from lti_tool.events.models import Event, EventMeeting, Participant  # noqa: E402
from lti_tool.models import Base  # noqa: E402
from lti_tool.notifications import schedule  # noqa: E402
from tests import backends  # noqa: E402
from tests.notifications.smtp_server import free_port  # noqa: E402

TZ = "Europe/Moscow"


class Counting:
    """SMTP handler that only counts what it accepted (keeps no messages: memory is measured)."""

    def __init__(self):
        self.count, self.first, self.last = 0, None, None
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            now = time.monotonic()
            self.first = self.first or now
            self.count, self.last = self.count + 1, now
        return "250 OK"


def seed(sessions, count: int) -> None:
    """A network, an event whose meeting starts in 50 minutes, `count` registered people."""
    start = (utcnow() + timedelta(minutes=50)).astimezone(ZoneInfo(TZ))
    with sessions.begin() as s:
        net = Network(name="Регион", slug=f"bench-{os.getpid()}")
        s.add(net)
        s.flush()
        today = date.today()
        year = AcademicYear(network_id=net.id, title="год", starts_on=today - timedelta(days=100),
                            ends_on=today + timedelta(days=265), is_current=True)
        s.add(year)
        s.flush()
        event = Event(network_id=net.id, year_id=year.id, form="tutorial", title="Тьюториал «Экологическая тропа»",
                      status="published")
        s.add(event)
        s.flush()
        s.add(EventMeeting(event_id=event.id, on_date=start.date(), start_time=start.time().replace(microsecond=0),
                           place="МАДОУ № 69"))
        conn = s.connection()
        for begin in range(0, count, 5000):
            part = range(begin, min(begin + 5000, count))
            ids = conn.execute(sa.insert(Person).returning(Person.id), [
                {"network_id": net.id, "full_name": f"Педагог {i:05d}", "email": f"t{i}@school.test",
                 "is_tutor": False} for i in part]).scalars().all()
            conn.execute(sa.insert(Participant), [
                {"event_id": event.id, "person_id": pid, "status": "registered", "queue_seq": i,
                 "created_at": utcnow(), "updated_at": utcnow()} for i, pid in zip(part, ids)])


def tree_sample(proc: psutil.Process) -> tuple[int, int, float]:
    """(RSS of the whole tree, largest RSS of one child) in bytes, CPU seconds of the tree."""
    total, child_max, cpu = 0, 0, 0.0
    try:
        for p in [proc, *proc.children(recursive=True)]:
            rss = p.memory_info().rss
            total += rss
            if p.pid != proc.pid:
                child_max = max(child_max, rss)
            times = p.cpu_times()
            cpu += times.user + times.system
    except psutil.NoSuchProcess:
        pass
    return total, child_max, cpu


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--count", type=int, default=20000)
    p.add_argument("--sqlite", action="store_true", help="a SQLite file instead of PostgreSQL")
    p.add_argument("--embedded-broker", action="store_true", help="kombu's SQLAlchemy transport instead of Redis")
    p.add_argument("--redis-slot", type=int, default=11, help="Redis database, shifted by TEST_REDIS_DB_OFFSET")
    p.add_argument("--batch", type=int, default=200, help="NOTIFY_BATCH_SIZE")
    p.add_argument("--timeout", type=float, default=1800)
    args = p.parse_args()
    print(f"load average before: {os.getloadavg()}")
    tmp = Path(tempfile.mkdtemp(prefix="bench-notify-"))
    server_url = None
    if args.sqlite:
        url = f"sqlite:///{tmp / 'tool.db'}"
    else:
        server_url = backends.postgres_url()
        if server_url is None:
            sys.exit("PostgreSQL is not reachable (or use --sqlite)")
        url = backends.create_postgres_database(server_url)
    broker = f"sqla+sqlite:///{tmp / 'broker.db'}"
    if not args.embedded_broker:
        broker = backends.private_redis_url(args.redis_slot)
        if broker is None:
            sys.exit("Redis is not reachable (or use --embedded-broker)")
        import redis as redis_lib

        redis_lib.Redis.from_url(broker).flushdb()
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    sessions = make_session_factory(engine)
    os.environ["EVENTS_TIMEZONE"] = TZ
    t0 = time.perf_counter()
    seed(sessions, args.count)
    print(f"seeded {args.count} registered participants in {time.perf_counter() - t0:.1f} s")

    t0 = time.perf_counter()
    with sessions.begin() as s:
        queued = schedule.event_reminders(s, utcnow())
    print(f"queued {queued} reminders in {time.perf_counter() - t0:.2f} s "
          f"({queued / max(time.perf_counter() - t0, 1e-9):.0f}/s)")

    handler, port = Counting(), free_port()
    smtp = Controller(handler, hostname="127.0.0.1", port=port)
    smtp.start()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": url, "CELERY_BROKER_URL": broker,
           "TUTORNET_INSTANCE": str(tmp), "SECRET_KEY": "bench", "SMTP_URL": f"smtp://127.0.0.1:{port}",
           "NOTIFY_INTERVAL_SECONDS": "1", "NOTIFY_SCHEDULE_SECONDS": "3600", "NOTIFY_BATCH_SIZE": str(args.batch),
           "SYNC_OUTBOX_INTERVAL_SECONDS": "3600", "SYNC_ROSTER_INTERVAL_MINUTES": "600"}
    celery = str(Path(sys.executable).with_name("celery"))
    log = open(tmp / "worker.log", "wb")
    started = time.monotonic()
    worker = subprocess.Popen([celery, "-A", "sync.celery_app", "worker", "-Q", "grades,roster,default", "-c", "1",
                               "-B", "--schedule", str(tmp / "beat"), "-l", "WARNING", "--without-gossip",
                               "--without-mingle", "--without-heartbeat"], cwd=ROOT, env=env, stdout=log,
                              stderr=subprocess.STDOUT, start_new_session=True)
    proc = psutil.Process(worker.pid)
    peak_tree = peak_child = 0
    cpu = 0.0
    try:
        while handler.count < queued and time.monotonic() - started < args.timeout:
            total, child, cpu_now = tree_sample(proc)
            peak_tree, peak_child, cpu = max(peak_tree, total), max(peak_child, child), max(cpu, cpu_now)
            if worker.poll() is not None:
                sys.exit("the worker exited; see " + str(tmp / "worker.log"))
            time.sleep(0.1)
    finally:
        os.killpg(worker.pid, 9)
        worker.wait()
        smtp.stop()
    with sessions() as s:
        sent = s.scalar(sa.select(sa.func.count()).where(Notice.email_status == "sent"))
    engine.dispose()
    if server_url:
        backends.drop_postgres_database(server_url, url)
    total = (handler.last or time.monotonic()) - started
    rate_span = (handler.last or 0) - (handler.first or 0)
    print(f"SMTP server accepted {handler.count} of {queued} (rows marked sent: {sent})")
    print(f"worker start → last message: {total:.1f} s; first → last message: {rate_span:.1f} s "
          f"({handler.count / max(rate_span, 1e-9):.0f} emails/s)")
    print(f"worker CPU (main, pool, beat; user+system): {cpu:.1f} s, {1000 * cpu / max(handler.count, 1):.1f} ms "
          f"per email")
    print(f"worker peak memory: pool process {peak_child / 2**20:.0f} MiB, whole tree (main, pool, beat) "
          f"{peak_tree / 2**20:.0f} MiB")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
