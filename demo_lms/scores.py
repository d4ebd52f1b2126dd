"""AGS score publishing and result reading, with Moodle 4.x semantics.

- 400 "Incorrect score received" for a missing/invalid timestamp, activityProgress or
  gradingProgress, ``scoreGiven`` without ``scoreMaximum``, or a user not gradable in the course.
- 409 when the timestamp is not later than the stored grade's (so a re-sent score meets 409).
  With ``seconds`` (the option ``DEMO_LMS_SECOND_TIMESTAMPS``, ``--second-timestamps``, control
  API ``POST /_control/ags``) timestamps are kept to the second, as Moodle keeps them (an integer
  ``timemodified``): 3.0 at 12:00:00.100 is stored, 4.0 at 12:00:00.900 meets 409.
- ``gradingProgress`` other than FullyGraded clears ``scoreGiven``.
- 200 on success, empty body.

A score POST is the hot path of the sync benchmark (thousands a second), so it avoids the ORM:
the line item and the course's gradable users come from the store's read cache (dropped on every
other write), and the grade is one ``INSERT ... ON CONFLICT DO UPDATE ... WHERE`` statement whose
condition is the 409 rule (no row changed = the stored timestamp is not earlier).
"""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, g, request
from sqlalchemy import select

from . import lti
from .ags import lineitem_url, load_lineitem, respond
from .core import json_error, lms
from .models import Enrolment, Grade, LineItem, User
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


SCORES_RULE = "/api/courses/<int:course_id>/lineitems/<int:li_id>/scores"
INCORRECT = "Incorrect score received"  # Moodle answers one catch-all message


def accept_score(store, tool_id: int, course_id: int, li_id: int, content_type: str,
                 raw: bytes, seconds: bool = False) -> tuple[int, str | None, str | None]:
    """Handle one score POST like Moodle 4.x: (status, error, description); (200, None, None) when
    the score was stored. Plain values in and out: the Flask view and the WSGI fast path
    (:mod:`demo_lms.fastpath`) share it. ``seconds``: timestamps kept to the second."""
    mimetype = content_type.split(";", 1)[0].strip().lower()
    if mimetype not in (lti.MT_SCORE, "application/json"):
        return 415, "unsupported_media_type", f"Content-Type must be {lti.MT_SCORE}"
    try:
        data = json.loads(raw)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return 400, "invalid_request", "body must be a JSON object"
    ts = parse_timestamp(data.get("timestamp"))
    if ts is None:
        return 400, INCORRECT, "timestamp missing or not ISO 8601"
    if data.get("activityProgress") not in ACTIVITY:
        return 400, INCORRECT, "activityProgress missing or invalid"
    if data.get("gradingProgress") not in GRADING:
        return 400, INCORRECT, "gradingProgress missing or invalid"
    given, maximum = data.get("scoreGiven"), data.get("scoreMaximum")
    if given is not None:
        if not _number(given) or given < 0:
            return 400, INCORRECT, "scoreGiven must be a non-negative number"
        if not _number(maximum) or maximum <= 0:
            return 400, INCORRECT, "scoreGiven requires a positive scoreMaximum"
    user_id = str(data.get("userId", ""))
    li = store.cached(("lineitem", li_id), lambda s: _lineitem_owner(s, li_id))
    if li is None or li[0] != course_id or li[1] != tool_id:
        return 404, "not_found", "no such line item"
    if not user_id.isdigit() or int(user_id) not in store.cached(("gradable", course_id), lambda s: _gradable(s, course_id)):
        return 400, INCORRECT, "user is not gradable in this course"
    fully = data["gradingProgress"] == "FullyGraded"
    ts = ts.astimezone(timezone.utc)
    stamp = data["timestamp"]
    if seconds:  # Moodle: timemodified = strtotime(timestamp), an integer
        ts = ts.replace(microsecond=0)
        stamp = ts.isoformat()
    row = {
        "li": li_id, "user": int(user_id),
        "given": float(given) if (fully and given is not None) else None,
        "maximum": float(maximum) if _number(maximum) else None,
        "comment": data.get("comment"), "activity": data["activityProgress"],
        "grading": data["gradingProgress"],
        # SQLite keeps naive datetimes: store UTC so the 409 comparison holds across offsets; the
        # column's own format (fixed width) makes the string comparison in SQL a time comparison.
        "ts": _ts_to_db(store, ts), "raw": stamp,
    }
    try:
        changed = store.execute_write(_UPSERT, row)
    except sqlite3.IntegrityError:  # the line item or the user was deleted meanwhile
        store.invalidate()
        if store.cached(("lineitem", li_id), lambda s: _lineitem_owner(s, li_id)) is None:
            return 404, "not_found", "no such line item"
        return 400, INCORRECT, "user is not gradable in this course"
    if not changed:
        return 409, "conflict", "timestamp is not later than the stored grade's"
    return 200, None, None


@bp.post(SCORES_RULE)
@require_scope(lti.S_SCORE)
def post_score(course_id: int, li_id: int):
    status, error, description = accept_score(lms().store, g.tool_id, course_id, li_id,
                                              request.content_type or "", request.get_data(),
                                              seconds=lms().ags.second_timestamps)
    if error is None:
        return Response(status=status)
    return json_error(status, error, description)


_UPSERT = (
    "INSERT INTO grades (line_item_id, user_id, score_given, score_maximum, comment, activity_progress,"
    " grading_progress, timestamp, timestamp_raw, post_count)"
    " VALUES (:li, :user, :given, :maximum, :comment, :activity, :grading, :ts, :raw, 1)"
    " ON CONFLICT (line_item_id, user_id) DO UPDATE SET score_given = excluded.score_given,"
    " score_maximum = excluded.score_maximum, comment = excluded.comment,"
    " activity_progress = excluded.activity_progress, grading_progress = excluded.grading_progress,"
    " timestamp = excluded.timestamp, timestamp_raw = excluded.timestamp_raw,"
    " post_count = coalesce(grades.post_count, 0) + 1"
    " WHERE excluded.timestamp > grades.timestamp"
)


def _ts_to_db(store, value: datetime) -> str:
    """The string SQLAlchemy stores for Grade.timestamp on SQLite (its DateTime bind processor)."""
    global _TS_BIND
    if _TS_BIND is None:
        engine = store.engine
        _TS_BIND = Grade.__table__.c.timestamp.type.dialect_impl(engine.dialect).bind_processor(engine.dialect)
    return _TS_BIND(value)


_TS_BIND = None


def _lineitem_owner(s, li_id: int) -> tuple[int, int] | None:
    """(course_id, tool_id) of a line item, or None."""
    row = s.execute(select(LineItem.course_id, LineItem.tool_id).where(LineItem.id == li_id)).first()
    return (row[0], row[1]) if row else None


def _gradable(s, course_id: int) -> frozenset[int]:
    """Ids of the users a course grades (enrolled with a gradebook role, like Moodle's students)."""
    rows = s.execute(select(Enrolment.user_id, Enrolment.kind).join(User, User.id == Enrolment.user_id)
                     .where(Enrolment.course_id == course_id))
    return frozenset(uid for uid, kind in rows if lti.is_gradable(kind))


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
        q = q.order_by(Grade.user_id).offset(max(offset, 0))
        # One row more than the page tells whether a next page exists.
        grades = s.scalars(q.limit(limit + 1) if limit else q).all()
        more = bool(limit) and len(grades) > limit
        body = [result_json(course_id, li, gr) for gr in (grades[:limit] if limit else grades)]
    resp = respond(body, lti.MT_RESULTS)
    if more:
        args = {k: v for k, v in request.args.items() if k not in ("limit", "from")}
        args.update({"limit": str(limit), "from": str(offset + limit)})
        resp.headers["Link"] = f'<{lineitem_url(course_id, li.id)}/results?{urlencode(args)}>; rel="next"'
    return resp
