"""Run the tool, the sync worker and the demo LMS together; Ctrl-C (or SIGTERM) stops all three.

`scripts/run` installs and prepares, then hands over to this process with `exec`. It is Python
rather than bash because a shell started with SIGINT ignored (a background job of another
non-interactive shell, some CI runners) can neither trap nor reset it, and every child started
from such a shell inherits the ignored signal: the demo LMS then survived Ctrl-C and kept its
port. Here each child gets the default dispositions back, and stopping is explicit: SIGTERM to
every child, SIGKILL to whatever is still there after a grace period.
"""
from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time

GRACE_SECONDS = 8.0
START_TIMEOUT_SECONDS = 120.0


def _default_signals() -> None:
    """In the child, before exec: signals a parent ignored must not stay ignored."""
    for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


class Supervisor:
    """Children started together, watched together, stopped together."""

    def __init__(self) -> None:
        self.children: list[tuple[str, subprocess.Popen]] = []
        self.stopping = False

    def start(self, name: str, argv: list[str], log_path: str | None) -> None:
        out = open(log_path, "ab") if log_path else None  # noqa: SIM115 (the child owns it)
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT if out else None,
                                preexec_fn=_default_signals)
        self.children.append((name, proc))

    def exited(self) -> tuple[str, int] | None:
        """The first child that has exited, with its status."""
        for name, proc in self.children:
            if proc.poll() is not None:
                return name, proc.returncode
        return None

    def stop(self) -> None:
        """SIGTERM to every live child; SIGKILL after the grace period; reap all."""
        self.stopping = True
        for _, proc in self.children:
            if proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + GRACE_SECONDS
        for _, proc in self.children:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tool-port", type=int, required=True)
    p.add_argument("--lms-port", type=int, required=True)
    p.add_argument("--tool-url", required=True)
    p.add_argument("--instance", required=True, help="instance folder (logs, schedules, roster)")
    a = p.parse_args(argv)

    venv_bin = os.path.dirname(sys.executable)
    logs = os.path.join(a.instance, "logs")
    os.makedirs(logs, exist_ok=True)
    sup = Supervisor()

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)

    try:
        # Threads matter: the LMS fetches the tool's JWKS while the tool waits on the LMS.
        sup.start("tool", [os.path.join(venv_bin, "gunicorn"), "--workers", "2", "--threads", "8",
                           "--bind", f"127.0.0.1:{a.tool_port}", "--no-control-socket",
                           "--access-logfile", os.path.join(logs, "tool-access.log"),
                           "lti_tool:create_app()"], None)
        sup.start("worker", [os.path.join(venv_bin, "celery"), "-A", "sync.celery_app", "worker", "--beat",
                             "--queues", "grades,roster,default", "--concurrency", "2",
                             "--schedule", os.path.join(a.instance, "celerybeat-schedule"), "--loglevel", "INFO"],
                  os.path.join(logs, "worker.log"))
        sup.start("demo LMS", [sys.executable, "-m", "demo_lms", "--host", "127.0.0.1", "--port", str(a.lms_port),
                               "--issuer", f"http://127.0.0.1:{a.lms_port}", "--tool-url", a.tool_url,
                               "--roster", os.path.join(a.instance, "demo-roster.json"),
                               "--data", os.path.join(a.instance, "demo_lms")],
                  os.path.join(logs, "demo-lms.log"))
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not (_listening(a.tool_port) and _listening(a.lms_port)):
            if sup.exited() or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        if (gone := sup.exited()) is None and time.monotonic() <= deadline:
            print(f"\nTutorNet is running.\n"
                  f"  Open the demo LMS:  http://127.0.0.1:{a.lms_port}/\n"
                  f"  The tool:           {a.tool_url}/  (health: {a.tool_url}/healthz)\n"
                  f"  Logs:               {logs}/\n"
                  "Press Ctrl-C to stop.", flush=True)
            while (gone := sup.exited()) is None:
                time.sleep(0.5)
        if gone:
            print(f"error: the {gone[0]} stopped (exit status {gone[1]}); see {logs}/", file=sys.stderr)
        else:
            print("error: the tool or the demo LMS did not start listening in time; see the logs", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping…", flush=True)
        return 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
        sup.stop()


if __name__ == "__main__":
    sys.exit(main())
