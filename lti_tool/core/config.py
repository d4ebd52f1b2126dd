"""Configuration read from the environment, with defaults that work on a fresh machine.

Embedded default: a SQLite file and kombu's SQLAlchemy transport on SQLite under `instance/`,
so nothing but Python is needed. Production sets DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL
(Redis or RabbitMQ); every process then shares state only through those services.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def instance_path() -> Path:
    """Folder for files that belong to this installation and never to the repository."""
    path = Path(os.environ.get("TUTORNET_INSTANCE", PROJECT_ROOT / "instance"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _secret_key(instance: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept under instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_config() -> dict:
    """Return the settings of this process as a plain dict (Flask config and Celery alike)."""
    instance = instance_path()
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'tutornet.db'}"
    broker_url = os.environ.get("CELERY_BROKER_URL") or f"sqla+sqlite:///{instance / 'celery-broker.db'}"
    base_url = os.environ.get("TOOL_BASE_URL", "http://localhost:5000").rstrip("/")
    return {
        "SECRET_KEY": _secret_key(instance),
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        # Results are not used by the sync worker (its outcomes live in the database); an
        # explicit backend is accepted for operators who want to inspect tasks.
        "CELERY_RESULT_BACKEND": os.environ.get("CELERY_RESULT_BACKEND") or None,
        # Optional shared cache (access tokens, JWKS); the database is used when unset.
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "TOOL_BASE_URL": base_url,
        # Connections per process (PostgreSQL): at least the request threads of one process.
        "DATABASE_POOL_SIZE": int(os.environ.get("DATABASE_POOL_SIZE", "10")),
        "DATABASE_MAX_OVERFLOW": int(os.environ.get("DATABASE_MAX_OVERFLOW", "10")),
        "LTI_CONFIG": os.environ.get("LTI_CONFIG", str(PROJECT_ROOT / "lti_config.json")),
        "DEFAULT_LOCALE": os.environ.get("DEFAULT_LOCALE", "ru"),
        "SUPPORTED_LOCALES": ("ru", "en"),
        # Development relaxations (http registration URLs on loopback, insecure cookies on http).
        "DEV_MODE": _flag("TUTORNET_DEV", default=False),
        # The outbound guard of platform URLs in the web app (core/outbound.py; the worker has its
        # SYNC_* timeouts): total seconds per request, largest answer, private networks the
        # operator trusts (an LMS inside the institution), how often a host name is looked up again.
        # ADMIN_FETCH_* are the former names, still read.
        "OUTBOUND_TIMEOUT": float(os.environ.get("OUTBOUND_TIMEOUT") or os.environ.get("ADMIN_FETCH_TIMEOUT") or 5),
        "OUTBOUND_MAX_BYTES": int(os.environ.get("OUTBOUND_MAX_BYTES") or os.environ.get("ADMIN_FETCH_MAX_BYTES")
                                  or 256 * 1024),
        "OUTBOUND_TRUSTED_NETWORKS": os.environ.get("OUTBOUND_TRUSTED_NETWORKS", ""),
        "OUTBOUND_RERESOLVE_SECONDS": float(os.environ.get("OUTBOUND_RERESOLVE_SECONDS", "60")),
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        # Origins allowed to frame the tool and receive its forms besides the registered platforms'
        # own (issuer and login URL origins, which the CSP names by itself): e.g. a Canvas school's
        # domain, whose issuer is canvas.instructure.com. Space-separated.
        "FRAME_ANCESTORS": os.environ.get("FRAME_ANCESTORS", ""),
        # /healthz names the backends and their errors only to callers with this bearer token.
        "HEALTH_TOKEN": os.environ.get("HEALTH_TOKEN", ""),
        # Dynamic registration (/lti/register): new networks per hour per client address, and
        # whether a new network's platform waits for an operator's approval (`flask lti approve`).
        "REGISTRATION_NEW_NETWORKS_PER_HOUR": int(os.environ.get("REGISTRATION_NEW_NETWORKS_PER_HOUR", "5")),
        "REGISTRATION_REQUIRES_APPROVAL": _flag("REGISTRATION_REQUIRES_APPROVAL", default=False),
        "MAP_TILE_URL": os.environ.get("MAP_TILE_URL", ""),
        # How long a process may answer a login or launch from its copy of a registration
        # (lti/registration_cache.py: a disabled platform's launches are refused at once regardless).
        "LTI_REGISTRATION_CACHE_SECONDS": float(os.environ.get("LTI_REGISTRATION_CACHE_SECONDS", "30")),
        # The network's local time zone for event times and calendar feeds (Tomsk: Asia/Tomsk).
        "EVENTS_TIMEZONE": os.environ.get("EVENTS_TIMEZONE", "Europe/Moscow"),
        # Notification email: one URL names the SMTP server, its security and login
        # (smtp://, smtp+starttls://user:pass@host:587, smtps://…?from=…); empty: emails are kept
        # in the admin console's outbox, nothing is sent.
        "SMTP_URL": os.environ.get("SMTP_URL", ""),
        # The LMS page of a course, with {context_id} for its LTI context id (Moodle:
        # https://lms.example.org/course/view.php?id={context_id}): email links open the course there.
        "LMS_COURSE_URL_TEMPLATE": os.environ.get("LMS_COURSE_URL_TEMPLATE", ""),
        "SYNC_ROSTER_INTERVAL_MINUTES": int(os.environ.get("SYNC_ROSTER_INTERVAL_MINUTES", "60")),
        "SYNC_OUTBOX_INTERVAL_SECONDS": int(os.environ.get("SYNC_OUTBOX_INTERVAL_SECONDS", "5")),
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": False,
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
    }
