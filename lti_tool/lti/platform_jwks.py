"""Platform public keys: the JWKS fetched once, shared between processes, parsed once per process.

pylti1p3 fetches and parses the platform JWKS on every launch and never refetches on an unknown
`kid` (platforms such as D2L rotate often). Here the JWKS lives in the shared cache for
`JWKS_TTL`; each process also keeps the parsed keys for `LOCAL_TTL`; an unknown `kid` triggers one
refetch (at most one per `min_refetch` seconds per URL and process, so random kids cannot turn the
tool into a fetch amplifier). The fetch goes through the outbound guard, bound to the platform's
registered hosts: no redirect to another host, no private address, a total deadline.
"""
from __future__ import annotations

import hashlib
import json
import threading
import time

from collections.abc import Callable, Iterable

import jwt
from flask_babel import gettext as _

from ..core.cache import SharedCache
from ..core.outbound import OutboundClient, OutboundError
from .errors import LaunchRefused

ALLOWED_ALGS = ("RS256", "RS384", "RS512")
JWKS_TTL = 3600
LOCAL_TTL = 60


class PlatformKeyStore:
    """Resolves (JWKS URL or static key set, kid, alg) to a public key object."""

    def __init__(self, cache: SharedCache, http: Callable[[], OutboundClient], *, min_refetch: float = 5.0):
        self.cache = cache
        self.min_refetch = min_refetch
        self.http = http  # the guarded client of the present settings
        self._lock = threading.Lock()
        self._local: dict[str, tuple[float, dict]] = {}  # url -> (expires, {kid: (alg, key)})
        self._last_fetch: dict[str, float] = {}
        self._parsed: dict[str, object] = {}  # canonical JWK JSON -> key (static key sets)

    def key(self, *, kid: str | None, alg: str | None, url: str | None = None, key_set: dict | None = None,
            hosts: Iterable[str] = ()):
        """The public key for `kid`, or a refusal (unknown kid, fetch failure, bad algorithm);
        `hosts`: the platform's registered hosts, the only ones `url` may name."""
        if not kid:
            raise LaunchRefused(401, _("The launch token has no key id (kid) in its header."))
        if alg not in ALLOWED_ALGS:
            raise LaunchRefused(401, _("The launch token is signed with an algorithm the tool does not accept."))
        if key_set:
            keys = self._parse_set(key_set)
        elif url:
            keys = self._keys_from_url(url, kid, frozenset(hosts))
        else:
            keys = {}
        found = keys.get(kid)
        if found is None or found[0] != alg:
            raise LaunchRefused(401, _("The LMS key that signed this launch (kid %(kid)s) is unknown.", kid=kid))
        return found[1]

    def _keys_from_url(self, url: str, kid: str, hosts: frozenset[str]) -> dict:
        now = time.monotonic()
        cached = self._local.get(url)
        if cached and cached[0] > now and kid in cached[1]:
            return cached[1]
        cache_key = "lti:jwks:" + hashlib.sha256(url.encode()).hexdigest()
        jwks = self.cache.get(cache_key)
        if jwks is not None:
            keys = self._remember(url, jwks)
            if kid in keys:
                return keys
        with self._lock:
            if now - self._last_fetch.get(url, -1e9) < self.min_refetch and jwks is not None:
                return keys  # fetched moments ago: the kid is really unknown
            self._last_fetch[url] = now
        jwks = self._fetch(url, hosts)
        self.cache.set(cache_key, jwks, JWKS_TTL)
        return self._remember(url, jwks)

    def _fetch(self, url: str, hosts: frozenset[str]) -> dict:
        try:
            jwks = self.http().get_json(url, allowed_hosts=hosts)
        except OutboundError as exc:
            raise LaunchRefused(
                401, _("The LMS public keys could not be fetched from %(url)s. Try again later.", url=url), str(exc)
            ) from exc
        if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
            raise LaunchRefused(401, _("The LMS public keys could not be fetched from %(url)s. Try again later.", url=url))
        return jwks

    def _remember(self, url: str, jwks: dict) -> dict:
        keys = self._parse_set(jwks)
        self._local[url] = (time.monotonic() + LOCAL_TTL, keys)
        return keys

    def _parse_set(self, jwks: dict) -> dict:
        keys = {}
        for jwk in jwks.get("keys", []):
            if not isinstance(jwk, dict) or not jwk.get("kid"):
                continue
            alg = jwk.get("alg", "RS256")
            canonical = json.dumps(jwk, sort_keys=True)
            key = self._parsed.get(canonical)
            if key is None:
                try:
                    key = jwt.PyJWK(jwk, algorithm=alg).key
                except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError):
                    continue  # a key we cannot use (other type/alg) is skipped, not fatal
                if len(self._parsed) > 256:
                    self._parsed.clear()
                self._parsed[canonical] = key
            keys[jwk["kid"]] = (alg, key)
        return keys
