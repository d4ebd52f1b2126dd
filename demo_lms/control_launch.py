"""Control API, part two: minted launches and registration tokens (tests drive OIDC without a browser)."""
from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, abort, jsonify, render_template
from sqlalchemy import select

from .claims import build_claims
from .control import _course_or_404, body
from .core import lms
from .models import Course, ResourceLink, Tool
from .oidc import resolve_user, start_login
from .registration import new_registration_token, registration_launch_url

bp = Blueprint("control_launch", __name__, url_prefix="/_control")


def _launch_target(s, b: dict[str, Any]):
    """(tool, user, course, link, message_type) for a control launch request."""
    if b.get("link_id") is not None:
        link = s.get(ResourceLink, int(b["link_id"])) or abort(404)
        course, tool, mtype = s.get(Course, link.course_id), s.get(Tool, link.tool_id), "LtiResourceLinkRequest"
    else:
        link, course = None, _course_or_404(s, int(b.get("course_id", 1)))
        tool = s.scalar(select(Tool).where(Tool.client_id == b.get("client_id", lms().config["CLIENT_ID"])))
        mtype = "LtiDeepLinkingRequest"
    user = resolve_user(s, course.id, str(b.get("user_id", "teacher")))
    if tool is None or user is None:
        abort(404)
    return tool, user, course, link, mtype


@bp.post("/launch")
def mint_launch():
    """Start a launch (resource link with link_id, or deep linking with course_id): login initiation."""
    with lms().store.write() as s:
        tool, user, course, link, mtype = _launch_target(s, body())
        url, params = start_login(s, tool=tool, user=user, course=course, link=link, message_type=mtype)
    html = render_template("autosubmit.html", action=url, fields=params, title="launch")
    return jsonify({"login_url": url, "params": params, "html": html, "message_type": mtype})


@bp.post("/id_token")
def mint_id_token():
    """A signed id_token without the OIDC dance; ``overrides`` merge into the claims (null deletes),
    ``headers`` into the JWT header (``{"kid": null}`` drops the kid)."""
    b = body()
    st = lms()
    with st.store.read() as s:
        tool, user, course, link, mtype = _launch_target(s, b)
        claims = build_claims(st, s, tool=tool, user=user, course=course, link=link, message_type=mtype,
                              nonce=str(b.get("nonce") or f"nonce-{time.time_ns()}"))
    for k, v in (b.get("overrides") or {}).items():
        if v is None:
            claims.pop(k, None)
        else:
            claims[k] = v
    return jsonify({"id_token": st.key.sign(claims, b.get("headers")), "claims": claims,
                    "redirect_uri": (tool.redirect_uris or [tool.target_link_uri])[0]})


@bp.post("/registration_token")
def registration_token():
    st, b = lms(), body()
    out = {"registration_token": new_registration_token(st),
           "openid_configuration": st.url("/.well-known/openid-configuration")}
    if b.get("tool_url"):
        out["registration_url"] = registration_launch_url(st, b["tool_url"])
    return jsonify(out)


@bp.errorhandler(400)
@bp.errorhandler(404)
def _json_errors(exc):
    """Control clients are tests: answer JSON, not Werkzeug's HTML pages."""
    return jsonify({"error": exc.name, "error_description": exc.description}), exc.code
