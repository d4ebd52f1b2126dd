"""Sync worker benchmark: roster pull (NRPS) and completion push (AGS) against the loopback demo
LMS with 20 ms latency per request, side by side with a naive sequential loop.

    python benchmarks/bench_sync.py --members 10000 --completions 5000 --latency-ms 20

The tool database is a fresh PostgreSQL database (TEST_DATABASE_URL or 127.0.0.1:5432). The demo
LMS runs in its own process; each measured method runs in a child process of its own so that its
peak RSS is its own. The naive loop is what a straightforward implementation does: one token
fetch, then one request at a time and per-row ORM writes (ensure_person per member, a commit per
score). `--naive-sample N` times the naive loops on N members / N scores and scales them linearly
(marked with ~): at 20 ms a request the naive push of 5,000 scores alone takes minutes.

Two platforms are measured: the demo LMS (one Python process on SQLite, on its keep-alive server,
score POSTs through its fast path) and a minimal stub with the same latency and almost no work per
request (what the worker does when the platform scales, as Moodle's PHP workers do).

Besides wall time: the worker's CPU per member/score (process CPU of the measured part, all
threads) and the platform process's CPU per member/score (from /proc), because on a small machine
shared with other work CPU time compares runs better than wall time; the load average is printed
before and after. `--profile DIR` runs each measured process under py-spy and samples the
platform during each phase (collapsed stacks, GIL holders only).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lti_tool.core.db import make_engine, make_session_factory  # noqa: E402
from lti_tool.models import Base  # noqa: E402
from tests import backends  # noqa: E402
from tests.sync.helpers import (  # noqa: E402
    JwksServer,
    add_line_item,
    add_outbox,
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


# A minimal platform with the same latency but (almost) no work per request: it shows what the
# worker itself can do when the platform scales (Moodle serves requests from many PHP workers;
# the demo LMS is one Python process whose ORM work per score, serialised, bounds the push).
STUB_SCRIPT = r"""
import json, sys, threading, time, uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
latency, sizes = float(sys.argv[1]) / 1000, {1: int(sys.argv[2]), 2: int(sys.argv[3])}
stats = {"token_requests": 0, "scores": 0}
lock = threading.Lock()
items = []
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def reply(self, code, body=None, headers=()):
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(code)
        for k, v in headers: self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(data)
    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""
    def do_GET(self):
        u = urlsplit(self.path)
        if u.path == "/_control/stats":
            return self.reply(200, stats)
        time.sleep(latency)
        q = {k: v[0] for k, v in parse_qs(u.query).items()}
        if u.path.endswith("/memberships"):
            members = sizes[int(u.path.split("/")[3])]
            course = int(u.path.split("/")[3])
            limit, start = int(q.get("limit", members)), int(q.get("from", 0))
            page = [{"status": "Active", "user_id": str(course * 1000000 + i), "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
                     "name": f"Member {i}", "given_name": "Member", "family_name": str(i), "email": f"m{i}@dou.example.ru"}
                    for i in range(start + 1, min(start + limit, members) + 1)]
            hdr = [("Link", f'<http://{self.headers["Host"]}{u.path}?limit={limit}&from={start + limit}>; rel="next"')]                 if start + limit < members else []
            return self.reply(200, {"id": self.path, "context": {"id": "1"}, "members": page}, hdr)
        if u.path.endswith("/lineitems"):
            return self.reply(200, [i for i in items if i.get("resourceId") == q.get("resource_id")])
        self.reply(404, {"error": "not found"})
    def do_POST(self):
        u = urlsplit(self.path)
        data = self.body()
        time.sleep(latency)
        if u.path == "/token":
            with lock: stats["token_requests"] += 1
            return self.reply(200, {"access_token": uuid.uuid4().hex, "token_type": "Bearer", "expires_in": 3600})
        if u.path.endswith("/lineitems"):
            item = json.loads(data)
            with lock:
                item["id"] = f"http://{self.headers['Host']}{u.path}/{len(items) + 1}"
                items.append(item)
            return self.reply(201, item)
        if u.path.endswith("/scores"):
            with lock: stats["scores"] += 1
            return self.reply(200)
        self.reply(404, {"error": "not found"})
ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer.request_queue_size = 128
s = ThreadingHTTPServer(("127.0.0.1", 0), H)
print(f"http://127.0.0.1:{s.server_port}", flush=True)
s.serve_forever()
"""


class RemoteLms:
    """The control API of a demo LMS running in another process."""

    def __init__(self, url: str):
        self.url, self.http = url, requests.Session()

    def control(self, method: str, path: str, json_body=None, **params):
        r = self.http.request(method, f"{self.url}/_control/{path}", json=json_body, params=params or None,
                              timeout=600)
        r.raise_for_status()
        return r.json()

    def register_tool(self, **fields):
        return self.control("POST", "tools", fields)

    def stats(self):
        return self.control("GET", "stats")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---- the measured methods (each runs in its own child process) -------------------------------

def _runtime(cfg: dict):
    from sync.runtime import build_runtime
    from sync.settings import sync_settings

    # DEV_MODE: the demo LMS and the stub speak plain http on loopback (allowed by the guard only then).
    return build_runtime(sync_settings({"DATABASE_URL": cfg["db"], "REDIS_URL": None, "DEV_MODE": True,
                                        "SYNC_NRPS_PAGE_SIZE": cfg["page_size"],
                                        "SYNC_PER_PLATFORM_CONCURRENCY": cfg["concurrency"],
                                        "SYNC_BATCH_SIZE": cfg["batch"], "SYNC_DRAIN_SECONDS": 3600.0}))


def _figures(t0: float, c0: float, rows: int, rt) -> dict:
    """Wall and CPU time (all threads of the process) of the measured part, rows done, tokens fetched."""
    return {"seconds": time.perf_counter() - t0, "work_cpu_seconds": time.process_time() - c0, "rows": rows,
            "token_fetches": rt.tokens.fetches}


def roster_fast(cfg: dict) -> dict:
    from sync.roster import pull_roster

    rt = _runtime(cfg)
    t0, c0 = time.perf_counter(), time.process_time()
    r = pull_roster(rt.sessions, cfg["course_id"], rt.tokens, rt.http, rt.settings)
    assert r.status == "ok", r.error
    return _figures(t0, c0, r.seen, rt)


def roster_naive(cfg: dict) -> dict:
    """One page at a time, then per member: look up/insert the user, the enrollment, the person."""
    from lti_tool.core.accounts import User
    from lti_tool.core.courses import Course, Enrollment
    from lti_tool.core.people import ensure_person
    from lti_tool.lti.models import Platform
    from sync.http import NRPS_SCOPE
    from sync.links import next_link
    from sync.roster import with_limit
    from sync.tokens import PlatformRef

    rt = _runtime(cfg)
    t0, c0 = time.perf_counter(), time.process_time()
    with rt.sessions() as s:
        course = s.get(Course, cfg["course_id"])
        ref = PlatformRef.of(s.get(Platform, cfg["platform_id"]))
        token = rt.tokens.token(ref, (NRPS_SCOPE,))
        url, seen = with_limit(course.nrps_url, cfg["page_size"]), 0
        while url:
            resp = rt.http.request("GET", url, allowed_hosts=ref.hosts, headers={"Authorization": f"Bearer {token}"})
            for m in resp.json()["members"]:
                user = s.scalar(sa.select(User).where(User.issuer == ref.issuer, User.sub == m["user_id"]))
                if user is None:
                    user = User(issuer=ref.issuer, sub=m["user_id"])
                    s.add(user)
                user.name, user.given_name, user.family_name, user.email = (
                    m.get("name"), m.get("given_name"), m.get("family_name"), m.get("email"))
                s.flush()
                enr = s.scalar(sa.select(Enrollment).where(Enrollment.course_id == course.id,
                                                           Enrollment.user_id == user.id))
                if enr is None:
                    enr = Enrollment(course_id=course.id, user_id=user.id, source="nrps")
                    s.add(enr)
                enr.lti_roles, enr.status = m["roles"], "active"
                ensure_person(s, course.network_id, user)
                seen += 1
            s.commit()
            url = next_link(resp.headers.get("Link"))
    return _figures(t0, c0, seen, rt)


def push_fast(cfg: dict) -> dict:
    from sync.grades import push_platform

    rt = _runtime(cfg)
    t0, c0 = time.perf_counter(), time.process_time()
    r = push_platform(rt.sessions, cfg["platform_id"], rt.tokens, rt.http, rt.settings)
    assert r.failed == 0 and r.retry == 0, r
    return _figures(t0, c0, r.delivered, rt)


def push_naive(cfg: dict) -> dict:
    """One token, then per row: POST the score, update the row through the ORM, commit."""
    from lti_tool.core.accounts import User
    from lti_tool.core.clock import utcnow
    from lti_tool.core.grades import ScoreOutbox
    from lti_tool.lti.models import Platform
    from sync.grades import score_body, scores_url
    from sync.http import MT_SCORE, PlatformClient, push_scopes
    from sync.lineitems import ensure_line_item
    from sync.tokens import PlatformRef

    rt = _runtime(cfg)
    t0, c0 = time.perf_counter(), time.process_time()
    done = 0
    with rt.sessions() as s:
        ref = PlatformRef.of(s.get(Platform, cfg["platform_id"]))
        client = PlatformClient(ref, push_scopes(None), rt.tokens, rt.http)
        token = rt.tokens.token(ref, push_scopes(None))
        rows = s.scalars(sa.select(ScoreOutbox).where(ScoreOutbox.status == "pending",
                                                      ScoreOutbox.line_item_id == cfg["line_item_id"])
                         .order_by(ScoreOutbox.id).limit(cfg["rows"])).all()
        url = ensure_line_item(rt.sessions, cfg["line_item_id"], client, cfg["lineitems_url"], rt.cache)
        for row in rows:
            sub = s.scalar(sa.select(User.sub).where(User.id == row.user_id))
            body = score_body({"sub": sub, "activity_progress": row.activity_progress,
                               "grading_progress": row.grading_progress, "timestamp": row.timestamp,
                               "score_given": row.score_given, "score_maximum": row.score_maximum,
                               "comment": row.comment})
            resp = rt.http.request("POST", scores_url(url), allowed_hosts=ref.hosts, body=json.dumps(body).encode(),
                                   headers={"Authorization": f"Bearer {token}", "Content-Type": MT_SCORE})
            row.status = "delivered" if resp.status_code in (200, 201, 204, 409) else "failed"
            row.delivered_at = utcnow()
            s.commit()
            done += row.status == "delivered"
    return _figures(t0, c0, done, rt)


PHASES = {f.__name__: f for f in (roster_fast, roster_naive, push_fast, push_naive)}


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU of another process so far (Linux /proc), 0 where unavailable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_phase(name: str, cfg: dict, lms: RemoteLms, lms_pid: int, processes: int = 1) -> dict:
    """Run a method in `processes` child processes at once; add the platform's token requests and
    the platform process's CPU time over the phase."""
    before = lms.stats()["token_requests"]
    lms_cpu = process_cpu_seconds(lms_pid)
    spy = _spy(cfg, name, lms_pid)
    t0, c0 = time.perf_counter(), time.process_time()
    command = [sys.executable, __file__, "--phase", name, "--config", json.dumps(cfg)]
    children = [subprocess.Popen(_spied(cfg, f"{name}-{i}", command), stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, cwd=ROOT)
                for i in range(processes)]
    outs = []
    for child in children:
        stdout, stderr = child.communicate()
        if child.returncode:
            raise SystemExit(f"{name} failed:\n{stderr[-4000:]}")
        outs.append(json.loads([line for line in stdout.splitlines() if line.startswith("{")][-1]))
    wall = time.perf_counter() - t0
    lms_cpu = process_cpu_seconds(lms_pid) - lms_cpu
    if spy is not None:
        spy.send_signal(signal.SIGINT)
        spy.wait(timeout=60)
    result = outs[0] if processes == 1 else {
        "seconds": wall, "rows": sum(o["rows"] for o in outs), "peak_rss_mb": max(o["peak_rss_mb"] for o in outs),
        "cpu_seconds": sum(o["cpu_seconds"] for o in outs),
        "work_cpu_seconds": sum(o["work_cpu_seconds"] for o in outs), "token_fetches": sum(o["token_fetches"] for o in outs)}
    result["lms_token_requests"] = lms.stats()["token_requests"] - before
    result["lms_cpu_seconds"] = lms_cpu
    return result


def _py_spy() -> str | None:
    """py-spy from the interpreter's own bin folder (a venv) or PATH."""
    return shutil.which("py-spy", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))


def _spy(cfg: dict, name: str, pid: int) -> subprocess.Popen | None:
    """With --profile: sample the platform process with py-spy during the phase."""
    folder, spy = cfg.get("profile"), _py_spy()
    if not folder or not spy:
        return None
    out = Path(folder) / f"{cfg['kind']}-{name}-platform.txt"
    return subprocess.Popen([spy, "record", "--pid", str(pid), "--format", "raw", "--output", str(out),
                             "--rate", "250", "--gil"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _spied(cfg: dict, name: str, command: list[str]) -> list[str]:
    """With --profile: the measured method's process runs under py-spy (all threads, CPU only)."""
    folder, spy = cfg.get("profile"), _py_spy()
    if not folder or not spy:
        return command
    out = Path(folder) / f"{cfg['kind']}-{name}.txt"
    return [spy, "record", "--format", "raw", "--output", str(out), "--rate", "250", "--gil", "--", *command]


# ---- orchestration ---------------------------------------------------------------------------

def start_process(script: str, *args: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-c", script, *args], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    return proc, proc.stdout.readline().strip()


def run_platform(kind: str, a, server: str) -> dict:
    """Set up a fresh tool database and the platform, run the four methods, return their figures."""
    db = backends.create_postgres_database(server)
    naive_members = min(a.naive_sample or a.members, a.members)
    if kind == "demo":
        proc, url = start_process(LMS_SCRIPT, tempfile.mkdtemp(prefix="bench_sync_lms_"))
    else:
        proc, url = start_process(STUB_SCRIPT, str(a.latency_ms), str(a.members), str(naive_members))
    jwks = None
    engine = make_engine(db)
    try:
        lms = RemoteLms(url)
        Base.metadata.create_all(engine)
        sessions = make_session_factory(engine)
        with sessions.begin() as s:
            jwks = JwksServer({"keys": [make_tool_key(s).public_jwk]})
        if kind == "demo":
            register_tool(lms, "tutornet-bench", jwks.url)
            print(f"[{kind}] seeding LMS courses of {a.members} and {naive_members} learners ...", flush=True)
            lms_courses = [lms.control("POST", "courses", {"title": f"Bench {i}", "learners": size})["id"]
                           for i, size in ((1, a.members), (2, naive_members))]
            lms.control("POST", "faults", {"rules": [], "latency_ms": a.latency_ms})
        else:
            lms_courses = [1, 2]
        with sessions.begin() as s:
            fast = seed_tool_side(s, lms.url, "tutornet-bench", lms_courses[0])
            naive = seed_tool_side(s, lms.url, "tutornet-bench", lms_courses[1], network_id=fast["network_id"])
        base = {"db": db, "page_size": a.page_size, "concurrency": a.concurrency, "batch": a.batch,
                "platform_id": fast["platform_id"], "kind": kind, "profile": a.profile}
        results = {}
        print(f"[{kind}] roster pulls ...", flush=True)
        results["roster_fast"] = run_phase("roster_fast", {**base, "course_id": fast["course_id"]}, lms, proc.pid)
        results["roster_naive"] = run_phase("roster_naive", {**base, "course_id": naive["course_id"]}, lms, proc.pid)

        # Completions for the first N members of the pulled course, on two line items (fresh grades each).
        n = min(a.completions, a.members)
        sample = min(a.naive_sample or n, n)
        from lti_tool.core.courses import Enrollment

        with sessions.begin() as s:
            users = list(s.scalars(sa.select(Enrollment.user_id).where(Enrollment.course_id == fast["course_id"])
                                   .order_by(Enrollment.user_id).limit(n)))
            li_fast = add_line_item(s, fast["course_id"], label="Тьюториал А", resource_id="event:1")
            li_naive = add_line_item(s, fast["course_id"], label="Тьюториал Б", resource_id="event:2")
            add_outbox(s, fast["network_id"], fast["course_id"], li_naive, users[:sample], age_seconds=3600)
        cfg = {**base, "lineitems_url": f"{lms.url}/api/courses/{lms_courses[0]}/lineitems"}
        print(f"[{kind}] completion pushes ...", flush=True)
        results["push_naive"] = run_phase("push_naive", {**cfg, "rows": sample, "line_item_id": li_naive}, lms,
                                          proc.pid)
        with sessions.begin() as s:
            add_outbox(s, fast["network_id"], fast["course_id"], li_fast, users, age_seconds=10)
        results["push_fast"] = run_phase("push_fast", {**cfg, "rows": n, "line_item_id": li_fast,
                                                       "concurrency": max(a.concurrency // a.drains, 1)},
                                         lms, proc.pid, processes=a.drains)
        assert results["push_fast"]["rows"] == n, results["push_fast"]
        return {"results": results, "n": n, "sample": sample, "naive_members": naive_members}
    finally:
        if jwks:
            jwks.stop()
        engine.dispose()
        proc.kill()
        backends.drop_postgres_database(server, db)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--members", type=int, default=10000)
    p.add_argument("--completions", type=int, default=5000)
    p.add_argument("--latency-ms", type=float, default=20)
    p.add_argument("--page-size", type=int, default=1000)
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--batch", type=int, default=1000)
    p.add_argument("--drains", type=int, default=1,
                   help="worker processes draining the platform at once (SYNC_DRAINS_PER_PLATFORM)")
    p.add_argument("--naive-sample", type=int, default=0,
                   help="time the naive loops on N members/scores and scale (0 = full size)")
    p.add_argument("--platform", choices=("demo", "stub", "both"), default="both",
                   help="demo LMS, a minimal stub platform with the same latency, or both")
    p.add_argument("--profile", metavar="DIR",
                   help="sample each measured method's process and the platform with py-spy "
                        "(collapsed stacks in DIR; pip install py-spy)")
    p.add_argument("--phase", help=argparse.SUPPRESS)
    p.add_argument("--config", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.phase:
        result = PHASES[a.phase](json.loads(a.config))
        usage = resource.getrusage(resource.RUSAGE_SELF)
        result["peak_rss_mb"] = peak_rss_mb()
        result["cpu_seconds"] = usage.ru_utime + usage.ru_stime
        print(json.dumps(result))
        return
    server = backends.postgres_url()
    if server is None:
        raise SystemExit("PostgreSQL is needed (TEST_DATABASE_URL or 127.0.0.1:5432)")
    kinds = ["demo", "stub"] if a.platform == "both" else [a.platform]
    if a.profile:
        a.profile = str(Path(a.profile).resolve())
        Path(a.profile).mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    runs = {kind: run_platform(kind, a, server) for kind in kinds}
    load_after = os.getloadavg()
    print(f"\nlatency {a.latency_ms:g} ms per platform request; NRPS page {a.page_size}; {a.concurrency} "
          f"requests in flight per platform in {a.drains} drain process(es); PostgreSQL tool DB; {os.cpu_count()} CPUs")
    print("load average (1/5/15 min) before {:.2f}/{:.2f}/{:.2f}, after {:.2f}/{:.2f}/{:.2f}".format(
        *load_before, *load_after))
    for kind, run in runs.items():
        report(kind, a, run["results"], run["n"], run["sample"], run["naive_members"])


def report(kind: str, a, results: dict, n: int, sample: int, naive_members: int) -> None:
    naive_push = results["push_naive"]["seconds"] * n / sample
    naive_roster = results["roster_naive"]["seconds"] * a.members / naive_members
    mark = "~" if sample != n else " "
    rows = [
        ("roster pull", f"{a.members} members", results["roster_fast"], results["roster_naive"],
         naive_roster, "~" if naive_members != a.members else " ", "≤ 3 s, ≤ 200 MB"),
        ("completion push", f"{n} scores", results["push_fast"], results["push_naive"], naive_push, mark,
         "≤ 10 s, ≥ 10×"),
    ]
    title = {"demo": "demo LMS (one Python process, SQLite)", "stub": "stub platform (no work per request)"}[kind]
    print(f"\nplatform: {title}")
    head = f"{'task':<16}{'size':<16}{'sync s':>9}{'naive s':>11}{'speed-up':>10}{'sync CPU s':>12}" \
           f"{'ms/row':>8}{'LMS ms/row':>11}{'sync RSS MB':>13}{'naive RSS MB':>14}{'tokens sync/naive':>19}  target"
    print(head)
    print("-" * len(head))
    for task, size, fast, naive, naive_s, m, target in rows:
        per_row = 1000 / max(fast["rows"], 1)
        print(f"{task:<16}{size:<16}{fast['seconds']:>9.2f}{m}{naive_s:>10.2f}{naive_s / fast['seconds']:>9.1f}×"
              f"{fast['cpu_seconds']:>12.2f}{fast['work_cpu_seconds'] * per_row:>8.2f}"
              f"{fast['lms_cpu_seconds'] * per_row:>11.2f}{fast['peak_rss_mb']:>13.0f}{naive['peak_rss_mb']:>14.0f}"
              f"{fast['lms_token_requests']:>12}/{naive['lms_token_requests']:<6}  {target}")
    print("sync CPU s: the whole worker process (start-up included); ms/row: CPU of the measured part per "
          "member/score (all threads); LMS ms/row: the platform process's CPU per member/score")
    if sample != n or naive_members != a.members:
        print(f"~ naive loops timed on {naive_members} members ({results['roster_naive']['seconds']:.2f} s) and "
              f"{sample} scores ({results['push_naive']['seconds']:.2f} s), scaled linearly")


if __name__ == "__main__":
    os.environ.setdefault("TUTORNET_INSTANCE", tempfile.mkdtemp(prefix="bench-sync-instance-"))
    main()
