"""Reachability checks of the database and the broker, for /healthz and for start-up."""
from __future__ import annotations

import hmac

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, request
from kombu import Connection

from .web.extensions import db

bp = Blueprint("health", __name__)


def check_database(engine: sa.Engine) -> str | None:
    """None if a trivial query succeeds, else the reason in one line."""
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any driver error means "unreachable"
        return one_line(exc)
    return None


def check_broker(url: str, timeout: float = 3.0) -> str | None:
    """None if the Celery broker accepts a connection, else the reason in one line."""
    try:
        with Connection(url, connect_timeout=timeout) as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - kombu raises driver-specific errors
        return one_line(exc)
    return None


def one_line(exc: BaseException) -> str:
    """The first line of an exception's message, with its type."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def shows_details() -> bool:
    """True when the caller gave the operator's HEALTH_TOKEN (`Authorization: Bearer …`)."""
    token = current_app.config.get("HEALTH_TOKEN") or ""
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return bool(token) and hmac.compare_digest(given.encode(), token.encode())


@bp.get("/healthz")
def healthz():
    """JSON: ok or error (503) for the database and the broker together. Which backends run and why
    one fails is shown only with the operator's HEALTH_TOKEN: to anyone else it maps the
    installation for an attack (issue 18, finding 13)."""
    db_error = check_database(db.engine)
    broker_error = check_broker(current_app.config["CELERY_BROKER_URL"])
    body = {"status": "ok" if not (db_error or broker_error) else "error"}
    if shows_details():
        body |= {
            "database": {"ok": db_error is None, "error": db_error, "backend": db.engine.dialect.name},
            "broker": {"ok": broker_error is None, "error": broker_error,
                       "transport": current_app.config["CELERY_BROKER_URL"].split(":", 1)[0]},
        }
    return jsonify(body), 200 if body["status"] == "ok" else 503
