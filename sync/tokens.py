"""OAuth 2.0 client-credentials access tokens (LTI Security Framework §4.1), cached and shared.

The tool proves itself with a JWT client assertion signed by its key (iss = sub = client_id,
aud = the platform's token URL or its declared audience, a fresh jti). A token is cached per
registration (issuer + client_id — two registrations on one Moodle share the issuer) and sorted
scope set, in shared storage and in process memory, until shortly before it expires: one token
serves thousands of requests and every worker process.
"""
from __future__ import annotations

import hashlib
import threading
import time
import uuid
from dataclasses import dataclass

import jwt
from sqlalchemy import orm

from lti_tool.core.cache import SharedCache
from lti_tool.core.outbound import OutboundClient, OutboundError
from lti_tool.core.workbook import clean_text
from lti_tool.lti.models import Platform
from lti_tool.lti.tool_keys import signing_key

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_LIFETIME = 300
# Stop using a token this long before the platform says it expires (clock skew, slow requests).
EXPIRY_MARGIN = 60
KEY_RELOAD_SECONDS = 300


class TokenError(Exception):
    """No token: the platform refused (its JSON explanation, cut short) or could not be reached;
    the message never carries the raw answer, safe to show admins."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class PlatformRef:
    """What the worker needs of a registration, detached from any session (threads share it)."""

    id: int
    issuer: str
    client_id: str
    token_url: str
    audience: str | None
    hosts: frozenset[str] = frozenset()  # the hosts its URLs may name (`Platform.hosts`)

    @classmethod
    def of(cls, platform: Platform) -> "PlatformRef":
        return cls(platform.id, platform.issuer, platform.client_id, platform.auth_token_url,
                   platform.auth_audience, platform.hosts)


def cache_key(platform: PlatformRef, scopes: list[str] | tuple[str, ...]) -> str:
    """One key per registration and scope set (the client_id is part of it, unlike pylti1p3next)."""
    raw = "\n".join([platform.issuer, platform.client_id, " ".join(sorted(set(scopes)))])
    return "lti-access-token:" + hashlib.sha256(raw.encode()).hexdigest()[:40]


class TokenProvider:
    """Hands out access tokens; thread-safe; one fetch per key even when many threads ask at once."""

    def __init__(self, session_factory: orm.sessionmaker, cache: SharedCache, http: OutboundClient):
        self.sessions, self.cache, self.http = session_factory, cache, http
        self.fetches = 0  # token requests sent to platforms by this provider (benchmarks, tests)
        self._memo: dict[str, tuple[str, float]] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self._key: tuple[float, str, str] | None = None  # (loaded at, kid, pem)

    def token(self, platform: PlatformRef, scopes: list[str] | tuple[str, ...]) -> str:
        """A valid access token for `scopes` on `platform`, from cache when possible."""
        key = cache_key(platform, scopes)
        hit = self._memo.get(key)
        if hit and hit[1] > time.time():
            return hit[0]
        with self._lock_for(key):
            hit = self._memo.get(key)
            if hit and hit[1] > time.time():
                return hit[0]
            stored = self.cache.get(key)
            if stored and stored["expires_at"] > time.time():
                self._memo[key] = (stored["access_token"], stored["expires_at"])
                return stored["access_token"]
            token, lifetime = self._fetch(platform, scopes)
            usable = max(lifetime - EXPIRY_MARGIN, lifetime / 2)
            expires_at = time.time() + usable
            self.cache.set(key, {"access_token": token, "expires_at": expires_at}, int(usable))
            self._memo[key] = (token, expires_at)
            return token

    def invalidate(self, platform: PlatformRef, scopes: list[str] | tuple[str, ...], token: str) -> None:
        """Forget `token` after a 401; a newer token fetched meanwhile by another thread survives."""
        key = cache_key(platform, scopes)
        with self._lock_for(key):
            hit = self._memo.get(key)
            if hit and hit[0] == token:
                del self._memo[key]
            stored = self.cache.get(key)
            if stored and stored["access_token"] == token:
                self.cache.delete(key)

    def assertion(self, platform: PlatformRef) -> str:
        """A signed client assertion JWT for `platform`'s token endpoint."""
        kid, pem = self._signing_key()
        now = int(time.time())
        claims = {"iss": platform.client_id, "sub": platform.client_id,
                  "aud": platform.audience or platform.token_url, "iat": now, "exp": now + ASSERTION_LIFETIME,
                  "jti": uuid.uuid4().hex}
        return jwt.encode(claims, pem, algorithm="RS256", headers={"kid": kid})

    def _fetch(self, platform: PlatformRef, scopes) -> tuple[str, float]:
        form = {"grant_type": "client_credentials", "client_assertion_type": JWT_BEARER,
                "client_assertion": self.assertion(platform), "scope": " ".join(sorted(set(scopes)))}
        self.fetches += 1
        try:
            resp = self.http.request("POST", platform.token_url, allowed_hosts=platform.hosts, form=form,
                                     headers={"Accept": "application/json"})
        except OutboundError as exc:
            raise TokenError(f"token endpoint unreachable: {exc}", exc.status) from exc
        try:
            body = resp.json()
        except ValueError:
            body = {}
        if resp.status_code != 200 or not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            detail = _explanation(body)
            raise TokenError(f"token endpoint answered {resp.status_code}" + (f": {detail}" if detail else ""),
                             resp.status_code)
        try:
            lifetime = float(body.get("expires_in") or 3600)
        except (TypeError, ValueError):
            lifetime = 3600.0
        return body["access_token"], min(lifetime, 86400.0)

    def _signing_key(self) -> tuple[str, str]:
        if self._key is None or time.time() - self._key[0] > KEY_RELOAD_SECONDS:
            # begin(): a key generated on first use is committed, so the JWKS publishes it.
            with self.sessions.begin() as s:
                key = signing_key(s)
                self._key = (time.time(), key.kid, key.private_key_pem)
        return self._key[1], self._key[2]

    def _lock_for(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())


def _explanation(body) -> str:
    """The OAuth error fields of a JSON answer (RFC 6749 §5.2), cut short; '' otherwise."""
    if not isinstance(body, dict):
        return ""
    parts = [clean_text(body[k])[:200] for k in ("error", "error_description") if isinstance(body.get(k), str)]
    return " — ".join(p for p in parts if p)
