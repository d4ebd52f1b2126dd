"""Reconciliation benchmark: the worker reads the LMS gradebook of many line items and compares it
with what TutorNet delivered (sync/reconcile.py), against the demo LMS with injected latency.

    python benchmarks/bench_reconcile.py --grades 20000 --line-items 40 --latency-ms 20

Setup (not measured): a demo LMS process with one course of grades/line-items learners, a fresh
PostgreSQL tool database (TEST_DATABASE_URL or 127.0.0.1:5432), every grade pushed by the worker
itself (latency 0), then `--differences` grades changed in the LMS behind TutorNet's back (a later
score posted with the tool's own token, as a teacher's edit in the gradebook would be).

Measured, at `--latency-ms` per platform request: (1) the first reconciliation of every line item
— wall time, CPU of this process, results requests and token requests at the platform, SQL
statements, verdicts; (2) a second run right after, when nothing changed (no line item is read);
(3) the re-sent grades pushed, then (4) the check of the line items they changed. The load average
is printed before and after: the machine is shared.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lti_tool.core.clock import utcnow  # noqa: E402
from lti_tool.core.db import make_engine, make_session_factory  # noqa: E402
from lti_tool.core.grades import LineItem  # noqa: E402
from lti_tool.lti.models import Platform  # noqa: E402
from lti_tool.models import Base  # noqa: E402
from tests import backends  # noqa: E402
from tests.scaling.probe import count_statements  # noqa: E402
from tests.sync.helpers import (  # noqa: E402
    ALL_AGS,
    JwksServer,
    add_line_item,
    add_outbox,
    add_users,
    make_tool_key,
    register_tool,
    seed_tool_side,
)

LMS_SCRIPT = """
import sys, time
from demo_lms.testing import start_demo_lms
lms = start_demo_lms(data_dir=sys.argv[1])
print(lms.url, flush=True)
time.sleep(10**7)
"""
RESULTS = "GET /api/courses/<int:course_id>/lineitems/<int:li_id>/results"


class RemoteLms:
    """The control API of the demo LMS process."""

    def __init__(self, url: str):
        self.url, self.http = url, requests.Session()

    def control(self, method: str, path: str, json_body=None, **params):
        r = self.http.request(method, f"{self.url}/_control/{path}", json=json_body, params=params or None,
                              timeout=600)
        r.raise_for_status()
        return r.json()

    def register_tool(self, **fields):
        return self.control("POST", "tools", fields)

    def stats(self) -> dict:
        return self.control("GET", "stats")


def runtime(db: str, a):
    from sync.runtime import build_runtime
    from sync.settings import sync_settings

    return build_runtime(sync_settings({
        "DATABASE_URL": db, "REDIS_URL": None, "DEV_MODE": True, "SYNC_PER_PLATFORM_CONCURRENCY": 16,
        "SYNC_BATCH_SIZE": 1000, "SYNC_DRAIN_SECONDS": 3600.0, "SYNC_RECONCILE_INTERVAL_SECONDS": 0.0,
        "SYNC_RECONCILE_CONCURRENCY": a.concurrency, "SYNC_RESULTS_PAGE_SIZE": a.page_size}))


def measured(name: str, rt, lms: RemoteLms, run) -> dict:
    """Run `run()` and collect wall time, CPU, platform requests and the worker's SQL statements."""
    before = lms.stats()
    t0, c0 = time.perf_counter(), time.process_time()
    with count_statements(rt.sessions.kw["bind"]) as statements:
        result = run()
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    after = lms.stats()
    requests_ = {k: v - before["requests"].get(k, 0) for k, v in after["requests"].items()
                 if v - before["requests"].get(k, 0)}
    figures = {"name": name, "seconds": seconds, "cpu_seconds": cpu, "statements": len(statements),
               "requests": sum(requests_.values()), "results_requests": requests_.get(RESULTS, 0),
               "token_requests": after["token_requests"] - before["token_requests"], "result": result}
    print(f"  {name}: {seconds:.2f} s wall, {cpu:.2f} s CPU, {figures['requests']} requests "
          f"({figures['results_requests']} results pages, {figures['token_requests']} token), "
          f"{len(statements)} SQL statements — {result}", flush=True)
    return figures


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--grades", type=int, default=20000)
    p.add_argument("--line-items", type=int, default=40)
    p.add_argument("--latency-ms", type=float, default=20)
    p.add_argument("--page-size", type=int, default=500, help="results per page (SYNC_RESULTS_PAGE_SIZE)")
    p.add_argument("--concurrency", type=int, default=4, help="line items read at once (SYNC_RECONCILE_CONCURRENCY)")
    p.add_argument("--differences", type=int, default=200, help="grades changed in the LMS behind TutorNet's back")
    a = p.parse_args()
    server = backends.postgres_url()
    if server is None:
        raise SystemExit("PostgreSQL is needed (TEST_DATABASE_URL or 127.0.0.1:5432)")
    learners = a.grades // a.line_items
    db = backends.create_postgres_database(server)
    proc = subprocess.Popen([sys.executable, "-c", LMS_SCRIPT, tempfile.mkdtemp(prefix="bench_reconcile_lms_")],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    url = proc.stdout.readline().strip()
    engine = make_engine(db)
    jwks = None
    load_before = os.getloadavg()
    try:
        lms = RemoteLms(url)
        Base.metadata.create_all(engine)
        sessions = make_session_factory(engine)
        with sessions.begin() as s:
            jwks = JwksServer({"keys": [make_tool_key(s).public_jwk]})
        register_tool(lms, "tutornet-bench", jwks.url)
        course = lms.control("POST", "courses", {"title": "Bench", "learners": learners})["id"]
        subs = [m["user_id"] for m in lms.control("GET", f"courses/{course}/members") if m["kind"] == "learner"]
        with sessions.begin() as s:
            ids = seed_tool_side(s, url, "tutornet-bench", course, ags_scopes=ALL_AGS)
            users = add_users(s, url, subs)
            items = [add_line_item(s, ids["course_id"], label=f"Тьюториал {i}", resource_id=f"event:{i}")
                     for i in range(a.line_items)]
            for li in items:
                add_outbox(s, ids["network_id"], ids["course_id"], li, users, age_seconds=60)
        rt = runtime(db, a)
        from sync.grades import push_platform
        from sync.reconcile import reconcile_platform

        print(f"setup: pushing {len(users) * len(items)} grades over {len(items)} line items (latency 0) ...",
              flush=True)
        t0 = time.perf_counter()
        pushed = push_platform(rt.sessions, ids["platform_id"], rt.tokens, rt.http, rt.settings)
        assert pushed.delivered == len(users) * len(items), pushed
        print(f"  pushed in {time.perf_counter() - t0:.1f} s", flush=True)
        changed = change_in_lms(rt, sessions, ids["platform_id"], items, subs, users, a.differences)
        lms.control("POST", "faults", {"rules": [], "latency_ms": a.latency_ms})
        print(f"\nmeasured at {a.latency_ms:g} ms per platform request, page {a.page_size}, "
              f"{a.concurrency} line items at once ({changed} grades changed in the LMS):", flush=True)

        def reconcile():
            r = reconcile_platform(rt.sessions, ids["platform_id"], rt.tokens, rt.http, rt.settings)
            return {k: getattr(r, k) for k in ("line_items", "matching", "resent", "unreachable")} | \
                {"errors": len(r.errors)}

        first = measured("first reconciliation", rt, lms, reconcile)
        assert first["result"]["matching"] + first["result"]["resent"] == a.grades // a.line_items * a.line_items
        measured("second run, nothing changed", rt, lms, reconcile)
        measured("push of the re-sent grades", rt, lms, lambda: {
            "delivered": push_platform(rt.sessions, ids["platform_id"], rt.tokens, rt.http, rt.settings).delivered})
        measured("check of the line items they changed", rt, lms, reconcile)
        per_item = first["statements"] / max(first["result"]["line_items"], 1)
        print(f"\nfirst reconciliation: {a.grades / first['seconds']:.0f} grades/s, "
              f"{per_item:.1f} SQL statements per line item ({learners} grades each)")
    finally:
        load_after = os.getloadavg()
        print("load average (1/5/15 min) before {:.2f}/{:.2f}/{:.2f}, after {:.2f}/{:.2f}/{:.2f}; {} CPUs".format(
            *load_before, *load_after, os.cpu_count()))
        if jwks:
            jwks.stop()
        engine.dispose()
        proc.kill()
        backends.drop_postgres_database(server, db)


def change_in_lms(rt, sessions, platform_id: int, items: list[int], subs: list[str], users: list[int],
                  n: int) -> int:
    """Post `n` other scores to the LMS with the tool's token, stamped later than TutorNet's."""
    from sync.grades import iso_timestamp
    from sync.http import MT_SCORE, PlatformClient, push_scopes
    from sync.tokens import PlatformRef

    with sessions() as s:
        ref = PlatformRef.of(s.get(Platform, platform_id))
        urls = dict(s.execute(sa.select(LineItem.id, LineItem.url).where(LineItem.id.in_(items))).all())
    client = PlatformClient(ref, push_scopes(ALL_AGS), rt.tokens, rt.http)
    stamp = iso_timestamp(utcnow() + timedelta(seconds=5))
    for k in range(n):
        li, sub = items[k % len(items)], subs[(k * 7) % len(subs)]
        body = {"userId": sub, "scoreGiven": 0.25, "scoreMaximum": 1, "activityProgress": "Completed",
                "gradingProgress": "FullyGraded", "timestamp": stamp}
        response = client.request("POST", urls[li] + "/scores", body=json.dumps(body).encode(),
                                  headers={"Content-Type": MT_SCORE})
        assert response.status_code == 200, response.status_code
    return n


if __name__ == "__main__":
    main()
