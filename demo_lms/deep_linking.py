"""Deep Linking 2.0 return endpoint: the tool posts an LtiDeepLinkingResponse JWT here.

Checks: signature with the tool's JWKS (cached, refetched on unknown kid), iss = client_id,
aud = platform issuer, exp/iat, nonce once, deployment_id, message_type, version, and the
``data`` value we sent in the request (which also tells which course the links go to).
Each ``ltiResourceLink`` item becomes a placed link; a ``lineItem`` becomes a coupled line item.
"""
from __future__ import annotations

from typing import Any

import jwt
from flask import Blueprint, render_template, request
from sqlalchemy import select

from . import lti
from .core import error_page, lms, remember_jti
from .keys import VerificationError
from .models import LaunchRequest, LineItem, ResourceLink, Tool

bp = Blueprint("deep_linking", __name__)


def _fail(message: str):
    return error_page(400, "Ответ Deep Linking отклонён", message)


def _check(claims: dict[str, Any], tool: Tool) -> str | None:
    if claims.get(lti.C_MESSAGE_TYPE) != "LtiDeepLinkingResponse":
        return "message_type must be LtiDeepLinkingResponse"
    if claims.get(lti.C_VERSION) != "1.3.0":
        return "version must be 1.3.0"
    if claims.get(lti.C_DEPLOYMENT_ID) != tool.deployment_id:
        return "deployment_id does not match the registration"
    if not claims.get("nonce"):
        return "nonce is required"
    items = claims.get(lti.C_DL_CONTENT_ITEMS, [])
    if not isinstance(items, list):
        return "content_items must be an array"
    return None


def _create(s, course_id: int, tool: Tool, item: dict[str, Any]) -> ResourceLink:
    target = "window" if "window" in item and "iframe" not in item else "iframe"
    custom = item.get("custom") if isinstance(item.get("custom"), dict) else {}
    link = ResourceLink(course_id=course_id, tool_id=tool.id, title=str(item.get("title") or "Активность"),
                        text=str(item.get("text") or ""), url=item.get("url") or tool.target_link_uri,
                        custom={str(k): str(v) for k, v in custom.items()}, document_target=target)
    s.add(link)
    s.flush()
    spec = item.get("lineItem")
    if isinstance(spec, dict):
        maximum = spec.get("scoreMaximum")
        s.add(LineItem(course_id=course_id, tool_id=tool.id, label=str(spec.get("label") or link.title),
                       score_maximum=float(maximum) if isinstance(maximum, (int, float)) and maximum > 0 else 100.0,
                       resource_id=str(spec.get("resourceId") or ""), tag=str(spec.get("tag") or ""),
                       resource_link_id=link.id))
    return link


@bp.post("/deep_link_return")
def deep_link_return():
    state = lms()
    token = request.form.get("JWT")
    if not token:
        return _fail("Нет параметра JWT.")
    try:
        iss = str(jwt.decode(token, options={"verify_signature": False}).get("iss", ""))
    except jwt.PyJWTError:
        return _fail("JWT повреждён.")
    with state.store.read() as s:
        tool = s.scalar(select(Tool).where(Tool.client_id == iss))
    if tool is None or tool.status != "active":
        return _fail("iss не совпадает с client_id активного инструмента.")
    try:
        claims = state.tool_keys.decode(token, jwks_url=tool.jwks_url, public_key_pem=tool.public_key_pem,
                                        audience=state.issuer)
    except VerificationError as exc:
        return _fail(f"Подпись или сроки JWT неверны: {exc}")
    problem = _check(claims, tool)
    if problem:
        return _fail(problem)
    if not remember_jti(f"dlnonce:{tool.client_id}:{claims['nonce']}", float(claims["exp"])):
        return _fail("nonce уже использован.")
    data = claims.get(lti.C_DL_DATA)
    created: list[ResourceLink] = []
    with state.store.write() as s:
        launch = s.scalar(select(LaunchRequest).where(LaunchRequest.dl_data == str(data or "-"),
                                                      LaunchRequest.tool_id == tool.id))
        if launch is None or not launch.used:
            return _fail("data не соответствует ни одному запросу Deep Linking.")
        course_id = launch.course_id
        for item in claims.get(lti.C_DL_CONTENT_ITEMS, []):
            if isinstance(item, dict) and item.get("type") == "ltiResourceLink":
                created.append(_create(s, course_id, tool, item))
    html = render_template("dl_return.html", course_id=course_id, links=created,
                           msg=claims.get(lti.C_DL_MSG), errormsg=claims.get(lti.C_DL_ERRORMSG))
    return html, 200, {"X-Demo-LMS-Created-Links": ",".join(str(link.id) for link in created)}
