"""One set of error pages: HTML in the user's language for people, JSON for machines."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException, InternalServerError

from ..core.ids import ForeignId
from .extensions import db

log = logging.getLogger(__name__)


def _messages() -> dict[int, tuple[str, str]]:
    """Title and explanation per status, translated at request time."""
    return {
        400: (_("Bad request"), _("The request could not be understood. Check the form and try again.")),
        401: (_("Please open the tool from your course"),
              _("Your session has ended or has not started. Open TutorNet again from the course in your LMS.")),
        403: (_("Access denied"), _("Your role does not allow this action.")),
        404: (_("Not found"), _("This page does not exist or belongs to another network.")),
        405: (_("Method not allowed"), _("This address does not accept this kind of request.")),
        409: (_("Conflict"), _("The data was changed by someone else. Reload the page and try again.")),
        413: (_("File too large"), _("The uploaded file is too large.")),
        422: (_("Invalid data"), _("The data you sent could not be processed.")),
        429: (_("Too many requests"), _("Please wait a little and try again.")),
        500: (_("Something went wrong"), _("An unexpected error occurred. The team has been notified.")),
        503: (_("Service unavailable"), _("A service the tool needs is unavailable. Try again later.")),
    }


def wants_json() -> bool:
    """Machines (API clients, fetch calls) get JSON; browsers get a page."""
    if request.path.startswith("/api/") or request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def render_error(status: int, detail: str | None = None, title: str | None = None):
    """Render the error page (or JSON) for `status` with an optional specific explanation."""
    messages = _messages()
    default_title, default_text = messages.get(status, messages[500] if status >= 500 else messages[400])
    title = title or default_title
    text = detail or default_text
    if wants_json():
        return jsonify(error=title, message=text, status=status), status
    return render_template("errors/error.html", status=status, title=title, text=text), status


def register_error_handlers(app: Flask) -> None:
    """Every 4xx/5xx goes through `render_error`; the session is rolled back on server errors."""

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        return render_error(400, _("The form has expired. Reload the page and submit it again."),
                            _("Form expired"))

    @app.errorhandler(ForeignId)
    def _foreign_id(exc: ForeignId):
        # An id from a form that is not a row of the actor's network: unknown, removed, malformed or
        # another network's look the same, so nothing about other networks leaks.
        db.session.rollback()
        return render_error(400, _("The form refers to an item that does not exist (it may have been removed). "
                                   "Reload the page and try again."))

    @app.errorhandler(DataError)
    def _data_refused(exc: DataError):
        # The database refused a value (text longer than its column, a number or date out of its
        # range) that no form check caught: the request's fault, so a 400 page, nothing written.
        db.session.rollback()
        log.warning("Database refused a value on %s %s: %s", request.method, request.path,
                    str(exc.orig).splitlines()[0] if exc.orig else exc)
        return render_error(400, _("A value in the form is too long or out of range. Shorten it and try again."))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        detail = exc.description if getattr(exc, "tutornet_detail", False) else None
        return render_error(exc.code or 500, detail)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        db.session.rollback()
        log.exception("Unhandled error on %s %s", request.method, request.path)
        return render_error(InternalServerError.code)


def user_error(status: int, message: str):
    """An HTTPException whose message is shown to the user as is (already translated)."""
    from werkzeug.exceptions import default_exceptions

    exc = default_exceptions[status](description=message)
    exc.tutornet_detail = True
    return exc
