"""Test and benchmark control API under ``/_control/`` (JSON; only when DEMO_LMS_CONTROL is true).

Faults and statistics, course rosters in bulk, tool registration, line items and scores as the
LMS stores them, and minted launches. See demo_lms/testing.py for the Python wrapper and the
report in the repository for every JSON shape.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, request
from sqlalchemy import delete, func, select

from . import lti
from .core import lms
from .models import Course, Enrolment, Grade, LineItem, MembershipChange, ResourceLink, Tool
from .control_data import course_json, member_rows, tool_json, upsert_tool
from .seed import add_generated_members, add_user, seed

bp = Blueprint("control", __name__, url_prefix="/_control")


def body() -> dict[str, Any]:
    data = request.get_json(force=True, silent=True)
    return data if isinstance(data, dict) else {}


@bp.get("/state")
def state():
    st = lms()
    return jsonify({"issuer": st.issuer, "token_url": st.token_url, "jwks_url": st.url("/.well-known/jwks.json"),
                    "auth_url": st.url("/auth"), "openid_configuration": st.url("/.well-known/openid-configuration"),
                    "platform_kid": st.key.kid, "faults": st.faults.snapshot(),
                    "stats": {**st.faults.stats(), "jwks_fetches": st.tool_keys.fetches}})


@bp.route("/faults", methods=["GET", "POST"])
def faults():
    if request.method == "POST":
        lms().faults.configure(body())
    return jsonify(lms().faults.snapshot())


@bp.get("/stats")
def stats():
    return jsonify({**lms().faults.stats(), "jwks_fetches": lms().tool_keys.fetches})


@bp.route("/nrps", methods=["GET", "POST"])
def nrps_options():
    """NRPS `differences` on/off; `forget_history` refuses every earlier `since` from now on (410)."""
    st, b = lms(), body() if request.method == "POST" else {}
    with st.store.read() as s:
        last = s.scalar(select(func.max(MembershipChange.id))) or 0
    if "differences" in b:
        st.nrps.differences = bool(b["differences"])
    if b.get("forget_history"):
        st.nrps.history_floor = last
    return jsonify({"differences": st.nrps.differences, "history_floor": st.nrps.history_floor,
                    "last_change": last})


@bp.route("/ags", methods=["GET", "POST"])
def ags_options():
    """AGS options: `second_timestamps` (scores kept to the second, as Moodle keeps them)."""
    st, b = lms(), body() if request.method == "POST" else {}
    if "second_timestamps" in b:
        st.ags.second_timestamps = bool(b["second_timestamps"])
    return jsonify({"second_timestamps": st.ags.second_timestamps})


@bp.post("/reset")
def reset():
    st = lms()
    st.faults.reset()
    st.tool_keys.clear()
    st.nrps.differences, st.nrps.history_floor = bool(st.config["DEMO_LMS_NRPS_DIFFERENCES"]), 0
    st.ags.second_timestamps = bool(st.config["DEMO_LMS_SECOND_TIMESTAMPS"])
    if body().get("data"):
        st.store.reset()
        with st.store.write() as s:
            seed(s, st.config)
    return jsonify({"ok": True})


@bp.post("/rotate_key")
def rotate_key():
    """Rotate the platform signing key (the previous public key stays published)."""
    st = lms()
    old = st.key.kid
    return jsonify({"kid": st.key.rotate(), "previous_kid": old})


@bp.get("/courses")
def courses():
    with lms().store.read() as s:
        return jsonify([course_json(s, c) for c in s.scalars(select(Course).order_by(Course.id))])


@bp.post("/courses")
def create_course():
    b = body()
    with lms().store.write() as s:
        c = Course(label=b.get("label", "ТЕСТ"), title=b.get("title", "Тестовый курс"), idnumber=b.get("idnumber", ""))
        s.add(c)
        s.flush()
        for kind, key in (("learner", "learners"), ("instructor", "instructors"), ("methodist", "methodists")):
            add_generated_members(s, c.id, kind, int(b.get(key, 0)))
        if b.get("place_tool"):
            tool = s.scalar(select(Tool).where(Tool.client_id == b["place_tool"]))
            if tool:
                s.add(ResourceLink(course_id=c.id, tool_id=tool.id, title=tool.name, url=tool.target_link_uri))
        s.flush()
        return jsonify(course_json(s, c)), 201


def _course_or_404(s, course_id: int) -> Course:
    c = s.get(Course, course_id)
    if c is None:
        abort(404)
    return c


@bp.get("/courses/<int:course_id>")
def get_course(course_id: int):
    with lms().store.read() as s:
        return jsonify(course_json(s, _course_or_404(s, course_id)))


@bp.get("/courses/<int:course_id>/members")
def members(course_id: int):
    with lms().store.read() as s:
        _course_or_404(s, course_id)
        return jsonify(member_rows(s, course_id))


@bp.post("/courses/<int:course_id>/members")
def add_members(course_id: int):
    b = body()
    ids: list[int] = []
    with lms().store.write() as s:
        _course_or_404(s, course_id)
        for kind, count in (b.get("generate") or {}).items():
            ids += add_generated_members(s, course_id, lti.KIND_ALIASES.get(kind, kind), int(count))
        for u in b.get("users", []):
            user = add_user(s, u.get("given_name", "Имя"), u.get("family_name", "Фамилия"),
                            u.get("email", ""), locale=u.get("locale", "ru"))
            s.add(Enrolment(course_id=course_id, user_id=user.id,
                            kind=lti.KIND_ALIASES.get(u.get("kind", "learner"), "learner")))
            ids.append(user.id)
    return jsonify({"user_ids": ids}), 201


@bp.post("/courses/<int:course_id>/members/remove")
def remove_members(course_id: int):
    ids = [int(i) for i in body().get("user_ids", [])]
    with lms().store.write() as s:
        n = s.execute(delete(Enrolment).where(Enrolment.course_id == course_id, Enrolment.user_id.in_(ids))).rowcount
    return jsonify({"removed": n})


@bp.post("/courses/<int:course_id>/roster")
def resize(course_id: int):
    """Make the course have exactly N members of each given kind (add invented ones or drop the newest)."""
    b, added, removed = body(), [], []
    with lms().store.write() as s:
        _course_or_404(s, course_id)
        for key, kind in (("learners", "learner"), ("instructors", "instructor"), ("methodists", "methodist")):
            if key not in b:
                continue
            want = int(b[key])
            have = s.scalars(select(Enrolment.user_id).where(Enrolment.course_id == course_id, Enrolment.kind == kind)
                             .order_by(Enrolment.user_id)).all()
            if want > len(have):
                added += add_generated_members(s, course_id, kind, want - len(have))
            elif want < len(have):
                drop = list(have[want:])
                s.execute(delete(Enrolment).where(Enrolment.course_id == course_id, Enrolment.user_id.in_(drop)))
                removed += drop
        s.flush()
        return jsonify({**course_json(s, _course_or_404(s, course_id)), "added": added, "removed": removed})


@bp.route("/tools", methods=["GET", "POST"])
def tools():
    with lms().store.write() as s:
        if request.method == "POST":
            try:
                tool, link = upsert_tool(s, body())
            except ValueError as exc:
                return jsonify({"error": str(exc)}), 400
            out = tool_json(tool)
            if link is not None:
                out["link_id"] = link.id
            return jsonify(out), 201
        return jsonify([tool_json(t) for t in s.scalars(select(Tool).order_by(Tool.id))])


@bp.post("/tools/<client_id>/activate")
def activate(client_id: str):
    with lms().store.write() as s:
        tool = s.scalar(select(Tool).where(Tool.client_id == client_id))
        if tool is None:
            abort(404)
        tool.status = "active"
        return jsonify(tool_json(tool))


@bp.post("/links")
def create_link():
    b = body()
    with lms().store.write() as s:
        tool = s.scalar(select(Tool).where(Tool.client_id == b.get("client_id", lms().config["CLIENT_ID"])))
        if tool is None:
            abort(404)
        link = ResourceLink(course_id=int(b.get("course_id", 1)), tool_id=tool.id, title=b.get("title", tool.name),
                            text=b.get("text", ""), url=b.get("url") or tool.target_link_uri,
                            custom=b.get("custom") or {}, document_target=b.get("document_target", "iframe"))
        s.add(link)
        s.flush()
        out: dict[str, Any] = {"link_id": link.id, "course_id": link.course_id, "title": link.title, "url": link.url}
        li = b.get("lineitem")
        if li:
            item = LineItem(course_id=link.course_id, tool_id=tool.id, label=li.get("label", link.title),
                            score_maximum=float(li.get("scoreMaximum", 100)), resource_id=li.get("resourceId", ""),
                            tag=li.get("tag", ""), resource_link_id=link.id)
            s.add(item)
            s.flush()
            out["lineitem_id"] = item.id
        return jsonify(out), 201


@bp.get("/lineitems")
def lineitems():
    q = select(LineItem, Tool.client_id).join(Tool, Tool.id == LineItem.tool_id).order_by(LineItem.id)
    if request.args.get("course_id"):
        q = q.where(LineItem.course_id == int(request.args["course_id"]))
    with lms().store.read() as s:
        return jsonify([{"id": li.id, "url": lms().url(f"/api/courses/{li.course_id}/lineitems/{li.id}"),
                         "course_id": li.course_id, "client_id": cid, "label": li.label,
                         "scoreMaximum": li.score_maximum, "resourceId": li.resource_id, "tag": li.tag,
                         "resource_link_id": li.resource_link_id} for li, cid in s.execute(q)])


@bp.get("/scores")
def scores():
    a = request.args
    q = select(Grade, LineItem.course_id).join(LineItem, LineItem.id == Grade.line_item_id)
    if a.get("course_id"):
        q = q.where(LineItem.course_id == int(a["course_id"]))
    if a.get("lineitem_id"):
        q = q.where(Grade.line_item_id == int(a["lineitem_id"]))
    if a.get("user_id"):
        q = q.where(Grade.user_id == int(a["user_id"]))
    with lms().store.read() as s:
        return jsonify([{"lineitem_id": g.line_item_id, "course_id": cid, "user_id": str(g.user_id),
                         "scoreGiven": g.score_given, "scoreMaximum": g.score_maximum, "comment": g.comment,
                         "activityProgress": g.activity_progress, "gradingProgress": g.grading_progress,
                         "timestamp": g.timestamp_raw, "post_count": g.post_count}
                        for g, cid in s.execute(q.order_by(Grade.line_item_id, Grade.user_id))])


@bp.errorhandler(400)
@bp.errorhandler(404)
def _json_errors(exc):
    """Control clients are tests: answer JSON, not Werkzeug's HTML pages."""
    return jsonify({"error": exc.name, "error_description": exc.description}), exc.code
