"""A real Celery worker (with beat) in a subprocess, for the integration tests and killable."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


class Worker:
    """`celery -A sync.celery_app worker -B` with the given environment; `kill()` sends SIGKILL."""

    def __init__(self, env: dict[str, str], workdir: Path, name: str = "w1", concurrency: int = 2):
        self.env = {**os.environ, **env, "PYTHONPATH": str(ROOT)}
        self.workdir, self.name, self.concurrency = workdir, name, concurrency
        self.proc: subprocess.Popen | None = None
        self.log = workdir / f"worker-{name}.log"

    def start(self, beat: bool = True) -> "Worker":
        args = [CELERY, "-A", "sync.celery_app", "worker", "-Q", "grades,roster,default", "-c",
                str(self.concurrency), "-n", f"{self.name}@%h", "-l", "INFO", "--without-gossip",
                "--without-mingle", "--without-heartbeat"]
        if beat:
            args += ["-B", "--schedule", str(self.workdir / f"beat-{self.name}")]
        # A session of its own: killing the group takes the pool processes and beat with it.
        self.proc = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=open(self.log, "ab"),
                                     stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def kill(self) -> None:
        """SIGKILL the whole process group (main process, pool children, beat): no cleanup runs."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def wait_for(condition, timeout: float, what: str, worker: Worker | None = None, interval: float = 0.3):
    """Poll `condition()` until truthy; fail with the worker's log tail on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}\n" + (worker.tail() if worker else ""))
