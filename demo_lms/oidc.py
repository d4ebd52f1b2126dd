"""OIDC third-party login initiation, the authorization endpoint, and the platform JWKS.

Flow (as Moodle 4.5): ``GET /launch/<link>?as=<user>`` answers an auto-submitting form that POSTs
``iss, login_hint, target_link_uri, lti_message_hint, client_id, lti_deployment_id`` to the tool's
login URL; the tool redirects the browser to ``/auth``; ``/auth`` checks the request against the
registration and form-posts ``id_token`` + ``state`` to the redirect_uri.
"""
from __future__ import annotations

import json
import secrets
import time
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, jsonify, redirect, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from .claims import build_claims
from .core import LAUNCH_REQUEST_LIFETIME, error_page, lms
from .lti import KIND_ALIASES, is_instructor
from .models import Course, Enrolment, LaunchRequest, ResourceLink, Tool, User

bp = Blueprint("oidc", __name__)


def resolve_user(session: Session, course_id: int, who: str | None) -> User | None:
    """``who`` is a user id or a role alias (teacher, tutor, methodist, admin, ...)."""
    if not who:
        return None
    if who.isdigit():
        return session.get(User, int(who))
    if who in ("admin", "administrator"):
        return session.scalar(select(User).where(User.is_site_admin.is_(True)).order_by(User.id))
    kind = KIND_ALIASES.get(who)
    if kind is None:
        return None
    return session.scalar(select(User).join(Enrolment, Enrolment.user_id == User.id)
                          .where(Enrolment.course_id == course_id, Enrolment.kind == kind).order_by(User.id))


def start_login(session: Session, *, tool: Tool, user: User, course: Course, link: ResourceLink | None,
                message_type: str) -> tuple[str, dict[str, str]]:
    """Create the pending launch and return (tool login URL, login initiation parameters)."""
    state = lms()
    launch = LaunchRequest(id="ltilaunch_" + secrets.token_urlsafe(12), tool_id=tool.id, user_id=user.id,
                           course_id=course.id, link_id=link.id if link else None, message_type=message_type,
                           created=time.time(), dl_data=secrets.token_urlsafe(16) if link is None else None)
    session.add(launch)
    hint: dict[str, Any] = {"cmid": link.id} if link else {"courseid": course.id}
    hint["launchid"] = launch.id
    target = (link.url or tool.target_link_uri) if link else (tool.deep_link_url or tool.target_link_uri)
    params = {"iss": state.issuer, "target_link_uri": target, "login_hint": str(user.id),
              "lti_message_hint": json.dumps(hint), "client_id": tool.client_id,
              "lti_deployment_id": tool.deployment_id}
    return tool.login_url, params


@bp.get("/.well-known/jwks.json")
def jwks():
    return jsonify(lms().key.jwks())


@bp.get("/launch/<int:link_id>")
def launch(link_id: int):
    with lms().store.write() as s:
        link = s.get(ResourceLink, link_id)
        if link is None:
            return error_page(404, "Активность не найдена", f"Нет ссылки с id {link_id}.")
        user = resolve_user(s, link.course_id, request.args.get("as"))
        if user is None:
            return error_page(400, "Кто входит?", "Укажите пользователя: ?as=<id> или teacher/tutor/methodist/admin.")
        enrolled = s.scalar(select(Enrolment.id).where(Enrolment.course_id == link.course_id,
                                                        Enrolment.user_id == user.id))
        if enrolled is None and not user.is_site_admin:
            return error_page(403, "Нет доступа", "Пользователь не записан на этот курс.")
        tool = s.get(Tool, link.tool_id)
        if tool.status != "active":
            return error_page(400, "Инструмент не активирован",
                              "Инструмент ожидает активации администратором (Pending).")
        url, params = start_login(s, tool=tool, user=user, course=s.get(Course, link.course_id), link=link,
                                  message_type="LtiResourceLinkRequest")
    return render_template("autosubmit.html", action=url, fields=params, title="Переход к инструменту")


@bp.get("/deep_link/<int:course_id>")
def deep_link(course_id: int):
    """Start an LtiDeepLinkingRequest for ``?as=<instructor>`` and ``?tool=<client_id>``."""
    with lms().store.write() as s:
        course = s.get(Course, course_id)
        if course is None:
            return error_page(404, "Курс не найден", f"Нет курса с id {course_id}.")
        user = resolve_user(s, course_id, request.args.get("as") or "tutor")
        kind = s.scalar(select(Enrolment.kind).where(Enrolment.course_id == course_id,
                                                      Enrolment.user_id == (user.id if user else -1)))
        if user is None or not is_instructor(kind, user.is_site_admin):
            return error_page(403, "Нет прав", "Добавлять активности могут только тьюторы, методисты и администраторы.")
        client_id = request.args.get("tool")
        q = select(Tool).where(Tool.status == "active")
        tool = s.scalar(q.where(Tool.client_id == client_id) if client_id else q.order_by(Tool.id))
        if tool is None or not (tool.deep_link_url or tool.target_link_uri):
            return error_page(404, "Инструмент не найден", "Нет активного инструмента с поддержкой Deep Linking.")
        url, params = start_login(s, tool=tool, user=user, course=course, link=None,
                                  message_type="LtiDeepLinkingRequest")
    return render_template("autosubmit.html", action=url, fields=params, title="Выбор активности")


def _auth_error(redirect_uri: str, state: str | None, error: str, description: str):
    params = {"error": error, "error_description": description}
    if state:
        params["state"] = state
    sep = "&" if "?" in redirect_uri else "?"
    return redirect(redirect_uri + sep + urlencode(params), code=302)


@bp.route("/auth", methods=["GET", "POST"])
def auth():
    p = request.values
    state = lms()
    with state.store.write() as s:
        tool = s.scalar(select(Tool).where(Tool.client_id == p.get("client_id", "")))
        if tool is None or tool.status != "active":
            return error_page(400, "invalid_client", "Неизвестный или неактивный client_id.")
        redirect_uri = p.get("redirect_uri", "")
        if redirect_uri not in (tool.redirect_uris or []):
            # Never redirect to an unregistered URI: answer a page instead.
            return error_page(400, "invalid_request", f"redirect_uri {redirect_uri!r} не зарегистрирован.")
        st = p.get("state")
        checks = [
            (p.get("response_type") == "id_token", "unsupported_response_type", "response_type must be id_token"),
            ("openid" in p.get("scope", "").split(), "invalid_scope", "scope must be openid"),
            (p.get("response_mode") == "form_post", "invalid_request", "response_mode must be form_post"),
            (p.get("prompt") == "none", "invalid_request", "prompt must be none"),
            (bool(p.get("nonce")), "invalid_request", "nonce is required"),
        ]
        for ok, err, desc in checks:
            if not ok:
                return _auth_error(redirect_uri, st, err, desc)
        try:
            launch_id = json.loads(p.get("lti_message_hint", ""))["launchid"]
        except (ValueError, KeyError, TypeError):
            return _auth_error(redirect_uri, st, "invalid_request", "lti_message_hint is invalid")
        launch = s.get(LaunchRequest, str(launch_id))
        if launch is None or launch.tool_id != tool.id or launch.used:
            return _auth_error(redirect_uri, st, "invalid_request", "unknown or already used launch")
        if time.time() - launch.created > LAUNCH_REQUEST_LIFETIME:
            return _auth_error(redirect_uri, st, "invalid_request", "launch request expired")
        if p.get("login_hint") != str(launch.user_id):
            return _auth_error(redirect_uri, st, "login_required", "login_hint does not match the user")
        launch.used = True
        claims = build_claims(state, s, tool=tool, user=s.get(User, launch.user_id),
                              course=s.get(Course, launch.course_id),
                              link=s.get(ResourceLink, launch.link_id) if launch.link_id else None,
                              message_type=launch.message_type, nonce=p["nonce"], dl_data=launch.dl_data)
    fields = {"id_token": state.key.sign(claims)}
    if st is not None:
        fields["state"] = st
    return render_template("autosubmit.html", action=redirect_uri, fields=fields, title="Вход в инструмент")


@bp.get("/launch_return")
def launch_return():
    """launch_presentation.return_url: back to the course, showing lti_msg / lti_errormsg."""
    args = {k: v for k, v in request.args.items() if k in ("lti_msg", "lti_errormsg")}
    return redirect(f"/course/{request.args.get('course', '1')}" + ("?" + urlencode(args) if args else ""))
