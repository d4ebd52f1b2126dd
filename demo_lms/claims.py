"""Building the id_token of a launch the way Moodle 4.x does.

Personal claims (name, given_name, family_name, email) are sent when the registration asked for
them (dynamic registration) or always for a manually configured tool (``Tool.claims`` is None).
The AGS claim carries ``lineitem`` only when exactly one line item is coupled to the link.
"""
from __future__ import annotations

import secrets
import time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import lti
from .core import ID_TOKEN_LIFETIME, PLATFORM_VERSION, Lms
from .models import Course, Enrolment, LineItem, ResourceLink, Tool, User

# Custom parameter substitution variables we support (advertised in the platform configuration).
VARIABLES = ["User.id", "User.username", "Person.name.given", "Person.name.family", "Person.name.full",
             "Person.email.primary", "Person.sourcedId", "Context.id", "Context.title", "Context.label",
             "CourseSection.title", "CourseSection.label", "ResourceLink.id", "ResourceLink.title"]


def substitute(custom: dict[str, Any], user: User, course: Course, link: ResourceLink | None) -> dict[str, str]:
    values = {
        "User.id": str(user.id), "User.username": user.username, "Person.name.given": user.given_name,
        "Person.name.family": user.family_name, "Person.name.full": user.name,
        "Person.email.primary": user.email, "Person.sourcedId": user.idnumber,
        "Context.id": str(course.id), "Context.title": course.title, "Context.label": course.label,
        "CourseSection.title": course.title, "CourseSection.label": course.label,
        "ResourceLink.id": str(link.id) if link else "", "ResourceLink.title": link.title if link else "",
    }
    out = {}
    for k, v in custom.items():
        v = str(v)
        out[str(k)] = values.get(v[1:], v) if v.startswith("$") else v
    return out


def enrolment_kind(session: Session, course_id: int, user_id: int) -> str | None:
    return session.scalar(select(Enrolment.kind).where(Enrolment.course_id == course_id,
                                                        Enrolment.user_id == user_id))


def build_claims(state: Lms, session: Session, *, tool: Tool, user: User, course: Course,
                 link: ResourceLink | None, message_type: str, nonce: str,
                 dl_data: str | None = None) -> dict[str, Any]:
    now = int(time.time())
    kind = enrolment_kind(session, course.id, user.id)
    claims: dict[str, Any] = {
        "iss": state.issuer, "aud": tool.client_id, "sub": str(user.id),
        "iat": now, "exp": now + ID_TOKEN_LIFETIME, "nonce": nonce,
        lti.C_DEPLOYMENT_ID: tool.deployment_id,
        lti.C_MESSAGE_TYPE: message_type,
        lti.C_VERSION: "1.3.0",
        lti.C_ROLES: lti.launch_roles(kind, user.is_site_admin),
        lti.C_CONTEXT: {"id": str(course.id), "label": course.label, "title": course.title,
                        "type": [lti.CONTEXT_TYPE]},
        lti.C_TOOL_PLATFORM: {"guid": state.guid, "name": "Demo LMS", "product_family_code": "moodle",
                              "version": PLATFORM_VERSION, "description": "TutorNet demo LMS"},
        lti.C_LAUNCH_PRESENTATION: {
            "locale": user.locale or "ru", "document_target": link.document_target if link else "iframe",
            "return_url": state.url(f"/launch_return?course={course.id}" + (f"&link={link.id}" if link else "")),
        },
        lti.C_LIS: {"person_sourcedid": user.idnumber, "course_section_sourcedid": course.idnumber},
        lti.C_EXT: {"user_username": user.username, "lms": "moodle-2"},
    }
    wanted = tool.claims
    for name in ("name", "given_name", "family_name", "email"):
        if wanted is None or name in wanted:
            claims[name] = getattr(user, name)
    if message_type == "LtiResourceLinkRequest":
        assert link is not None
        claims[lti.C_TARGET_LINK_URI] = link.url or tool.target_link_uri
        claims[lti.C_RESOURCE_LINK] = {"id": str(link.id), "title": link.title, "description": link.text}
        claims[lti.C_CUSTOM] = substitute({**(tool.custom or {}), **(link.custom or {})}, user, course, link)
    else:
        claims[lti.C_TARGET_LINK_URI] = tool.deep_link_url or tool.target_link_uri
        if tool.custom:
            claims[lti.C_CUSTOM] = substitute(tool.custom, user, course, None)
        claims[lti.C_DL_SETTINGS] = {
            "deep_link_return_url": state.url("/deep_link_return"),
            "accept_types": ["ltiResourceLink"],
            "accept_presentation_document_targets": ["iframe", "window"],
            "accept_multiple": True, "auto_create": True, "accept_lineitem": True,
            "title": "Добавить активность", "data": dl_data or secrets.token_urlsafe(16),
        }
    ags_scopes = [s for s in lti.AGS_SCOPES if s in (tool.scopes or [])]
    if ags_scopes:
        ags: dict[str, Any] = {"scope": ags_scopes, "lineitems": state.url(f"/api/courses/{course.id}/lineitems")}
        if link is not None:
            coupled = session.scalars(select(LineItem.id).where(LineItem.resource_link_id == link.id,
                                                               LineItem.tool_id == tool.id)).all()
            if len(coupled) == 1:
                ags["lineitem"] = state.url(f"/api/courses/{course.id}/lineitems/{coupled[0]}")
        claims[lti.C_AGS] = ags
    if lti.S_NRPS in (tool.scopes or []):
        claims[lti.C_NRPS] = {"context_memberships_url": state.url(f"/api/courses/{course.id}/memberships"),
                              "service_versions": ["2.0"]}
    return claims
