"""LTI Dynamic Registration 1.0, platform side, plus the admin pages that drive it.

The admin pastes the tool's registration URL; the LMS opens it in an iframe with
``openid_configuration`` and ``registration_token`` (one-use RS256 JWT, valid 1 h). The tool
POSTs its client registration to ``/register``; the new tool is saved as **pending** until the
admin activates it (Moodle). The page closes the iframe on ``org.imsglobal.lti.close``.
"""
from __future__ import annotations

import secrets
import time
from typing import Any
from urllib.parse import urlencode

import jwt
from flask import Blueprint, jsonify, redirect, render_template, request
from sqlalchemy import select

from . import lti
from .claims import VARIABLES
from .core import PLATFORM_VERSION, Lms, json_error, lms, remember_jti
from .models import Tool

bp = Blueprint("registration", __name__)
REG_TOKEN_LIFETIME = 3600


def openid_configuration(state: Lms) -> dict[str, Any]:
    return {
        "issuer": state.issuer,
        "authorization_endpoint": state.url("/auth"),
        "token_endpoint": state.token_url,
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
        "jwks_uri": state.url("/.well-known/jwks.json"),
        "registration_endpoint": state.url("/register"),
        "scopes_supported": ["openid", *lti.ALL_SCOPES],
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public", "pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claims_supported": ["sub", "iss", "name", "given_name", "family_name", "email"],
        lti.PLATFORM_CONFIG: {
            "product_family_code": "moodle", "version": PLATFORM_VERSION,
            "messages_supported": [{"type": "LtiResourceLinkRequest"},
                                   {"type": "LtiDeepLinkingRequest", "placements": ["ContentArea"]}],
            "variables": ["$" + v for v in VARIABLES],
        },
    }


def new_registration_token(state: Lms) -> str:
    now = int(time.time())
    return state.key.sign({"iss": state.issuer, "aud": state.issuer, "sub": "registration", "scope": "reg",
                           "iat": now, "exp": now + REG_TOKEN_LIFETIME, "jti": secrets.token_urlsafe(16)})


def registration_launch_url(state: Lms, tool_url: str) -> str:
    params = urlencode({"openid_configuration": state.url("/.well-known/openid-configuration"),
                        "registration_token": new_registration_token(state)})
    return tool_url + ("&" if "?" in tool_url else "?") + params


@bp.get("/.well-known/openid-configuration")
def well_known():
    return jsonify(openid_configuration(lms()))


def _validate(reg: Any) -> str | None:
    if not isinstance(reg, dict):
        return "body must be a JSON object"
    uris = reg.get("redirect_uris")
    if not isinstance(uris, list) or not uris or not all(isinstance(u, str) and u for u in uris):
        return "redirect_uris is required"
    for field in ("initiate_login_uri", "jwks_uri"):
        if not isinstance(reg.get(field), str) or not reg[field]:
            return f"{field} is required"
    conf = reg.get(lti.TOOL_CONFIG)
    if not isinstance(conf, dict) or not isinstance(conf.get("target_link_uri"), str):
        return f"{lti.TOOL_CONFIG} with target_link_uri is required"
    if "id_token" not in (reg.get("response_types") or ["id_token"]):
        return "response_types must contain id_token"
    grants = reg.get("grant_types") or ["implicit", "client_credentials"]
    if not {"implicit", "client_credentials"} <= set(grants):
        return "grant_types must contain implicit and client_credentials"
    if reg.get("token_endpoint_auth_method", "private_key_jwt") != "private_key_jwt":
        return "token_endpoint_auth_method must be private_key_jwt"
    return None


@bp.post("/register")
def register():
    state = lms()
    header = request.headers.get("Authorization", "")
    try:
        if not header.lower().startswith("bearer "):
            raise jwt.InvalidTokenError("missing bearer registration token")
        tok = jwt.decode(header[7:].strip(), state.key.public_key, algorithms=["RS256"],
                         audience=state.issuer, options={"require": ["exp", "jti"]})
        if tok.get("scope") != "reg":
            raise jwt.InvalidTokenError("not a registration token")
    except jwt.PyJWTError as exc:
        return json_error(401, "invalid_token", str(exc))
    reg = request.get_json(force=True, silent=True)
    problem = _validate(reg)
    if problem:
        return json_error(400, "invalid_client_metadata", problem)
    if not remember_jti(f"reg:{tok['jti']}", float(tok["exp"])):
        return json_error(401, "invalid_token", "registration token already used")
    conf = dict(reg[lti.TOOL_CONFIG])
    scopes = [sc for sc in str(reg.get("scope", "")).split() if sc in lti.ALL_SCOPES]
    dl = [m for m in conf.get("messages", []) if isinstance(m, dict) and m.get("type") == "LtiDeepLinkingRequest"]
    with state.store.write() as s:
        tool = Tool(name=str(reg.get("client_name") or conf.get("domain") or "Tool"),
                    client_id=secrets.token_urlsafe(12), deployment_id="", status="pending",
                    login_url=reg["initiate_login_uri"], redirect_uris=list(reg["redirect_uris"]),
                    jwks_url=reg["jwks_uri"], target_link_uri=conf["target_link_uri"],
                    deep_link_url=(dl[0].get("target_link_uri") or conf["target_link_uri"]) if dl else None,
                    scopes=scopes, claims=[str(c) for c in conf.get("claims", [])],
                    custom={str(k): str(v) for k, v in (conf.get("custom_parameters") or {}).items()},
                    registration=reg)
        s.add(tool)
        s.flush()
        tool.deployment_id = str(tool.id)  # Moodle: the deployment id is the tool type id
        conf["deployment_id"] = tool.deployment_id
        body = {**reg, "client_id": tool.client_id, "scope": " ".join(scopes), lti.TOOL_CONFIG: conf}
    return jsonify(body)


# ---- admin pages -------------------------------------------------------------------------

@bp.get("/admin/tools")
def admin_tools():
    with lms().store.read() as s:
        tools = s.scalars(select(Tool).order_by(Tool.id)).all()
    return render_template("admin_tools.html", tools=tools)


@bp.post("/admin/tools/register")
def admin_register():
    tool_url = request.form.get("tool_url", "").strip()
    if not tool_url.startswith(("http://", "https://")):
        return redirect("/admin/tools?error=url")
    return render_template("admin_register.html", src=registration_launch_url(lms(), tool_url))


@bp.post("/admin/tools/<int:tool_id>/activate")
def admin_activate(tool_id: int):
    with lms().store.write() as s:
        tool = s.get(Tool, tool_id)
        if tool is not None:
            tool.status = "active"
    return redirect("/admin/tools")
