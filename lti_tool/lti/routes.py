"""HTTP views of the lti area: OIDC login, launch, JWKS, configuration, deep linking."""
from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from pylti1p3.exception import LtiException, OIDCException

from ..web.errors import render_error
from ..web.extensions import csrf, db
from . import flows
from .errors import LaunchRefused
from .tool_configuration import tool_configuration
from .tool_keys import public_jwks

log = logging.getLogger(__name__)

bp = Blueprint("lti", __name__, url_prefix="/lti", static_folder="static")


@bp.errorhandler(LaunchRefused)
def _refused(exc: LaunchRefused):
    log.info("LTI refused on %s: %s", request.path, exc.detail or exc.message)
    db.session.rollback()
    return render_error(exc.status, exc.message, _("The launch was refused"))


@bp.errorhandler(LtiException)
@bp.errorhandler(OIDCException)
def _lti_error(exc: Exception):
    log.info("LTI error on %s: %s", request.path, exc)
    db.session.rollback()
    return render_error(400, _("The LTI request is invalid: %(detail)s", detail=str(exc)), _("The launch was refused"))


@bp.route("/login", methods=["GET", "POST"])
@csrf.exempt
def login():
    """OIDC third-party login initiation (the platform's first request)."""
    return flows.login()


@bp.post("/launch")
@csrf.exempt
def launch():
    """The redirect URI: the platform form-posts the signed id_token here."""
    return flows.launch()


@bp.get("/launch")
def launch_address():
    """A person or a platform opening the redirect URI directly: a short page saying what it is.

    Moodle requests the tool URL with GET when an activity is saved (to see whether it is a
    cartridge); a 405 there reads like a broken tool.
    """
    return render_template("lti/launch_address.html")


@bp.get("/jwks")
def jwks():
    """The tool's public keys (active and still-published retired ones)."""
    keys = public_jwks(db.session)
    db.session.commit()  # the first call generates the key
    response = jsonify(keys)
    response.cache_control.max_age = 300
    return response


bp.record_once(lambda state: state.app.add_url_rule("/.well-known/jwks.json", "lti_well_known_jwks", jwks))


@bp.get("/config")
def config():
    """The tool configuration as JSON, for an administrator who registers the tool by hand."""
    return jsonify(tool_configuration(current_app.config["TOOL_BASE_URL"]))


@bp.get("/deep-link")
def deep_link_picker():
    """What an instructor can place in the course."""
    return flows.deep_link_picker()


@bp.post("/deep-link")
def deep_link_submit():
    """Return the chosen items to the platform as a signed deep-linking response."""
    return flows.deep_link_response(request.form.getlist("item"))
