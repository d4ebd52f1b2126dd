"""Names and Role Provisioning Services 2.0, membership container (Moodle semantics).

Every member is ``Active``; removed users simply vanish (no ``differences`` link). Pages exist
only when the tool sends ``limit``; the next page is announced as ``Link: <url>; rel="next"``
(quoted). ``role`` filters by a membership role (full URI or short name such as Learner).
"""
from __future__ import annotations

import json
from urllib.parse import urlencode

from flask import Blueprint, Response, request
from sqlalchemy import func, select

from . import lti
from .core import json_error, lms
from .models import Course, Enrolment, User
from .token import require_scope

bp = Blueprint("nrps", __name__)


@bp.get("/api/courses/<int:course_id>/memberships")
@require_scope(lti.S_NRPS)
def memberships(course_id: int):
    state = lms()
    role = request.args.get("role")
    if role and "#" not in role and "/" not in role:
        role = lti.MEMBERSHIP + role
    kinds = [k for k, (_, nrps) in lti.KINDS.items() if role is None or role in nrps]
    try:
        limit = int(request.args["limit"]) if request.args.get("limit") else None
        offset = int(request.args.get("from", "0") or 0)
    except ValueError:
        return json_error(400, "invalid_request", "limit and from must be integers")
    if (limit is not None and limit <= 0) or offset < 0:
        return json_error(400, "invalid_request", "limit must be positive, from non-negative")
    with state.store.read() as s:
        course = s.get(Course, course_id)
        if course is None:
            return json_error(404, "not_found", "no such course")
        base = (select(User, Enrolment.kind).join(Enrolment, Enrolment.user_id == User.id)
                .where(Enrolment.course_id == course_id, Enrolment.kind.in_(kinds)))
        total = s.scalar(select(func.count()).select_from(base.subquery()))
        q = base.order_by(User.id).offset(offset)
        if limit is not None:
            q = q.limit(limit)
        rows = s.execute(q).all()
    url = state.url(f"/api/courses/{course_id}/memberships")
    body = {
        "id": url + ("?" + request.query_string.decode() if request.query_string else ""),
        "context": {"id": str(course.id), "label": course.label, "title": course.title},
        "members": [{
            "status": "Active", "user_id": str(u.id), "roles": lti.nrps_roles(kind), "name": u.name,
            "given_name": u.given_name, "family_name": u.family_name, "email": u.email,
            "lis_person_sourcedid": u.idnumber,
        } for u, kind in rows],
    }
    resp = Response(json.dumps(body, ensure_ascii=False), content_type=lti.MT_MEMBERSHIPS + "; charset=utf-8")
    if limit is not None and offset + limit < total:
        params = {k: v for k, v in request.args.items() if k not in ("limit", "from")}
        params.update({"limit": limit, "from": offset + limit})
        resp.headers["Link"] = f'<{url}?{urlencode(params)}>; rel="next"'
    return resp
