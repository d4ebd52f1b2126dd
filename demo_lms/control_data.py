"""JSON views and helpers for the control API (kept apart so control.py stays readable)."""
from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import lti
from .models import Course, Enrolment, ResourceLink, Tool, User
from .oidc import resolve_user
from .seed import tool_urls


def course_json(s: Session, c: Course) -> dict[str, Any]:
    counts = dict(s.execute(select(Enrolment.kind, func.count()).where(Enrolment.course_id == c.id)
                            .group_by(Enrolment.kind)).all())
    reps = {}
    for alias in ("teacher", "tutor", "methodist", "admin"):
        u = resolve_user(s, c.id, alias)
        reps[alias] = str(u.id) if u else None
    links = s.execute(select(ResourceLink, Tool.client_id).join(Tool, Tool.id == ResourceLink.tool_id)
                      .where(ResourceLink.course_id == c.id).order_by(ResourceLink.id)).all()
    return {"id": c.id, "label": c.label, "title": c.title, "member_count": sum(counts.values()),
            "counts": counts, "representatives": reps,
            "links": [{"link_id": link.id, "title": link.title, "url": link.url, "client_id": cid,
                       "custom": link.custom, "document_target": link.document_target} for link, cid in links]}


def member_rows(s: Session, course_id: int) -> list[dict[str, Any]]:
    rows = s.execute(select(User, Enrolment.kind).join(Enrolment, Enrolment.user_id == User.id)
                     .where(Enrolment.course_id == course_id).order_by(User.id)).all()
    return [{"user_id": str(u.id), "kind": kind, "launch_roles": lti.launch_roles(kind, u.is_site_admin),
             "nrps_roles": lti.nrps_roles(kind), "name": u.name, "given_name": u.given_name,
             "family_name": u.family_name, "email": u.email, "locale": u.locale} for u, kind in rows]


def tool_json(t: Tool) -> dict[str, Any]:
    return {"id": t.id, "name": t.name, "client_id": t.client_id, "deployment_id": t.deployment_id,
            "status": t.status, "login_url": t.login_url, "redirect_uris": t.redirect_uris,
            "jwks_url": t.jwks_url, "has_public_key": bool(t.public_key_pem),
            "target_link_uri": t.target_link_uri, "deep_link_url": t.deep_link_url, "scopes": t.scopes,
            "claims": t.claims, "custom": t.custom, "registration": t.registration}


def upsert_tool(s: Session, b: dict[str, Any]) -> tuple[Tool, ResourceLink | None]:
    """Create (or update, when client_id exists) a registration from a control request."""
    fields: dict[str, Any] = tool_urls(b["tool_url"]) if b.get("tool_url") else {}
    for key in ("name", "login_url", "redirect_uris", "jwks_url", "public_key_pem", "target_link_uri",
                "deep_link_url", "scopes", "claims", "custom", "status", "deployment_id"):
        if key in b:
            fields[key] = b[key]
    client_id = b.get("client_id") or "tool-" + secrets.token_hex(6)
    tool = s.scalar(select(Tool).where(Tool.client_id == client_id))
    if tool is None:
        missing = [k for k in ("login_url", "redirect_uris", "target_link_uri") if k not in fields]
        if missing or not (fields.get("jwks_url") or fields.get("public_key_pem")):
            raise ValueError(f"tool needs tool_url or {missing + ['jwks_url|public_key_pem']}")
        tool = Tool(client_id=client_id, name=fields.pop("name", "Tool"), deployment_id="",
                    status="active", scopes=list(lti.ALL_SCOPES), claims=None, custom={},
                    login_url=fields.pop("login_url"), redirect_uris=fields.pop("redirect_uris"),
                    target_link_uri=fields.pop("target_link_uri"))
        s.add(tool)
        s.flush()
    for k, v in fields.items():
        setattr(tool, k, v)
    if not tool.deployment_id:
        tool.deployment_id = str(tool.id)
    link = None
    if b.get("place_in_course"):
        link = ResourceLink(course_id=int(b["place_in_course"]), tool_id=tool.id,
                            title=b.get("link_title", tool.name), url=tool.target_link_uri)
        s.add(link)
    s.flush()
    return tool, link
