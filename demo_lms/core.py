"""Per-app state shared by the blueprints, and small helpers used everywhere."""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, jsonify, render_template
from sqlalchemy import delete

from .faults import Faults
from .keys import PlatformKey, ToolKeyCache
from .models import UsedJti
from .store import Store

PLATFORM_VERSION = "2024100700"  # Moodle 4.5 build number style, sent as tool_platform.version
TOKEN_LIFETIME = 3600
ID_TOKEN_LIFETIME = 60  # Moodle: exp = iat + 60
LAUNCH_REQUEST_LIFETIME = 600


@dataclass
class NrpsOptions:
    """NRPS behaviour beyond Moodle's, switched by the control API or ``--nrps-differences``."""

    differences: bool = False  # send `rel="differences"` links and serve `?since=` requests
    history_floor: int = 0  # changes up to this id are forgotten: older `since` values are refused


@dataclass
class AgsOptions:
    """AGS behaviour switched by the control API or ``--second-timestamps``."""

    second_timestamps: bool = False  # keep score timestamps to the second, as Moodle does


@dataclass
class Lms:
    config: dict[str, Any]
    store: Store
    key: PlatformKey
    tool_keys: ToolKeyCache
    faults: Faults
    nrps: NrpsOptions = field(default_factory=NrpsOptions)
    ags: AgsOptions = field(default_factory=AgsOptions)

    @property
    def issuer(self) -> str:
        return self.config["ISSUER"].rstrip("/")

    def url(self, path: str) -> str:
        """Absolute URL under the issuer origin (never request.host: tests proxy nothing)."""
        return self.issuer + path

    @property
    def token_url(self) -> str:
        return self.url("/token")

    @property
    def guid(self) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, self.issuer))


def lms() -> Lms:
    return current_app.extensions["demo_lms"]


def json_error(status: int, error: str, description: str = "", **headers: str):
    body = {"error": error}
    if description:
        body["error_description"] = description
    resp = jsonify(body)
    resp.status_code = status
    for k, v in headers.items():
        resp.headers[k.replace("_", "-")] = v
    return resp


def error_page(status: int, title: str, message: str):
    return render_template("message.html", title=title, message=message), status


def remember_jti(jti: str, expires: float) -> bool:
    """Record a one-use identifier; False if it was already used (and not yet expired)."""
    now = time.time()
    with lms().store.write() as s:
        s.execute(delete(UsedJti).where(UsedJti.expires < now))
        if s.get(UsedJti, jti) is not None:
            return False
        s.add(UsedJti(jti=jti, expires=max(expires, now + 60)))
    return True
