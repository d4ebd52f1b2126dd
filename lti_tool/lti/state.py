"""The OIDC `state`: a self-contained, signed, expiring token (the login writes nothing).

    state = "state-" + itsdangerous(URLSafeTimedSerializer, SECRET_KEY, salt)({"n": H(nonce), "t": target})

- `n` binds the state to the nonce sent to the platform: the id_token's nonce must hash to it;
- `t` is the login's `target_link_uri` (kept for the launch; not a secret);
- the timestamp makes it expire after `STATE_TTL`; the HMAC makes it unforgeable without SECRET_KEY.

Single use is enforced at launch: `used_key(n)` is inserted into the shared cache with
insert-or-fail (`SharedCache.add_if_absent`) in the transaction that writes the launch's rows.
A second launch with the same state (or any state bound to the same nonce) loses the insert.
Every process that shares SECRET_KEY can finish a login started by another one.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer

STATE_TTL = 600  # seconds between login initiation and launch
PREFIX = "state-"  # pylti1p3's state cookie is then named "lti1p3-state-…"
_SALT = "tutornet.lti.oidc-state.v1"
_serializers: dict[str, URLSafeTimedSerializer] = {}


@dataclass(frozen=True)
class LoginState:
    nonce_hash: str
    target_link_uri: str | None


class StateRefused(Exception):
    """The state is forged, malformed or expired (`expired` tells which)."""

    def __init__(self, detail: str, expired: bool = False):
        super().__init__(detail)
        self.expired = expired


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    serializer = _serializers.get(secret_key)
    if serializer is None:
        serializer = _serializers[secret_key] = URLSafeTimedSerializer(
            secret_key, salt=_SALT, signer_kwargs={"digest_method": hashlib.sha256})
    return serializer


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


def nonce_hash(nonce: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(nonce.encode()).digest()).rstrip(b"=").decode()


def issue(secret_key: str, nonce: str, target_link_uri: str | None) -> str:
    payload = {"n": nonce_hash(nonce)}
    if target_link_uri:
        payload["t"] = target_link_uri
    return PREFIX + _serializer(secret_key).dumps(payload)


def read(secret_key: str, state: str, max_age: int = STATE_TTL) -> LoginState:
    """The state's content, or `StateRefused` (bad signature, malformed, expired)."""
    if not state.startswith(PREFIX):
        raise StateRefused("not a TutorNet state")
    try:
        payload = _serializer(secret_key).loads(state[len(PREFIX):], max_age=max_age)
    except SignatureExpired as exc:
        raise StateRefused(f"state expired: {exc}", expired=True) from exc
    except BadData as exc:
        raise StateRefused(f"state rejected: {exc}") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("n"), str):
        raise StateRefused("state payload malformed")
    return LoginState(payload["n"], payload.get("t"))


def nonce_matches(state: LoginState, nonce: str | None) -> bool:
    return bool(nonce) and isinstance(nonce, str) and hmac.compare_digest(nonce_hash(nonce), state.nonce_hash)


def used_key(state: LoginState) -> str:
    """The shared-cache key that marks this login's nonce (and so its state) as used."""
    return "lti:used-nonce:" + state.nonce_hash
