"""`/lti/register`: the page an LMS opens for dynamic registration (no LTI session).

The registration flow itself is the protection: the page only acts with a registration token
the platform issued, on a configuration fetched through the guard, and a new platform gets a
network of its own unless an invitation code of an existing network is given. The state between
the confirmation page and its POST travels in a signed form field (any process can finish it).
"""
from __future__ import annotations

from flask import current_app, render_template, request, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from ..core.outbound import OutboundError
from ..lti.platforms import RegistrationError
from ..web.outbound import outbound
from ..web.pages import allow_frame_origin
from ..web.extensions import db
from . import dynreg, services
from .forms import ConfirmRegistrationForm
from .messages import config_problem, fetch_problem

STATE_MAX_AGE = 3600  # the platform's registration token is valid for an hour


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="tutornet-dynamic-registration")


def _refused(message: str, status: int = 400):
    return render_template("admin/register_error.html", message=message), status


def _scopes_and_registration(config: dynreg.PlatformConfiguration) -> tuple[list[str], dict]:
    scopes = dynreg.requested_scopes(config)
    base = current_app.config["TOOL_BASE_URL"]
    logo = base + url_for("admin.static", filename="logo.svg")
    return scopes, dynreg.tool_registration(base, logo, scopes)


def register_start():
    """GET: fetch and check the platform's configuration, then ask the admin to confirm."""
    url = (request.args.get("openid_configuration") or "").strip()
    token = (request.args.get("registration_token") or "").strip()
    allow_frame_origin(url)  # the LMS opens this page in its frame before it is registered
    if not url:
        return _refused(_("Open this address from your LMS: it needs the openid_configuration parameter."))
    try:
        config = dynreg.load_platform_configuration(url, outbound())
    except OutboundError as exc:
        return _refused(fetch_problem(exc), 502 if exc.transient or exc.reason == "http_error" else 400)
    except dynreg.InvalidConfiguration as exc:
        return _refused(config_problem(exc))
    form = ConfirmRegistrationForm(state=_serializer().dumps({"cfg": config.to_dict(), "token": token}),
                                   network_name=config.display_name)
    return _confirm_page(form, config)


def _confirm_page(form: ConfirmRegistrationForm, config: dynreg.PlatformConfiguration, status: int = 200):
    scopes, _registration = _scopes_and_registration(config)
    return render_template("admin/register_confirm.html", form=form, config=config, scopes=scopes,
                           tool_base_url=current_app.config["TOOL_BASE_URL"]), status


def register_finish():
    """POST: send the tool's registration with the token, store platform and deployment at once."""
    form = ConfirmRegistrationForm()
    try:
        state = _serializer().loads(form.state.data or "", max_age=STATE_MAX_AGE)
        config = dynreg.PlatformConfiguration.from_dict(state["cfg"])
        allow_frame_origin(config.issuer)
    except (BadSignature, KeyError, TypeError):
        return _refused(_("The registration has expired or was altered. Start it again from the LMS."))
    if not form.validate_on_submit():
        return _confirm_page(form, config, 400)
    settings = current_app.config
    choice = services.NetworkChoice(form.network_mode.data, form.network_name.data or "",
                                    form.invitation_code.data or "",
                                    new_per_hour=settings.get("REGISTRATION_NEW_NETWORKS_PER_HOUR"),
                                    hold_new=bool(settings.get("REGISTRATION_REQUIRES_APPROVAL")))
    try:
        saved, result = _register(config, state.get("token", ""), choice)
    except services.JoinRefused:
        return _refused(_("The invitation code is not valid: it is unknown, used, revoked or expired. "
                          "Nothing was registered. Ask the network's administrator for a new code."), 403)
    except services.TooManyNetworks:
        return _refused(_("Too many new networks were registered in the last hour. Nothing was registered: "
                          "try again later, or join an existing network with its invitation code."), 429)
    except services.ApprovalNeeded:
        return _refused(_("This LMS registration is already in use, and this one would change its keys or "
                          "addresses. Nothing was changed. Ask the administrator of its TutorNet network for "
                          "an invitation code and register again with it."), 409)
    except OutboundError as exc:
        return _refused(fetch_problem(exc, registering=True), 502)
    except dynreg.InvalidConfiguration as exc:
        return _refused(config_problem(exc), 502)
    except (RegistrationError, IntegrityError) as exc:
        detail = exc.message if isinstance(exc, RegistrationError) else _("it conflicts with another registration")
        return _refused(_("The registration could not be stored: %(detail)s", detail=detail), 409)
    return render_template("admin/register_done.html", saved=saved, config=config, result=result)


def _register(config: dynreg.PlatformConfiguration, token: str, choice: services.NetworkChoice):
    """Check the network choice, POST to the platform, store everything in one transaction."""
    try:
        services.check_choice(db.session, choice)
        _scopes, registration = _scopes_and_registration(config)
        result = dynreg.send_registration(config, token, registration, outbound())
        saved = services.save_registration(db.session, config, result, choice)
        db.session.commit()
    except Exception:
        db.session.rollback()  # nothing half-stored, whatever failed
        raise
    return saved, result
