"""OAuth 2.0 client-credentials token endpoint (1EdTech Security Framework §4) and bearer checks.

The client assertion is an RS256 JWT signed by the tool: iss = sub = client_id, aud = the token
URL (the issuer is accepted too), exp in the future, jti used once. Requested scopes are
intersected with those the registration allows; none left -> 400 invalid_scope (Moodle).

Issued tokens are persisted and also kept in memory (``Store.tokens``): a bearer check is a dict
lookup; a token not in memory (issued before a restart) is read from the database once.
"""
from __future__ import annotations

import functools
import secrets
import time
from typing import Any, Callable

import jwt
from flask import Blueprint, g, jsonify, request
from sqlalchemy import delete, select

from .core import TOKEN_LIFETIME, json_error, lms, remember_jti
from .keys import VerificationError
from .models import AccessToken, Tool

bp = Blueprint("token", __name__)
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def _issue() -> tuple[Any, bool]:
    state = lms()
    f = request.form
    if f.get("grant_type") != "client_credentials":
        return json_error(400, "unsupported_grant_type", "grant_type must be client_credentials"), False
    if f.get("client_assertion_type") != JWT_BEARER or not f.get("client_assertion"):
        return json_error(400, "invalid_request", "client_assertion of type jwt-bearer is required"), False
    try:
        unverified = jwt.decode(f["client_assertion"], options={"verify_signature": False})
    except jwt.PyJWTError:
        return json_error(400, "invalid_request", "client_assertion is not a JWT"), False
    with state.store.read() as s:
        tool = s.scalar(select(Tool).where(Tool.client_id == str(unverified.get("iss", ""))))
    if tool is None or tool.status != "active":
        return json_error(401, "invalid_client", "unknown or inactive client"), False
    try:
        claims = state.tool_keys.decode(f["client_assertion"], jwks_url=tool.jwks_url,
                                        public_key_pem=tool.public_key_pem,
                                        audience=[state.token_url, state.issuer])
    except VerificationError as exc:
        return json_error(401, "invalid_client", f"client assertion rejected: {exc}"), False
    if claims.get("sub") != tool.client_id:
        return json_error(401, "invalid_client", "sub must equal client_id"), False
    if not claims.get("jti"):
        return json_error(401, "invalid_client", "jti is required"), False
    if not remember_jti(f"assertion:{tool.client_id}:{claims['jti']}", float(claims["exp"])):
        return json_error(401, "invalid_client", "jti already used"), False
    requested = f.get("scope", "").split()
    granted = [sc for sc in requested if sc in (tool.scopes or [])]
    if not granted:
        return json_error(400, "invalid_scope", "none of the requested scopes is allowed"), False
    token = secrets.token_urlsafe(32)
    now = time.time()
    with state.store.write() as s:
        s.execute(delete(AccessToken).where(AccessToken.expires < now))
        s.add(AccessToken(token=token, tool_id=tool.id, scopes=granted, expires=now + TOKEN_LIFETIME))
    state.store.remember_token(token, tool.id, granted, now + TOKEN_LIFETIME)
    resp = jsonify({"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME,
                    "scope": " ".join(granted)})
    resp.headers["Cache-Control"] = "no-store"
    return resp, True


@bp.post("/token")
def token():
    resp, issued = _issue()
    lms().faults.count_token_request(issued)
    return resp


class BearerRefused(Exception):
    """The request's bearer token does not allow it: 401 or 403 with a WWW-Authenticate header."""

    def __init__(self, status: int, error: str, description: str, challenge: str):
        super().__init__(description)
        self.status, self.error, self.description, self.challenge = status, error, description, challenge


def check_bearer(store, header: str, accepted: tuple[str, ...]):
    """The token of an ``Authorization`` header if it is valid and carries one of ``accepted``
    scopes (a ``store.Bearer``); raises :class:`BearerRefused` otherwise."""
    if not header[:7].lower() == "bearer ":
        raise BearerRefused(401, "invalid_token", "Bearer token required", 'Bearer error="invalid_token"')
    tok = store.bearer(header[7:].strip())
    if tok is None or tok.expires < time.time():
        raise BearerRefused(401, "invalid_token", "unknown or expired access token", 'Bearer error="invalid_token"')
    if not any(sc in tok.scopes for sc in accepted):
        raise BearerRefused(403, "insufficient_scope", "token lacks the scope for this endpoint",
                            f'Bearer error="insufficient_scope", scope="{" ".join(accepted)}"')
    return tok


def require_scope(*accepted: str) -> Callable:
    """Decorator: a valid bearer token carrying one of ``accepted`` scopes; sets g.tool_id/g.scopes.

    401 (with WWW-Authenticate) when the token is missing, unknown or expired; 403 when the token
    lacks every accepted scope.
    """

    def wrap(view: Callable) -> Callable:
        @functools.wraps(view)
        def inner(*args: Any, **kwargs: Any):
            try:
                tok = check_bearer(lms().store, request.headers.get("Authorization", ""), accepted)
            except BearerRefused as exc:
                return json_error(exc.status, exc.error, exc.description, WWW_Authenticate=exc.challenge)
            g.tool_id, g.scopes = tok.tool_id, tok.scopes
            return view(*args, **kwargs)

        return inner

    return wrap
