"""The LTI request flows behind the thin views: login initiation, launch, deep-linking response."""
from __future__ import annotations

import logging
import threading
from contextlib import contextmanager

from flask import current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from pylti1p3.deep_link import DeepLink
from pylti1p3.exception import LtiException
from sqlalchemy.exc import IntegrityError

from ..core.db import is_sqlite
from ..web.auth import require_actor, session_token, sign_in, store_actor
from ..web.extensions import db
from ..web.i18n import remember_locale
from . import dispatch
from .errors import LaunchRefused
from .launch import CLAIM, ToolMessageLaunch, ToolOIDCLogin, on_this_tool
from .provisioning import provision

log = logging.getLogger(__name__)

PROBE_COOKIE = "tutornet_cookie_probe"
NEW_WINDOW_PARAM = "lti1p3_new_window"
DEEP_LINK_SESSION_KEY = "lti_deep_link_launch"
LOGIN_PARAMS = ("iss", "login_hint", "target_link_uri", "lti_message_hint", "lti_deployment_id", "client_id")


def launch_url() -> str:
    """The redirect URI registered at every platform (also the target of deep-linked items)."""
    return current_app.config["TOOL_BASE_URL"] + "/lti/launch"


def login():
    """OIDC login initiation: a cookie check page first in a new browser, then the redirect."""
    params = request.values
    if not params.get("iss") or not params.get("login_hint"):
        raise LaunchRefused(400, _("The login request is incomplete (iss and login_hint are required)."))
    if params.get("target_link_uri") and not on_this_tool(params["target_link_uri"]):
        raise LaunchRefused(400, _("The launch targets an address that is not this tool (target_link_uri)."))
    oidc = ToolOIDCLogin.from_request()
    oidc.validate_oidc_login()  # refuse unknown or disabled platforms before showing any page
    if not params.get(NEW_WINDOW_PARAM) and PROBE_COOKIE not in request.cookies:
        return cookie_check_page({k: params[k] for k in LOGIN_PARAMS if params.get(k)})
    return oidc.redirect(launch_url())  # the state is a signed token: nothing to commit


def cookie_check_page(params: dict):
    """Sets a probe cookie; lti.js continues at once if the browser kept it, else offers a new window."""
    response = current_app.make_response(render_template("lti/cookie_check.html", params=params,
                                                         new_window_param=NEW_WINDOW_PARAM))
    secure = bool(current_app.config.get("SESSION_COOKIE_SECURE"))
    response.set_cookie(PROBE_COOKIE, "1", max_age=365 * 86400, path="/", secure=secure,
                        samesite=current_app.config.get("SESSION_COOKIE_SAMESITE"),
                        partitioned=secure and current_app.config.get("SESSION_COOKIE_PARTITIONED", False))
    return response


def launch():
    """Validate, provision, sign in, then open the placed resource or the deep-linking picker.

    One transaction and one commit: the provisioning rows and the state's single-use mark.
    """
    message = ToolMessageLaunch.from_request()
    message.validate(finish=False)
    claims = message.claims
    try:
        result, token = _provision_and_commit(message)
    except IntegrityError:
        # Two first launches of the same user/course at once: the other one created the rows.
        # The rollback undid the state's use too: use it again (refused if a replay took it meanwhile).
        db.session.rollback()
        result, token = _provision_and_commit(message)
    sign_in(result.actor, token)
    remember_locale((claims.get(CLAIM + "launch_presentation") or {}).get("locale"))
    if message.is_deep_link_launch():
        session[DEEP_LINK_SESSION_KEY] = message.get_launch_id()
        return redirect(url_for("lti.deep_link_picker"), code=303)
    return redirect(dispatch.target_url(result.actor, result.target_kind, result.target_id), code=303)


def _provision_and_commit(message: ToolMessageLaunch):
    """Provision, mark the state used, commit; a learner's deep-linking request is refused and rolled back."""
    with _sqlite_writers():
        return _provision_and_commit_locked(message)


@contextmanager
def _sqlite_writers(timeout: float = 2.0):
    """On SQLite, let one launch of this process write at a time.

    SQLite has one writer; a blocked writer polls with growing sleeps (up to 100 ms), which
    under 50 concurrent launches turns into long tails. Waiting on a process lock wakes the next
    launch as soon as the previous one commits. Only an optimisation: after `timeout` the launch
    goes ahead and SQLite's busy timeout decides (no deadlock with a transaction that already writes).
    """
    if not is_sqlite(db.session):
        yield
        return
    lock = current_app.extensions.setdefault("tutornet_lti", {}).setdefault("sqlite_writer", threading.Lock())
    acquired = lock.acquire(timeout=timeout)
    try:
        yield
    finally:
        if acquired:
            lock.release()


def _provision_and_commit_locked(message: ToolMessageLaunch):
    # PostgreSQL: the state's single-use mark rides in provisioning's first SELECT (a CTE).
    mark = message.state_mark()
    result = provision(db.session, message.registration.platform, message.deployment.row, message.claims, mark)
    if message.is_deep_link_launch() and not dispatch.can_deep_link(result.actor):
        db.session.rollback()
        raise LaunchRefused(403, _("Only tutors and methodists can place TutorNet materials in a course."))
    # The server-side session rides in the launch's transaction: one commit for everything.
    token = store_actor(result.actor, launch_roles=result.launch_roles, platform_id=result.platform_id,
                        deployment_id=result.deployment_id, replaces=session_token(), commit=False)
    message.finish(state_marked=mark is not None)  # SQLite: the last statements, the write lock held briefly
    db.session.commit()
    return result, token


def deep_link_picker():
    """The picker of a deep-linking launch of this session."""
    actor = require_actor()
    if not session.get(DEEP_LINK_SESSION_KEY) or not dispatch.can_deep_link(actor):
        raise LaunchRefused(403, _("Open the deep-linking selection again from your course."))
    settings = _restore().claims.get("https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings") or {}
    return render_template("lti/deep_link.html", choices=dispatch.choices(db.session, actor.network_id),
                           multiple=str(settings.get("accept_multiple", "true")).lower() != "false",
                           settings=settings)


def deep_link_response(values: list[str]):
    """Sign the chosen items into an LtiDeepLinkingResponse and auto-post it to the platform."""
    actor = require_actor()
    message = _restore()
    available = {c.value: c for c in dispatch.choices(db.session, actor.network_id)}
    picked = [available[v] for v in values if v in available]
    if not picked:
        raise LaunchRefused(400, _("Choose at least one item to place."))
    resources = [dispatch.content_item(c, launch_url()) for c in picked]
    deep_link: DeepLink = message.get_deep_link()
    token = deep_link.get_response_jwt(resources)
    db.session.commit()  # a tool key generated on first use must be kept
    session.pop(DEEP_LINK_SESSION_KEY, None)
    settings = message.claims["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"]
    return render_template("lti/deep_link_return.html", return_url=settings["deep_link_return_url"], jwt=token)


def _restore() -> ToolMessageLaunch:
    launch_id = session.get(DEEP_LINK_SESSION_KEY)
    try:
        if not launch_id:
            raise LtiException("no deep-linking launch in this session")
        return ToolMessageLaunch.restore(launch_id)
    except LtiException as exc:
        raise LaunchRefused(400, _("This deep-linking selection has expired. Open it again from your course."),
                            str(exc)) from exc
