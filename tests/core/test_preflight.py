"""Starting with a broken DATABASE_URL or an unreachable broker prints one clear line per problem."""
from __future__ import annotations

import os
import subprocess
import sys


def run_preflight(tmp_path, **env):
    full_env = {**os.environ, "TUTORNET_INSTANCE": str(tmp_path), **env}
    return subprocess.run([sys.executable, "-m", "lti_tool.preflight"], env=full_env,
                          capture_output=True, text=True, timeout=60)


def test_unreachable_database_names_the_variable(tmp_path):
    result = run_preflight(tmp_path, DATABASE_URL="postgresql+psycopg://nobody:secret@127.0.0.1:1/x",
                           CELERY_BROKER_URL=f"sqla+sqlite:///{tmp_path}/broker.db")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: DATABASE_URL=postgresql+psycopg://nobody:***@127.0.0.1:1/x is unreachable")
    assert "secret" not in result.stderr and "Traceback" not in result.stderr


def test_unusable_database_url(tmp_path):
    result = run_preflight(tmp_path, DATABASE_URL="nosuchdb://x", CELERY_BROKER_URL=f"sqla+sqlite:///{tmp_path}/b.db")
    assert result.returncode == 1
    assert result.stderr.startswith("error: DATABASE_URL=nosuchdb://x is not a usable database URL")


def test_unreachable_broker_names_the_variable(tmp_path):
    result = run_preflight(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/t.db", CELERY_BROKER_URL="redis://127.0.0.1:1/0")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        line for line in result.stderr.strip().splitlines() if line.startswith("error: CELERY_BROKER_URL=redis://127.0.0.1:1/0")
    ]
    assert "Traceback" not in result.stderr


def test_embedded_defaults_pass(tmp_path):
    result = run_preflight(tmp_path, DATABASE_URL="", CELERY_BROKER_URL="")
    assert result.returncode == 0, result.stderr
