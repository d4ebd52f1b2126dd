"""`./scripts/run`: "Press Ctrl-C to stop" stops the tool, the worker and the demo LMS.

Started the way a background job of a non-interactive shell starts it (SIGINT ignored on
entry, inherited by every child), which is how the demo LMS used to survive Ctrl-C and keep
its port taken.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.browser.stack import free_port

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def test_ctrl_c_stops_everything(tmp_path):
    tool_port, lms_port = free_port(), free_port()
    env = dict(os.environ, TOOL_PORT=str(tool_port), LMS_PORT=str(lms_port), TUTORNET_INSTANCE=str(tmp_path))
    for var in ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL"):
        env.pop(var, None)
    log = tmp_path / "run.log"
    proc = subprocess.Popen(["./scripts/run"], cwd=ROOT, env=env, start_new_session=True,
                            stdout=log.open("wb"), stderr=subprocess.STDOUT, preexec_fn=_ignore_sigint)
    try:
        deadline = time.monotonic() + 420
        while "Press Ctrl-C to stop." not in log.read_text(errors="replace"):
            assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, "scripts/run did not start in time"
            time.sleep(1)
        assert _listening(tool_port) and _listening(lms_port)

        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal sends
        proc.wait(timeout=20)
        deadline = time.monotonic() + 5
        while _group_alive(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _group_alive(proc.pid), "a process of scripts/run outlived Ctrl-C"
        assert not _listening(tool_port) and not _listening(lms_port)
    finally:
        if _group_alive(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
