"""The landing page (what each role does next) and the language switch."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.exceptions import BadRequest

from ..web.auth import current_actor
from ..web.i18n import normalise_locale, remember_locale
from ..web.pages import safe_next_url

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    """The actor's start page; without a session, what TutorNet is and how to open it."""
    return render_template("home/index.html", actor=current_actor())


@bp.post("/locale")
def set_locale():
    """Switch the interface language for this session (ru or en)."""
    locale = normalise_locale(request.form.get("locale"))
    if locale is None:
        raise BadRequest()
    remember_locale(locale)
    return redirect(safe_next_url(request.form.get("next")) or url_for("home.index"))
