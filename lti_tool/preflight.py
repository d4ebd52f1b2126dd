"""Start-up check: one clear line per unreachable service, naming its variable; exit 1.

`python -m lti_tool.preflight` runs before the tool, the worker and migrations start, so a
mistyped DATABASE_URL or a stopped broker reads as a sentence, not a traceback.
"""
from __future__ import annotations

import sys

import sqlalchemy as sa

from .core.config import load_config
from .core.db import make_engine
from .health import check_broker, check_database, one_line


def _redact(url: str) -> str:
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL is shown as given
        return url


def problems(config: dict) -> list[str]:
    """Human-readable problems with the configured services (empty when all are reachable)."""
    found = []
    url = config["DATABASE_URL"]
    try:
        engine = make_engine(url)
    except Exception as exc:  # noqa: BLE001 - bad URL, missing driver
        found.append(f"DATABASE_URL={_redact(url)} is not a usable database URL: {one_line(exc)}")
    else:
        error = check_database(engine)
        engine.dispose()
        if error:
            found.append(f"DATABASE_URL={_redact(url)} is unreachable: {error}")
    broker = config["CELERY_BROKER_URL"]
    error = check_broker(broker)
    if error:
        found.append(f"CELERY_BROKER_URL={_redact(broker)} is unreachable: {error}")
    return found


def main() -> int:
    found = problems(load_config())
    for line in found:
        print(f"error: {line}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
