"""Registrations as login and launch read them: snapshots cached per process for a few seconds.

Why: a login needs the platform's client id and auth URL, a launch its key set URL. Reading
them from the database costs a pooled connection, a transaction and a query per request: on
PostgreSQL that was half the server cost of a login+launch pair, and the login wrote nothing.

What keeps the cache safe (see docs/lti.md, "Registration cache"):
- it only ever says *yes*: a miss, an unknown deployment or a disabled entry is read again from
  the database before a refusal, so a platform added or re-enabled a moment ago works at once;
- the launch re-reads `enabled` of its platform and deployment in its provisioning query, inside
  the transaction that writes (`provisioning.py`): a disabled platform's launches are refused in
  every process at once, and nothing is written;
- a write to a platform or deployment in this process (admin console, CLI, dynamic registration)
  empties the cache of every app in the process; other processes read the change after
  `LTI_REGISTRATION_CACHE_SECONDS` (30 by default; 0 turns the cache off). Until then only a login
  of a just-disabled platform still redirects to the platform, and the launch that follows is
  refused.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from .models import Deployment, Platform

DEFAULT_TTL = 30.0


@dataclass(frozen=True)
class DeploymentSnapshot:
    """What a launch needs of a deployment row (attribute names as on `Deployment`)."""

    id: int
    platform_id: int
    deployment_id: str
    network_id: int
    enabled: bool


@dataclass(frozen=True)
class PlatformSnapshot:
    """What a login and a launch need of a platform row (attribute names as on `Platform`)."""

    id: int
    network_id: int
    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    auth_audience: str | None
    key_set_url: str | None
    key_set: dict | None
    enabled: bool
    deployments: tuple[DeploymentSnapshot, ...]

    def deployment(self, deployment_id: str) -> DeploymentSnapshot | None:
        return next((d for d in self.deployments if d.deployment_id == deployment_id), None)


def _snapshot(platform: Platform, deployments: list[Deployment]) -> PlatformSnapshot:
    return PlatformSnapshot(
        id=platform.id, network_id=platform.network_id, issuer=platform.issuer, client_id=platform.client_id,
        auth_login_url=platform.auth_login_url, auth_token_url=platform.auth_token_url,
        auth_audience=platform.auth_audience, key_set_url=platform.key_set_url, key_set=platform.key_set,
        enabled=platform.enabled,
        deployments=tuple(DeploymentSnapshot(id=d.id, platform_id=d.platform_id, deployment_id=d.deployment_id,
                                             network_id=d.network_id, enabled=d.enabled) for d in deployments),
    )


def read_platforms(session: Session, iss: str, client_id: str | None) -> list[PlatformSnapshot]:
    """The registrations of `iss` (and `client_id` when given) with all their deployments: one SELECT."""
    query = (sa.select(Platform, Deployment).outerjoin(Deployment, Deployment.platform_id == Platform.id)
             .where(Platform.issuer == iss).order_by(Platform.id, Deployment.id))
    if client_id:
        query = query.where(Platform.client_id == client_id)
    grouped: dict[int, tuple[Platform, list[Deployment]]] = {}
    for platform, deployment in session.execute(query):
        entry = grouped.setdefault(platform.id, (platform, []))
        if deployment is not None:
            entry[1].append(deployment)
    return [_snapshot(platform, deployments) for platform, deployments in grouped.values()]


# Bumped by every flush that touches a platform or deployment in this process: every cache entry
# read before it is stale.
_generation = 0
_generation_lock = threading.Lock()


def _bump(*_args) -> None:
    global _generation
    with _generation_lock:
        _generation += 1


for _model in (Platform, Deployment):
    for _name in ("after_insert", "after_update", "after_delete"):
        event.listen(_model, _name, _bump)


def forget() -> None:
    """Empty every registration cache of this process (a write made outside the ORM)."""
    _bump()


class RegistrationCache:
    """Per-process snapshots by (issuer, client_id); positive answers only, for `ttl` seconds."""

    def __init__(self, ttl: float = DEFAULT_TTL):
        self.ttl = ttl
        self._entries: dict[tuple[str, str | None], tuple[float, int, list[PlatformSnapshot]]] = {}

    def get(self, iss: str, client_id: str | None) -> list[PlatformSnapshot] | None:
        entry = self._entries.get((iss, client_id))
        if entry is None:
            return None
        expires, generation, platforms = entry
        if generation != _generation or expires < time.monotonic():
            self._entries.pop((iss, client_id), None)
            return None
        return platforms

    def put(self, iss: str, client_id: str | None, platforms: list[PlatformSnapshot]) -> None:
        if self.ttl > 0:
            self._entries[(iss, client_id)] = (time.monotonic() + self.ttl, _generation, platforms)

    def drop(self, iss: str, client_id: str | None) -> None:
        self._entries.pop((iss, client_id), None)


def lookup(session: Session, cache: RegistrationCache | None, iss: str, client_id: str | None, *,
           usable) -> list[PlatformSnapshot]:
    """The registrations of (iss, client_id): from the cache when `usable(platforms)` says the
    cached answer serves the request, else from the database (and cached when usable then)."""
    if cache is not None:
        cached = cache.get(iss, client_id)
        if cached is not None and usable(cached):
            return cached
    generation = _generation
    platforms = read_platforms(session, iss, client_id)
    if cache is not None and generation == _generation and usable(platforms):
        cache.put(iss, client_id, platforms)
    return platforms
