"""Names and Role Provisioning Services 2.0, membership container (Moodle semantics).

Every member is ``Active``; removed users simply vanish. Pages exist only when the tool sends
``limit``; the next page is announced as ``Link: <url>; rel="next"`` (quoted). ``role`` filters by
a membership role (full URI or short name such as Learner).

Beyond Moodle, as an option (``DEMO_LMS_NRPS_DIFFERENCES`` / ``--nrps-differences`` / control API
``POST nrps``): each answer also carries ``Link: <url?since=N>; rel="differences"`` (NRPS §2.4.3),
N being the last membership change at the time of the request. Requesting that URL returns only
the members whose membership changed since — new members and changed ones as ``Active``,
leavers as ``Deleted`` with the roles they had — paged the same way. A ``since`` older than the
history kept is refused with 410, and so is any ``since`` while the option is off.
"""
from __future__ import annotations

import json
from urllib.parse import urlencode

from flask import Blueprint, Response, request
from sqlalchemy import func, select

from . import lti
from .core import json_error, lms
from .models import Course, Enrolment, MembershipChange, User
from .token import require_scope

bp = Blueprint("nrps", __name__)


def _member(u: User, kind: str) -> dict:
    return {"status": "Active", "user_id": str(u.id), "roles": lti.nrps_roles(kind), "name": u.name,
            "given_name": u.given_name, "family_name": u.family_name, "email": u.email,
            "lis_person_sourcedid": u.idnumber}


def _current(s, course_id: int, kinds: list[str], offset: int, limit: int | None) -> tuple[int, list[dict]]:
    """(how many members, the requested page of them), paged in SQL."""
    base = (select(User, Enrolment.kind).join(Enrolment, Enrolment.user_id == User.id)
            .where(Enrolment.course_id == course_id, Enrolment.kind.in_(kinds)))
    total = s.scalar(select(func.count()).select_from(base.subquery()))
    q = base.order_by(User.id).offset(offset)
    if limit is not None:
        q = q.limit(limit)
    return total, [_member(u, kind) for u, kind in s.execute(q)]


def _changed_since(s, course_id: int, since: int, kinds: list[str]) -> list[dict]:
    """Members whose membership changed after change `since`: Active as they are now, or Deleted."""
    last_kind: dict[int, str] = {}
    for uid, kind in s.execute(select(MembershipChange.user_id, MembershipChange.kind).where(
            MembershipChange.course_id == course_id, MembershipChange.id > since).order_by(MembershipChange.id)):
        last_kind[uid] = kind
    if not last_kind:
        return []
    now = {u.id: (u, kind) for u, kind in s.execute(
        select(User, Enrolment.kind).join(Enrolment, Enrolment.user_id == User.id)
        .where(Enrolment.course_id == course_id, User.id.in_(list(last_kind))))}
    members = []
    for uid in sorted(last_kind):
        if uid in now:
            if now[uid][1] in kinds:
                members.append(_member(*now[uid]))
        elif last_kind[uid] in kinds:
            members.append({"status": "Deleted", "user_id": str(uid), "roles": lti.nrps_roles(last_kind[uid])})
    return members


@bp.get("/api/courses/<int:course_id>/memberships")
@require_scope(lti.S_NRPS)
def memberships(course_id: int):
    state = lms()
    args = request.args
    role = args.get("role")
    if role and "#" not in role and "/" not in role:
        role = lti.MEMBERSHIP + role
    kinds = [k for k, (_, nrps) in lti.KINDS.items() if role is None or role in nrps]
    try:
        limit = int(args["limit"]) if args.get("limit") else None
        offset = int(args.get("from", "0") or 0)
        since = int(args["since"]) if "since" in args else None
    except ValueError:
        return json_error(400, "invalid_request", "limit, from and since must be integers")
    if (limit is not None and limit <= 0) or offset < 0:
        return json_error(400, "invalid_request", "limit must be positive, from non-negative")
    options = state.nrps
    if since is not None and (not options.differences or since < options.history_floor):
        return json_error(410, "differences_unavailable",
                          "membership differences since then are not available; request the full membership")
    with state.store.read() as s:
        course = s.get(Course, course_id)
        if course is None:
            return json_error(404, "not_found", "no such course")
        last_change = s.scalar(select(func.max(MembershipChange.id))) or 0  # same snapshot as the members
        if since is None:
            total, page = _current(s, course_id, kinds, offset, limit)
        else:
            changed = _changed_since(s, course_id, since, kinds)
            total, page = len(changed), changed[offset:offset + limit] if limit is not None else changed[offset:]
    url = state.url(f"/api/courses/{course_id}/memberships")
    body = {
        "id": url + ("?" + request.query_string.decode() if request.query_string else ""),
        "context": {"id": str(course.id), "label": course.label, "title": course.title},
        "members": page,
    }
    resp = Response(json.dumps(body, ensure_ascii=False), content_type=lti.MT_MEMBERSHIPS + "; charset=utf-8")
    links = []
    if limit is not None and offset + limit < total:
        params = {k: v for k, v in args.items() if k not in ("limit", "from")}
        params.update({"limit": limit, "from": offset + limit})
        links.append(f'<{url}?{urlencode(params)}>; rel="next"')
    if options.differences:
        params = {k: v for k, v in args.items() if k not in ("from", "since")}
        params["since"] = last_change
        links.append(f'<{url}?{urlencode(params)}>; rel="differences"')
    if links:
        resp.headers["Link"] = ", ".join(links)
    return resp
