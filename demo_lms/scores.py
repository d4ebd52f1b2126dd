"""AGS score publishing and result reading, with Moodle 4.x semantics.

- 400 "Incorrect score received" for a missing/invalid timestamp, activityProgress or
  gradingProgress, ``scoreGiven`` without ``scoreMaximum``, or a user not gradable in the course.
- 409 when the timestamp is not later than the stored grade's (so a re-sent score meets 409).
- ``gradingProgress`` other than FullyGraded clears ``scoreGiven``.
- 200 on success, empty body.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, request
from sqlalchemy import select

from . import lti
from .ags import _body, lineitem_url, load_lineitem, respond
from .claims import enrolment_kind
from .core import json_error, lms
from .models import Grade, User
from .token import require_scope

bp = Blueprint("scores", __name__)
ACTIVITY = {"Initialized", "Started", "InProgress", "Submitted", "Completed"}
GRADING = {"FullyGraded", "Pending", "PendingManual", "Failed", "NotReady"}


def parse_timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        ts = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return ts if ts.tzinfo else ts.replace(tzinfo=timezone.utc)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def incorrect(detail: str) -> Response:
    # Moodle answers one catch-all message; the detail helps people reading our logs.
    return json_error(400, "Incorrect score received", detail)


@bp.post("/api/courses/<int:course_id>/lineitems/<int:li_id>/scores")
@require_scope(lti.S_SCORE)
def post_score(course_id: int, li_id: int):
    data, err = _body(lti.MT_SCORE)
    if err:
        return err
    ts = parse_timestamp(data.get("timestamp"))
    if ts is None:
        return incorrect("timestamp missing or not ISO 8601")
    if data.get("activityProgress") not in ACTIVITY:
        return incorrect("activityProgress missing or invalid")
    if data.get("gradingProgress") not in GRADING:
        return incorrect("gradingProgress missing or invalid")
    given, maximum = data.get("scoreGiven"), data.get("scoreMaximum")
    if given is not None:
        if not _number(given) or given < 0:
            return incorrect("scoreGiven must be a non-negative number")
        if not _number(maximum) or maximum <= 0:
            return incorrect("scoreGiven requires a positive scoreMaximum")
    user_id = str(data.get("userId", ""))
    with lms().store.write() as s:
        li = load_lineitem(s, course_id, li_id)
        if li is None:
            return json_error(404, "not_found", "no such line item")
        if not user_id.isdigit() or s.get(User, int(user_id)) is None \
                or not lti.is_gradable(enrolment_kind(s, course_id, int(user_id))):
            return incorrect("user is not gradable in this course")
        grade = s.scalar(select(Grade).where(Grade.line_item_id == li.id, Grade.user_id == int(user_id)))
        if grade is not None:
            stored = grade.timestamp if grade.timestamp.tzinfo else grade.timestamp.replace(tzinfo=timezone.utc)
            if ts <= stored:
                return json_error(409, "conflict", "timestamp is not later than the stored grade's")
        else:
            grade = Grade(line_item_id=li.id, user_id=int(user_id), post_count=0)
            s.add(grade)
        fully = data["gradingProgress"] == "FullyGraded"
        grade.score_given = float(given) if (fully and given is not None) else None
        grade.score_maximum = float(maximum) if _number(maximum) else None
        grade.comment = data.get("comment")
        grade.activity_progress = data["activityProgress"]
        grade.grading_progress = data["gradingProgress"]
        # SQLite keeps naive datetimes: store UTC so the 409 comparison holds across offsets.
        grade.timestamp, grade.timestamp_raw = ts.astimezone(timezone.utc), data["timestamp"]
        grade.post_count = (grade.post_count or 0) + 1
    return Response(status=200)


def result_json(course_id: int, li, grade: Grade) -> dict[str, Any]:
    li_url = lineitem_url(course_id, li.id)
    out: dict[str, Any] = {"id": f"{li_url}/results/{grade.user_id}", "scoreOf": li_url,
                           "userId": str(grade.user_id), "resultMaximum": li.score_maximum,
                           "timestamp": grade.timestamp_raw}
    if grade.score_given is not None and grade.score_maximum:
        # Moodle rescales the received score to the grade item's maximum.
        out["resultScore"] = round(grade.score_given / grade.score_maximum * li.score_maximum, 5)
    if grade.comment:
        out["comment"] = grade.comment
    return out


@bp.get("/api/courses/<int:course_id>/lineitems/<int:li_id>/results")
@require_scope(lti.S_RESULT_RO)
def results(course_id: int, li_id: int):
    try:
        limit = int(request.args["limit"]) if request.args.get("limit") else None
        offset = int(request.args.get("from", "0") or 0)
    except ValueError:
        return json_error(400, "invalid_request", "limit and from must be integers")
    with lms().store.read() as s:
        li = load_lineitem(s, course_id, li_id)
        if li is None:
            return json_error(404, "not_found", "no such line item")
        q = select(Grade).where(Grade.line_item_id == li.id)
        uid = request.args.get("user_id")
        if uid:
            q = q.where(Grade.user_id == (int(uid) if uid.isdigit() else -1))
        grades = s.scalars(q.order_by(Grade.user_id)).all()
        page = grades[offset:offset + limit] if limit else grades[offset:]
        body = [result_json(course_id, li, gr) for gr in page]
    resp = respond(body, lti.MT_RESULTS)
    if limit and offset + limit < len(grades):
        args = {k: v for k, v in request.args.items() if k not in ("limit", "from")}
        args.update({"limit": str(limit), "from": str(offset + limit)})
        resp.headers["Link"] = f'<{lineitem_url(course_id, li.id)}/results?{urlencode(args)}>; rel="next"'
    return resp
