"""The running stack of the browser tests and the README screenshots.

PostgreSQL database (Alembic heads) with `flask demo load`; the demo LMS (in this process, a
thread) seeded from `flask demo roster`; the tool served by gunicorn (threads) in a subprocess;
optionally a real Celery worker (with beat) on Redis. The tool is at http://localhost:<port> and
the LMS at http://127.0.0.1:<port>: two sites, so the tool's frame is cross-site in the browser.

Every subprocess runs in a session of its own and is killed as a group by `Stack.stop()`.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE = Path(__file__).with_name("vendor") / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
CLIENT_ID = "tutornet-demo"
SURVEY_TITLE = "Анкета выявления потребностей педагогов (весна 2026)"
EVENT_TITLE = "Тьюториал «Игровые технологии в работе с дошкольниками»"
ONLINE_URL = "https://sferum.example.ru/webinar/tutorial-42"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Proc:
    """A subprocess in its own session, logging to a file; `stop()` ends the whole group."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], logdir: Path):
        self.name, self.log = name, logdir / f"{name}.log"
        self.proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=open(self.log, "ab"),
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return f"--- {self.name} log ---\n" + "\n".join(text.splitlines()[-lines:])

    def stop(self, grace: float = 8) -> None:
        if self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        except ProcessLookupError:
            pass


def run(args: list[str], env: dict[str, str], timeout: float, what: str) -> str:
    """Run a command to completion; raise with its output when it fails or hangs."""
    try:
        done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"{what} did not finish in {timeout:.0f} s: {exc.stdout}{exc.stderr}") from exc
    if done.returncode:
        raise RuntimeError(f"{what} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done.stdout


def wait_http(url: str, timeout: float, proc: Proc | None = None) -> None:
    """Poll `url` until it answers 200; fail early when the server process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and not proc.alive():
            raise RuntimeError(f"{proc.name} exited before serving {url}\n{proc.tail()}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {timeout:.0f} s\n" + (proc.tail() if proc else ""))


@dataclass
class Stack:
    """What the tests need to know about the running stack."""

    tmp: Path
    database_url: str
    env: dict[str, str]
    tool_url: str = ""
    lms: object = None  # demo_lms.testing.DemoLms
    roster: list[dict] = field(default_factory=list)
    procs: list[Proc] = field(default_factory=list)
    ids: dict = field(default_factory=dict)  # survey_id, event_id, session_id, teacher/tutor emails …

    @property
    def lms_url(self) -> str:
        return self.lms.url

    def start_worker(self, broker_url: str) -> Proc:
        """A real Celery worker with beat (the outbox drain runs every second)."""
        env = {**self.env, "CELERY_BROKER_URL": broker_url, "SYNC_OUTBOX_INTERVAL_SECONDS": "1",
               "SYNC_ROSTER_INTERVAL_MINUTES": "600"}
        proc = Proc("worker", [str(BIN / "celery"), "-A", "sync.celery_app", "worker", "-Q", "grades,roster,default",
                               "-c", "2", "-n", "browser@%h", "-l", "INFO", "--without-gossip", "--without-mingle",
                               "--without-heartbeat", "-B", "--schedule", str(self.tmp / "beat-schedule")],
                    env, self.tmp)
        self.procs.append(proc)
        return proc

    def member(self, alias: str) -> dict:
        """The demo LMS member a role button (`teacher`, `tutor`, `methodist`) launches as."""
        user_id = self.lms.course(1)["representatives"][alias]
        return next(m for m in self.lms.members(1) if m["user_id"] == user_id)

    def logs(self) -> str:
        return "\n".join(p.tail() for p in self.procs)

    def stop(self) -> None:
        for proc in reversed(self.procs):
            proc.stop()
        if self.lms is not None:
            self.lms.stop()


def start_stack(tmp: Path, database_url: str, broker_url: str | None = None, demo_loaded: bool = False) -> Stack:
    """Load the demo data, start the demo LMS and the tool, register them with each other."""
    from demo_lms.testing import start_demo_lms

    tool_port = free_port()
    tool_url = f"http://localhost:{tool_port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": database_url, "TOOL_BASE_URL": tool_url,
           "TUTORNET_INSTANCE": str(tmp / "instance"), "SECRET_KEY": "browser-tests-secret", "TUTORNET_DEV": "1",
           "FLASK_APP": "lti_tool", "CELERY_BROKER_URL": broker_url or "memory://"}
    env.pop("SERVER_NAME", None)
    stack = Stack(tmp=tmp, database_url=database_url, env=env, tool_url=tool_url)
    flask = str(BIN / "flask")
    if not demo_loaded:
        run([flask, "demo", "load"], env, 300, "flask demo load")
    roster_path = tmp / "demo-roster.json"
    run([flask, "demo", "roster", str(roster_path)], env, 60, "flask demo roster")
    stack.roster = json.loads(roster_path.read_text(encoding="utf-8"))
    try:
        stack.lms = start_demo_lms(tool_base_url=tool_url, data_dir=tmp / "lms",
                                   config={"DEMO_LMS_ROSTER": str(roster_path)})
        config_path = tmp / "lti_config.json"
        config_path.write_text(json.dumps({stack.lms.url: [{
            "default": True, "client_id": CLIENT_ID, "auth_login_url": f"{stack.lms.url}/auth",
            "auth_token_url": f"{stack.lms.url}/token", "auth_audience": None,
            "key_set_url": f"{stack.lms.url}/.well-known/jwks.json", "key_set": None,
            "deployment_ids": ["1"], "network_slug": "demo"}]}))
        run([flask, "lti", "import-config", str(config_path)], env, 60, "flask lti import-config")
        server = Proc("tool", [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{tool_port}", "--workers", "1",
                               "--threads", "8", "--timeout", "120", "--graceful-timeout", "3",
                               "lti_tool:create_app()"], env, tmp)
        stack.procs.append(server)
        wait_http(f"{tool_url}/healthz", 60, server)
    except BaseException:
        stack.stop()
        raise
    return stack
