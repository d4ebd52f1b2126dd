"""Course pages of the demo LMS (Russian UI): course, tool view in an iframe, gradebook, roster.

There is no login: the person acting is chosen with ``?as=`` (user id or teacher / tutor /
methodist / admin), which is what a newcomer needs to try every role in a minute.
"""
from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import func, select

from .core import error_page, lms
from .lti import ROLE_LABELS_RU, is_instructor
from .models import Course, Enrolment, Grade, LineItem, ResourceLink, Tool, User
from .oidc import resolve_user

bp = Blueprint("ui", __name__)
ROLE_BUTTONS = [("teacher", "педагог"), ("tutor", "тьютор"), ("methodist", "методист"), ("admin", "администратор")]
SELECT_LIMIT = 300  # the "any user" select stays usable with a 10,000-member roster


@bp.get("/")
def index():
    with lms().store.read() as s:
        courses = s.execute(select(Course, func.count(Enrolment.id)).outerjoin(Enrolment, Enrolment.course_id == Course.id)
                            .group_by(Course.id).order_by(Course.id)).all()
    return render_template("index.html", courses=courses, control=bool(lms().config.get("DEMO_LMS_CONTROL")))


def _members(s, course_id: int, limit: int | None = None):
    q = (select(User, Enrolment.kind).join(Enrolment, Enrolment.user_id == User.id)
         .where(Enrolment.course_id == course_id).order_by(User.id))
    return s.execute(q.limit(limit) if limit else q).all()


@bp.get("/course/<int:course_id>")
def course(course_id: int):
    with lms().store.read() as s:
        c = s.get(Course, course_id)
        if c is None:
            return error_page(404, "Курс не найден", f"Нет курса с id {course_id}.")
        links = s.execute(select(ResourceLink, Tool).join(Tool, Tool.id == ResourceLink.tool_id)
                          .where(ResourceLink.course_id == course_id).order_by(ResourceLink.id)).all()
        members = _members(s, course_id, SELECT_LIMIT)
        admins = s.scalars(select(User).where(User.is_site_admin.is_(True))).all()
        tools = s.scalars(select(Tool).where(Tool.status == "active", Tool.deep_link_url.is_not(None))).all()
    instructors = [(u, k) for u, k in members if is_instructor(k, False)] + [(u, None) for u in admins]
    return render_template("course.html", course=c, links=links, members=members, admins=admins,
                           instructors=instructors, tools=tools, buttons=ROLE_BUTTONS,
                           labels=ROLE_LABELS_RU, msg=request.args.get("lti_msg"),
                           errormsg=request.args.get("lti_errormsg"))


@bp.get("/course/<int:course_id>/view/<int:link_id>")
def view(course_id: int, link_id: int):
    """The tool inside an iframe of a course page, resized by lti.frameResize messages."""
    who = request.args.get("as", "teacher")
    with lms().store.read() as s:
        c, link = s.get(Course, course_id), s.get(ResourceLink, link_id)
        if c is None or link is None or link.course_id != course_id:
            return error_page(404, "Не найдено", "Нет такой активности в курсе.")
        user = resolve_user(s, course_id, who)
    if user is None:
        return error_page(400, "Кто входит?", "Нет такого пользователя.")
    return render_template("view.html", course=c, title=link.title, user=user,
                           src=f"/launch/{link.id}?as={user.id}")


@bp.get("/course/<int:course_id>/deep_link")
def deep_link_view(course_id: int):
    who, tool = request.args.get("as", "tutor"), request.args.get("tool", "")
    with lms().store.read() as s:
        c = s.get(Course, course_id)
        user = resolve_user(s, course_id, who) if c else None
    if c is None or user is None:
        return error_page(404, "Не найдено", "Нет такого курса или пользователя.")
    return render_template("view.html", course=c, title="Добавить активность (Deep Linking)", user=user,
                           src=f"/deep_link/{course_id}?as={user.id}" + (f"&tool={tool}" if tool else ""))


@bp.get("/course/<int:course_id>/grades")
def gradebook(course_id: int):
    with lms().store.read() as s:
        c = s.get(Course, course_id)
        if c is None:
            return error_page(404, "Курс не найден", "")
        items = s.scalars(select(LineItem).where(LineItem.course_id == course_id).order_by(LineItem.id)).all()
        grades = {(g.line_item_id, g.user_id): g for g in s.scalars(
            select(Grade).join(LineItem, LineItem.id == Grade.line_item_id).where(LineItem.course_id == course_id))}
        learners = [(u, k) for u, k in _members(s, course_id) if k in ("learner", "noneditingteacher")][:1000]
    return render_template("gradebook.html", course=c, items=items, grades=grades, learners=learners)


@bp.get("/course/<int:course_id>/roster")
def roster(course_id: int):
    with lms().store.read() as s:
        c = s.get(Course, course_id)
        if c is None:
            return error_page(404, "Курс не найден", "")
        members = _members(s, course_id)
    return render_template("roster.html", course=c, members=members, labels=ROLE_LABELS_RU)
