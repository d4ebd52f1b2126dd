"""Assignment and Grade Services 2.0: line item container and line items.

A tool sees only its own line items in a course (Moodle scopes them by tool type). Paging is by
``limit`` and ``from`` with ``Link: <url>; rel="next"``. Writing needs the ``lineitem`` scope;
reading accepts ``lineitem`` or ``lineitem.readonly``.
"""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, g, request
from sqlalchemy import select

from . import lti
from .core import json_error, lms
from .models import Course, LineItem, ResourceLink
from .token import require_scope

bp = Blueprint("ags", __name__)

READ = (lti.S_LINEITEM, lti.S_LINEITEM_RO)


def lineitem_url(course_id: int, li_id: int) -> str:
    return lms().url(f"/api/courses/{course_id}/lineitems/{li_id}")


def lineitem_json(li: LineItem) -> dict[str, Any]:
    out: dict[str, Any] = {"id": lineitem_url(li.course_id, li.id), "label": li.label,
                           "scoreMaximum": li.score_maximum}
    if li.resource_id:
        out["resourceId"] = li.resource_id
    if li.tag:
        out["tag"] = li.tag
    if li.resource_link_id is not None:
        out["resourceLinkId"] = str(li.resource_link_id)
    if li.start_date_time:
        out["startDateTime"] = li.start_date_time
    if li.end_date_time:
        out["endDateTime"] = li.end_date_time
    return out


def respond(body: Any, media_type: str, status: int = 200) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status,
                    content_type=media_type + "; charset=utf-8")


def _body(expected: str) -> tuple[dict[str, Any] | None, Response | None]:
    ctype = (request.mimetype or "").lower()
    if ctype not in (expected, "application/json"):
        return None, json_error(415, "unsupported_media_type", f"Content-Type must be {expected}")
    data = request.get_json(force=True, silent=True)
    if not isinstance(data, dict):
        return None, json_error(400, "invalid_request", "body must be a JSON object")
    return data, None


def apply_fields(s, li: LineItem, data: dict[str, Any]) -> str | None:
    """Validate and copy line item fields; return an error message or None."""
    label, maximum = data.get("label"), data.get("scoreMaximum")
    if not isinstance(label, str) or not label.strip():
        return "label is required"
    if isinstance(maximum, bool) or not isinstance(maximum, (int, float)) or maximum <= 0:
        return "scoreMaximum must be a positive number"
    link_id = data.get("resourceLinkId")
    if link_id not in (None, ""):
        link = s.get(ResourceLink, int(link_id)) if str(link_id).isdigit() else None
        if link is None or link.course_id != li.course_id or link.tool_id != li.tool_id:
            return "resourceLinkId does not name a link of this tool in this course"
        li.resource_link_id = link.id
    else:
        li.resource_link_id = None
    li.label, li.score_maximum = label.strip(), float(maximum)
    li.resource_id = str(data.get("resourceId") or "")
    li.tag = str(data.get("tag") or "")
    li.start_date_time = data.get("startDateTime")
    li.end_date_time = data.get("endDateTime")
    return None


@bp.route("/api/courses/<int:course_id>/lineitems", methods=["GET"])
@require_scope(*READ)
def list_lineitems(course_id: int):
    a = request.args
    try:
        limit = int(a["limit"]) if a.get("limit") else None
        offset = int(a.get("from", "0") or 0)
    except ValueError:
        return json_error(400, "invalid_request", "limit and from must be integers")
    with lms().store.read() as s:
        if s.get(Course, course_id) is None:
            return json_error(404, "not_found", "no such course")
        q = select(LineItem).where(LineItem.course_id == course_id, LineItem.tool_id == g.tool_id)
        if a.get("resource_link_id"):
            rl = a["resource_link_id"]
            q = q.where(LineItem.resource_link_id == (int(rl) if rl.isdigit() else -1))
        if a.get("resource_id"):
            q = q.where(LineItem.resource_id == a["resource_id"])
        if a.get("tag"):
            q = q.where(LineItem.tag == a["tag"])
        items = s.scalars(q.order_by(LineItem.id)).all()
    page = items[offset:offset + limit] if limit else items[offset:]
    resp = respond([lineitem_json(li) for li in page], lti.MT_LINEITEMS)
    if limit and offset + limit < len(items):
        params = {k: v for k, v in a.items() if k not in ("limit", "from")}
        params.update({"limit": limit, "from": offset + limit})
        resp.headers["Link"] = f'<{lms().url(f"/api/courses/{course_id}/lineitems")}?{urlencode(params)}>; rel="next"'
    return resp


@bp.route("/api/courses/<int:course_id>/lineitems", methods=["POST"])
@require_scope(lti.S_LINEITEM)
def create_lineitem(course_id: int):
    data, err = _body(lti.MT_LINEITEM)
    if err:
        return err
    with lms().store.write() as s:
        if s.get(Course, course_id) is None:
            return json_error(404, "not_found", "no such course")
        li = LineItem(course_id=course_id, tool_id=g.tool_id)
        problem = apply_fields(s, li, data)
        if problem:
            return json_error(400, "invalid_request", problem)
        s.add(li)
        s.flush()
        body = lineitem_json(li)
    resp = respond(body, lti.MT_LINEITEM, 201)
    resp.headers["Location"] = body["id"]
    return resp


def load_lineitem(s, course_id: int, li_id: int) -> LineItem | None:
    li = s.get(LineItem, li_id)
    if li is None or li.course_id != course_id or li.tool_id != g.tool_id:
        return None
    return li


@bp.route("/api/courses/<int:course_id>/lineitems/<int:li_id>", methods=["GET"])
@require_scope(*READ)
def get_lineitem(course_id: int, li_id: int):
    with lms().store.read() as s:
        li = load_lineitem(s, course_id, li_id)
        if li is None:
            return json_error(404, "not_found", "no such line item")
        return respond(lineitem_json(li), lti.MT_LINEITEM)


@bp.route("/api/courses/<int:course_id>/lineitems/<int:li_id>", methods=["PUT"])
@require_scope(lti.S_LINEITEM)
def put_lineitem(course_id: int, li_id: int):
    data, err = _body(lti.MT_LINEITEM)
    if err:
        return err
    with lms().store.write() as s:
        li = load_lineitem(s, course_id, li_id)
        if li is None:
            return json_error(404, "not_found", "no such line item")
        problem = apply_fields(s, li, data)
        if problem:
            s.rollback()
            return json_error(400, "invalid_request", problem)
        s.flush()
        return respond(lineitem_json(li), lti.MT_LINEITEM)


@bp.route("/api/courses/<int:course_id>/lineitems/<int:li_id>", methods=["DELETE"])
@require_scope(lti.S_LINEITEM)
def delete_lineitem(course_id: int, li_id: int):
    with lms().store.write() as s:
        li = load_lineitem(s, course_id, li_id)
        if li is None:
            return json_error(404, "not_found", "no such line item")
        s.delete(li)
    return Response(status=204)
