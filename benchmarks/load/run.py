"""Load test of a region through gunicorn: the tool, its worker, a demo LMS and Locust together.

    .venv/bin/python benchmarks/load/run.py prepare --database tutornet_load [--lms-port 18026] [--scale 1]
    .venv/bin/python benchmarks/load/run.py run --database tutornet_load --users 20 --duration 180 \
        [--web 1] [--web-workers 2] [--threads 8] [--celery 1] [--broker redis|rabbitmq] [--scenario mix|launch]

`prepare` creates the PostgreSQL database (127.0.0.1:5432), migrates it and generates a region
whose LMS is a demo LMS on --lms-port (`flask demo region --manifest …`). `run` starts that demo
LMS from the region's manifest (its roster in the same order, so LMS user ids are the region's
`sub`s, and every event's link and gradebook column), `--web` gunicorn processes (each
`--web-workers` × `--threads`), `--celery` workers and one beat on Redis (or RabbitMQ), then
Locust headless with `--users` users for `--duration` seconds, and prints p50/p95/p99 and errors
per page, the grades' delay from saving to the LMS gradebook (the outbox rows written during the
run: created → delivered) and the load averages beside every figure (the machine is shared).
Everything it started is stopped at the end; logs stay in the run folder.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/"
WORK = Path(os.environ.get("LOAD_WORK", "/tmp/tutornet-load"))
BROKERS = {"redis": "redis://127.0.0.1:6379/{db}", "rabbitmq": "amqp://guest:guest@127.0.0.1:5672//"}


def load() -> str:
    return "{:.2f}/{:.2f}/{:.2f}".format(*os.getloadavg())


def prepare(a) -> None:
    """A fresh database with a region whose LMS is the demo LMS on --lms-port."""
    admin = sa.create_engine(SERVER + "test", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{a.database}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{a.database}"'))
    admin.dispose()
    folder = WORK / a.database
    folder.mkdir(parents=True, exist_ok=True)
    env = _env(a.database, folder, broker="memory://")
    subprocess.run([str(BIN / "flask"), "--app", "lti_tool", "db", "upgrade"], cwd=ROOT, env=env, check=True)
    subprocess.run([str(BIN / "flask"), "--app", "lti_tool", "demo", "region", "--scale", str(a.scale), "--issuer",
                    f"http://127.0.0.1:{a.lms_port}", "--manifest", str(folder / "manifest.json")],
                   cwd=ROOT, env=env, check=True)


def _env(database: str, folder: Path, broker: str, redis: str | None = None, tool: str | None = None,
         pool: int = 10) -> dict:
    # The demo LMS is on loopback: the outbound guard (core/outbound.py) must trust it.
    env = dict(os.environ, DATABASE_URL=SERVER + database, CELERY_BROKER_URL=broker, SECRET_KEY="load-test",
               TUTORNET_INSTANCE=str(folder / "instance"), DATABASE_POOL_SIZE=str(pool), DATABASE_MAX_OVERFLOW="4",
               OUTBOUND_TRUSTED_NETWORKS="127.0.0.0/8", TUTORNET_DEV="1")
    if redis:
        env["REDIS_URL"] = redis
    if tool:
        env["TOOL_BASE_URL"] = tool
    return env


class Stack:
    """The processes of one run; `stop()` ends them (by pid, one by one)."""

    def __init__(self, folder: Path):
        self.folder, self.procs = folder, []

    def start(self, name: str, args: list[str], env: dict) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "w")
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append((name, proc))
        return proc

    def stop(self) -> None:
        for _name, proc in reversed(self.procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for _name, proc in reversed(self.procs):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{url} did not answer in {seconds:.0f} s")


def start_lms(stack: Stack, manifest: dict, folder: Path, tool: str) -> str:
    """The demo LMS seeded from the manifest's roster, with the events' links and columns."""
    data = folder / "lms"
    if data.exists():
        subprocess.run(["rm", "-rf", str(data)], check=True)
    data.mkdir(parents=True)
    roster = folder / "roster.json"
    roster.write_text(json.dumps([{k: r[k] for k in ("given_name", "family_name", "email", "kind")}
                                  for r in manifest["roster"]], ensure_ascii=False), encoding="utf-8")
    port = manifest["issuer"].rsplit(":", 1)[1]
    stack.start("lms", [sys.executable, "-m", "demo_lms", "--host", "127.0.0.1", "--port", port, "--tool-url", tool,
                        "--data", str(data), "--roster", str(roster), "--client-id", manifest["client_id"],
                        "--deployment-id", manifest["deployment_id"]], dict(os.environ))
    lms = manifest["issuer"]
    wait_for(f"{lms}/_control/state", 120)
    http = requests.Session()
    members = {str(m["user_id"]): m["email"] for m in http.get(f"{lms}/_control/courses/1/members", timeout=60).json()}
    for row in manifest["roster"][:: max(1, len(manifest["roster"]) // 50)]:
        if members.get(row["sub"]) != row["email"]:
            raise SystemExit(f"the demo LMS numbered its users differently: {row['sub']} is {members.get(row['sub'])}")
    for link in manifest["links"]:
        body = {"course_id": 1, "client_id": manifest["client_id"], "title": link["title"], "url": f"{tool}/lti/launch",
                "custom": link["custom"]}
        if link["lineitem"]:
            body["lineitem"] = {k: link["lineitem"][k] for k in ("label", "scoreMaximum", "resourceId", "tag")}
        made = http.post(f"{lms}/_control/links", json=body, timeout=30).json()
        if str(made["link_id"]) != link["link_id"] or (link["lineitem"] and made.get("lineitem_id") != link["lineitem"]["id"]):
            raise SystemExit(f"the demo LMS numbered link {link['link_id']} as {made}")
    return http.get(f"{lms}/_control/state", timeout=10).json()["platform_kid"]


def plan(a, manifest: dict, folder: Path, kid: str, hosts: list[str]) -> Path:
    """Who the Locust users are and what they open, from the tool's database."""
    from lti_tool import create_app
    from lti_tool.demo_region.journeys import representatives, survey_form
    from lti_tool.web.extensions import db
    import random

    app = create_app({"DATABASE_URL": SERVER + a.database, "CELERY_BROKER_URL": "memory://", "SECRET_KEY": "x"})
    with app.app_context():
        s = db.session
        network = s.execute(sa.text("SELECT id FROM network WHERE slug = 'region'")).scalar()
        picks = representatives(s, network)
        q = lambda sql, **kw: s.execute(sa.text(sql), dict(network=network, **kw)).mappings().all()  # noqa: E731
        people = {r["sub"]: r for r in manifest["roster"]}
        person = lambda sub, kind: {"sub": sub, "given": people[sub]["given_name"],  # noqa: E731
                                    "family": people[sub]["family_name"], "email": people[sub]["email"], "kind": kind}
        teachers = [r for r in manifest["roster"] if r["kind"] == "learner"]
        open_survey = picks.ids["open_survey"]
        answered = {row["sub"] for row in q(
            "SELECT u.sub FROM survey_response r JOIN person p ON p.id = r.person_id JOIN user_account u ON "
            "u.id = p.user_id WHERE r.survey_id = :s", s=open_survey)}
        rng = random.Random(26)
        tutors = []
        for row in q("""SELECT e.id AS event, min(l.person_id) AS lead, u.sub, rl.lti_resource_link_id AS link,
                               e.title, li.url AS lineitem, (SELECT g.kind FROM event_grading_scale g
                                 WHERE g.network_id = e.network_id AND g.form = e.form) AS scale,
                               (SELECT max(es.id) FROM event_session es WHERE es.event_id = e.id
                                  AND es.on_date < current_date AND NOT EXISTS
                                  (SELECT 1 FROM event_attendance a WHERE a.session_id = es.id)) AS session
                        FROM event e JOIN event_leader l ON l.event_id = e.id JOIN person p ON p.id = l.person_id
                        JOIN user_account u ON u.id = p.user_id
                        JOIN lti_resource_link rl ON rl.target_kind = 'event' AND rl.target_id = e.id
                        LEFT JOIN lti_line_item li ON li.resource_link_id = rl.id
                        WHERE e.network_id = :network AND e.status = 'published'
                        GROUP BY e.id, u.sub, rl.lti_resource_link_id, e.title, li.url
                        ORDER BY e.id"""):
            if row["session"] is None:
                continue
            participants = [r["id"] for r in q("SELECT id FROM event_participant WHERE event_id = :e AND "
                                                "status = 'registered' ORDER BY id", e=row["event"])]
            tutors.append(dict(person(row["sub"], "instructor"), event=row["event"], session=row["session"],
                               participants=participants, pass_fail=row["scale"] == "pass_fail",
                               link={"id": row["link"], "title": row["title"], "lineitem": row["lineitem"],
                                     "custom": {"tutornet_kind": "event", "tutornet_id": str(row["event"])}}))
        upcoming = [r["id"] for r in q("SELECT id FROM event WHERE network_id = :network AND status = 'published' "
                                       "AND signup_closes_at > now() ORDER BY id")]
        result = {
            "issuer": manifest["issuer"], "client_id": manifest["client_id"], "deployment_id": manifest["deployment_id"],
            "course": manifest["course"], "course_title": "Сетевое сообщество тьюторов региона", "kid": kid,
            "key_file": str(folder / "lms" / "platform_key.pem"), "launch_url": f"{hosts[0]}/lti/launch",
            "home_link": "1", "hosts": hosts,
            "teachers": [person(r["sub"], "learner") for r in rng.sample(teachers, min(3000, len(teachers)))],
            "fresh_teachers": [person(r["sub"], "learner") for r in teachers if r["sub"] not in answered][:5000],
            "tutors": tutors,
            "methodists": [person(r["sub"], "methodist") for r in manifest["roster"] if r["kind"] == "methodist"],
            "upcoming_events": upcoming,
            "offerings": [r["id"] for r in q("SELECT id FROM offering WHERE network_id = :network ORDER BY id "
                                             "LIMIT 200")],
            "survey_form": [list(pair) for pair in survey_form(s, picks, open_survey, rng)],
            "ids": {"run": picks.ids["run"], "needs": picks.ids["needs_survey"], "start": picks.ids["start_survey"],
                    "open": open_survey, "held": picks.ids["held_event"]},
        }
    path = folder / "plan.json"
    path.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    return path


def run(a) -> None:
    """Start the stack, run Locust, report, stop everything."""
    folder = WORK / a.database
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    out = folder / f"run-{time.strftime('%H%M%S')}-{a.scenario}-{a.users}u"
    out.mkdir(parents=True)
    if not a.in_place:  # every run starts from the prepared region: a copy made from it as a template
        copy = f"{a.database}_run"
        admin = sa.create_engine(SERVER + "test", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{copy}" TEMPLATE "{a.database}"'))
        admin.dispose()
        a.database = copy
    stack = Stack(out)
    slot = (14 + int(os.environ.get("TEST_REDIS_DB_OFFSET", "0"))) % 16
    broker = BROKERS[a.broker].format(db=slot)
    redis = f"redis://127.0.0.1:6379/{(slot + 1) % 16}"
    ports = [a.port + i for i in range(a.web)]
    hosts = [f"http://127.0.0.1:{p}" for p in ports]
    env = _env(a.database, out, broker, redis, tool=hosts[0], pool=a.threads + 2)
    try:
        kid = start_lms(stack, manifest, out, hosts[0])
        for i, port in enumerate(ports):
            # Keep-alive 30 s (gunicorn's default is 2): the users' think time is 1–3 s, and a reused
            # connection the server just closed fails in the client (a browser would silently retry).
            stack.start(f"web{i}", [str(BIN / "gunicorn"), "--workers", str(a.web_workers), "--threads",
                                    str(a.threads), "--keep-alive", "30", "--bind", f"127.0.0.1:{port}",
                                    "lti_tool:create_app()"], env)
        for i in range(a.celery):
            stack.start(f"worker{i}", [str(BIN / "celery"), "-A", "sync.celery_app", "worker", "-Q",
                                       "grades,roster,default", "-n", f"load{i}@%h", "--loglevel", "WARNING"], env)
        stack.start("beat", [str(BIN / "celery"), "-A", "sync.celery_app", "beat", "--loglevel", "WARNING",
                             "-s", str(out / "beat-schedule")], env)
        for host in hosts:
            wait_for(f"{host}/healthz")
            requests.get(f"{host}/lti/jwks", timeout=30)
        plan_file = plan(a, manifest, out, kid, hosts)
        started = time.time()
        before = load()
        print(f"stack up: {a.web} web × {a.web_workers} workers × {a.threads} threads, {a.celery} Celery worker(s), "
              f"broker {a.broker}; Locust {a.users} users for {a.duration} s ({a.scenario}); load {before}", flush=True)
        loads = []
        locust = subprocess.Popen(
            [str(BIN / "locust"), "-f", str(ROOT / "benchmarks/load/locustfile.py"), "--headless", "-u", str(a.users),
             "-r", str(max(1, a.users // 10)), "-t", f"{a.duration}s", "--csv", str(out / "locust"), "--host",
             hosts[0], "--stop-timeout", "10", "--only-summary"],
            cwd=ROOT, env=dict(os.environ, LOAD_PLAN=str(plan_file), LOAD_SCENARIO=a.scenario),
            stdout=open(out / "locust.log", "w"), stderr=subprocess.STDOUT)
        while locust.poll() is None:
            time.sleep(5)
            loads.append(os.getloadavg()[0])
        report(a, out, started, before, loads)
    finally:
        stack.stop()


def report(a, out: Path, started: float, before: str, loads: list[float]) -> None:
    """Per page: requests, errors, p50/p95/p99; the grades' way to the LMS; load averages."""
    rows = list(csv.DictReader(open(out / "locust_stats.csv", encoding="utf-8")))
    print(f"\n{'page':34s} {'requests':>8s} {'errors':>6s} {'p50 ms':>7s} {'p95 ms':>7s} {'p99 ms':>7s} "
          f"{'max ms':>7s} {'req/s':>6s}")
    figures = []
    for row in sorted(rows, key=lambda r: r["Name"] == "Aggregated"):
        fig = {"page": row["Name"], "requests": int(row["Request Count"]), "errors": int(row["Failure Count"]),
               "p50": float(row["50%"]), "p95": float(row["95%"]), "p99": float(row["99%"]),
               "max": float(row["Max Response Time"]), "rps": float(row["Requests/s"])}
        figures.append(fig)
        print(f"{fig['page']:34s} {fig['requests']:8d} {fig['errors']:6d} {fig['p50']:7.0f} {fig['p95']:7.0f} "
              f"{fig['p99']:7.0f} {fig['max']:7.0f} {fig['rps']:6.1f}")
    crashes = list(csv.DictReader(open(out / "locust_exceptions.csv", encoding="utf-8")))
    if crashes:
        print(f"Locust task exceptions (the journey broke, counted as errors): "
              f"{sum(int(c['Count']) for c in crashes)}: " + "; ".join(c["Message"][:80] for c in crashes))
    grades = grade_delays(a, started)
    during = f"{min(loads):.2f}–{max(loads):.2f}" if loads else "?"
    print(f"\ngrades saved during the run: {grades['rows']} scores; delivered {grades['delivered']}, pending "
          f"{grades['pending']}, failed {grades['failed']}; saving → LMS gradebook p50 {grades['p50']:.1f} s, "
          f"p95 {grades['p95']:.1f} s, max {grades['max']:.1f} s")
    print(f"load average (1 min) before {before}, during {during}, after {load()}  ({os.cpu_count()} CPUs)")
    (out / "figures.json").write_text(json.dumps({"args": vars(a), "pages": figures, "grades": grades,
                                                  "load_before": before, "load_during": loads,
                                                  "load_after": load()}, indent=1, ensure_ascii=False))
    print(f"figures and logs: {out}")


def grade_delays(a, started: float, settle: float = 30.0) -> dict:
    """Outbox rows written during the run: seconds from the grade's save to the LMS's answer."""
    engine = sa.create_engine(SERVER + a.database)
    query = sa.text("SELECT status, extract(epoch FROM delivered_at - created_at) FROM score_outbox "
                    "WHERE created_at >= to_timestamp(:t)")
    deadline = time.monotonic() + settle
    while True:
        with engine.connect() as conn:
            rows = conn.execute(query, {"t": started}).all()
        if not any(status == "pending" for status, _d in rows) or time.monotonic() > deadline:
            break
        time.sleep(2)
    engine.dispose()
    delays = sorted(float(d) for status, d in rows if status == "delivered" and d is not None)
    pick = lambda q: delays[min(len(delays) - 1, int(q * (len(delays) - 1)))] if delays else float("nan")  # noqa: E731
    return {"rows": len(rows), "delivered": len(delays), "pending": sum(s == "pending" for s, _d in rows),
            "failed": sum(s == "failed" for s, _d in rows), "p50": pick(0.5), "p95": pick(0.95),
            "max": delays[-1] if delays else float("nan")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--database", required=True)
    p.add_argument("--lms-port", type=int, default=18026)
    p.add_argument("--scale", type=float, default=1.0)
    r = sub.add_parser("run")
    r.add_argument("--database", required=True)
    r.add_argument("--users", type=int, default=20)
    r.add_argument("--duration", type=int, default=180)
    r.add_argument("--scenario", choices=("mix", "launch"), default="mix")
    r.add_argument("--port", type=int, default=18100, help="the first web process's port")
    r.add_argument("--web", type=int, default=1, help="gunicorn processes (a load balancer's backends)")
    r.add_argument("--web-workers", type=int, default=2)
    r.add_argument("--threads", type=int, default=8)
    r.add_argument("--celery", type=int, default=1, help="Celery worker processes")
    r.add_argument("--broker", choices=tuple(BROKERS), default="redis")
    r.add_argument("--in-place", action="store_true", help="run on the prepared database itself, not a copy")
    a = parser.parse_args()
    prepare(a) if a.command == "prepare" else run(a)


if __name__ == "__main__":
    main()
