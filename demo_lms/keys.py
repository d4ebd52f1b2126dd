"""Platform signing key and verification of JWTs signed by tools.

The platform key is generated on first run and kept in DEMO_LMS_DATA (never in git). Tool keys
come from the tool's JWKS URL: cached per URL, refetched once when a JWT names an unknown
``kid`` or fails verification (what Moodle does), so tools can rotate keys with overlap.
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from pathlib import Path
from typing import Any

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


class PlatformKey:
    """The platform signing key. ``rotate()`` makes a new key and keeps publishing the previous
    public key, so a tool's refetch-on-unknown-kid can be tested (D2L-style rotation)."""

    def __init__(self, data_dir: Path):
        self.path = data_dir / "platform_key.pem"
        if not self.path.exists():
            self._write_new()
        self.previous: list[dict[str, Any]] = []
        self._load()

    def _write_new(self) -> None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # never readable by others
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        os.replace(tmp, self.path)

    def _load(self) -> None:
        self.private_key = serialization.load_pem_private_key(self.path.read_bytes(), password=None)
        self.public_key = self.private_key.public_key()
        jwk = json.loads(RSAAlgorithm.to_jwk(self.public_key))
        # The kid is derived from the key itself, so it changes when the key is replaced.
        self.kid = _thumbprint(jwk)
        jwk.update({"kid": self.kid, "alg": "RS256", "use": "sig"})
        self.jwk = jwk

    def rotate(self) -> str:
        """New signing key; the old public key stays in the JWKS. Returns the new kid."""
        self.previous = [self.jwk, *self.previous][:2]
        self._write_new()
        self._load()
        return self.kid

    def sign(self, claims: dict[str, Any], headers: dict[str, Any] | None = None) -> str:
        hdr: dict[str, Any] = {"kid": self.kid, "typ": "JWT"}
        # A None value drops a header (negative tests of the tool want a JWT without kid).
        for k, v in (headers or {}).items():
            if v is None:
                hdr.pop(k, None)
            else:
                hdr[k] = v
        return jwt.encode(claims, self.private_key, algorithm="RS256", headers=hdr)

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.jwk, *self.previous]}


def _thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 thumbprint of an RSA JWK, used as a stable kid."""
    canon = json.dumps({"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}, separators=(",", ":"), sort_keys=True)
    return jwt.utils.base64url_encode(hashlib.sha256(canon.encode()).digest()).decode()[:16]


class VerificationError(Exception):
    """A tool-signed JWT that does not verify; the message is safe to show."""


class ToolKeyCache:
    """Per-JWKS-URL cache of tool public keys."""

    def __init__(self, ttl: float = 300.0):
        self.ttl = ttl
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, dict[str, Any]]] = {}
        self.fetches = 0  # number of HTTP fetches, visible in /_control/stats

    def _fetch(self, url: str) -> dict[str, Any]:
        try:
            resp = requests.get(url, timeout=10)
            resp.raise_for_status()
            keys = {}
            for i, k in enumerate(resp.json().get("keys", [])):
                if k.get("kty") == "RSA":
                    keys[k.get("kid") or f"__nokid{i}"] = RSAAlgorithm.from_jwk(json.dumps(k))
        except (requests.RequestException, ValueError) as exc:
            raise VerificationError(f"cannot fetch tool JWKS {url}: {exc}") from exc
        with self._lock:
            self.fetches += 1
            self._cache[url] = (time.time(), keys)
        return keys

    def _keys(self, url: str, refresh: bool) -> dict[str, Any]:
        with self._lock:
            hit = self._cache.get(url)
        if hit and not refresh and time.time() - hit[0] < self.ttl:
            return hit[1]
        return self._fetch(url)

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()

    def decode(self, token: str, *, jwks_url: str | None, public_key_pem: str | None,
               audience: str | list[str], leeway: float = 5) -> dict[str, Any]:
        """Verify signature, exp/iat and aud; return the claims."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise VerificationError(f"malformed JWT: {exc}") from exc
        if header.get("alg") != "RS256":
            raise VerificationError("alg must be RS256")
        options = {"require": ["exp", "iat"], "verify_aud": True}

        def attempt(key: Any) -> dict[str, Any]:
            return jwt.decode(token, key, algorithms=["RS256"], audience=audience, leeway=leeway, options=options)

        if public_key_pem:
            candidates = [serialization.load_pem_public_key(public_key_pem.encode())]
        elif jwks_url:
            kid = header.get("kid")
            for refresh in (False, True):
                keys = self._keys(jwks_url, refresh)
                if kid is None or kid in keys:
                    candidates = [keys[kid]] if kid is not None else list(keys.values())
                    try:
                        return _first_valid(attempt, candidates)
                    except jwt.InvalidSignatureError:
                        if refresh:
                            raise VerificationError("bad signature")
                        continue  # the tool may have replaced a key under the same kid
                    except jwt.PyJWTError as exc:
                        raise VerificationError(str(exc)) from exc
            raise VerificationError(f"unknown kid {kid!r}")
        else:
            raise VerificationError("tool has no key configured")
        try:
            return _first_valid(attempt, candidates)
        except jwt.PyJWTError as exc:
            raise VerificationError(str(exc) or type(exc).__name__) from exc


def _first_valid(attempt, candidates: list[Any]) -> dict[str, Any]:
    last: Exception = jwt.InvalidSignatureError("no key")
    for key in candidates:
        try:
            return attempt(key)
        except jwt.InvalidSignatureError as exc:
            last = exc
    raise last
