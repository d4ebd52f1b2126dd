"""The notification centre (list, mark read), each person's choices, and the network's switches."""
from __future__ import annotations

from datetime import time

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, get_translations
from flask_babel import gettext as _

from ..core.clock import utcnow
from ..core.ids import MAX_ID
from ..core.notices import Notice
from ..web.auth import ADMIN, METHODIST, current_actor, current_person, require_actor, role_required
from ..web.extensions import csrf, db
from ..web.pages import safe_next_url
from . import services
from .kinds import CHANNELS, KINDS
from .labels import CHANNEL_LABELS, KIND_LABELS
from .messages import describe
from .tokens import read_unsubscribe_token

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


class _Tr:
    """Flask-Babel's catalogue of this request, in the shape `messages.describe` takes."""

    def __init__(self, locale: str):
        self.locale, self._t = locale, get_translations()

    def gettext(self, message: str) -> str:
        return self._t.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._t.ngettext(singular, plural, n)


@bp.get("/")
@role_required()
def index():
    """The person's notifications, newest first, unread ones marked."""
    person = current_person()
    page = min(max(1, request.args.get("page", 1, type=int)), 100_000)
    total, items = services.centre(db.session, person.id, page)
    tr = _Tr(str(get_locale() or "ru"))
    db.session.commit()
    return render_template("notifications/index.html", notices=[(n, describe(n.kind, n.params or {}, tr)) for n in items],
                           total=total, page=page, pages=max(1, -(-total // services.PAGE_SIZE)))


@bp.post("/<int:notice_id>/read")
@role_required()
def read(notice_id: int):
    """Mark one notification read and open what it is about (or come back to the list)."""
    person = current_person()
    if not 1 <= notice_id <= MAX_ID:
        abort(404)
    services.mark_read(db.session, person.id, notice_id)
    db.session.commit()
    return redirect(safe_next_url(request.form.get("next")) or url_for(".index"))


@bp.post("/read-all")
@role_required()
def read_all():
    """Mark every notification of the person read."""
    count = services.mark_read(db.session, current_person().id)
    db.session.commit()
    flash(_("Marked as read: %(num)d.", num=count), "success")
    return redirect(url_for(".index"))


@bp.route("/preferences", methods=["GET", "POST"])
@role_required()
def preferences():
    """What the person wants to hear about, on which channel, and when email may arrive."""
    actor = require_actor()
    person = current_person(actor)
    profile = services.profile(db.session, actor.network_id, person.id)
    if request.method == "POST":
        chosen = {(k, c) for k in KINDS for c in CHANNELS if request.form.get(f"{k}:{c}")}
        services.set_preferences(db.session, person.id, chosen)
        profile.daily_digest = bool(request.form.get("daily_digest"))
        profile.email_off = not request.form.get("email_on")
        try:
            profile.quiet_from = _time(request.form.get("quiet_from"))
            profile.quiet_until = _time(request.form.get("quiet_until"))
        except ValueError:
            db.session.rollback()
            flash(_("Quiet hours must be times such as 21:00."), "error")
            return redirect(url_for(".preferences"))
        db.session.commit()
        flash(_("Your notification settings are saved."), "success")
        return redirect(url_for(".preferences"))
    prefs = services.preferences(db.session, person.id)
    db.session.commit()
    return render_template("notifications/preferences.html", prefs=prefs, profile=profile, kinds=KINDS,
                           channels=CHANNELS, kind_labels=KIND_LABELS, channel_labels=CHANNEL_LABELS)


@bp.route("/settings", methods=["GET", "POST"])
@role_required(METHODIST, ADMIN)
def settings():
    """Which kinds the network sends, and how many hours before an event its reminders go."""
    actor = require_actor()
    if request.method == "POST":
        try:
            hours = [int(h) for h in request.form.get("hours_before", "").replace(",", " ").split()]
            services.set_network_kinds(db.session, actor.network_id, {k for k in KINDS if request.form.get(k)}, hours)
        except (ValueError, services.NotificationError):
            db.session.rollback()
            flash(_("Reminder hours must be whole numbers from 1 to 336, separated by commas."), "error")
            return redirect(url_for(".settings"))
        db.session.commit()
        flash(_("The network's notification settings are saved."), "success")
        return redirect(url_for(".settings"))
    kinds = services.network_kinds(db.session, actor.network_id)
    return render_template("notifications/settings.html", kinds=kinds, kind_labels=KIND_LABELS, now=utcnow())


@bp.get("/open/<int:notice_id>")
def open_notice(notice_id: int):
    """An email's link: a signed-in person goes to what it is about; anyone else is told to open
    TutorNet from their course (nothing about the notification is shown without a session)."""
    actor = current_actor()
    notice = db.session.get(Notice, notice_id) if 1 <= notice_id <= MAX_ID else None
    if actor is not None and notice is not None and notice.network_id == actor.network_id:
        person = current_person(actor)
        if notice.person_id == person.id:
            services.mark_read(db.session, person.id, notice.id)
            db.session.commit()
            return redirect(safe_next_url(notice.link) or url_for(".index"))
    return render_template("notifications/open.html")


@bp.get("/unsubscribe/<token>")
def unsubscribe_page(token: str):
    """The page an unsubscribe link opens: what will stop, and the buttons (GET changes nothing:
    mail scanners open links)."""
    person, kind = _unsubscriber(token)
    return render_template("notifications/unsubscribe.html", token=token, kind=kind,
                           kind_label=KIND_LABELS.get(kind), done=False)


@bp.post("/unsubscribe/<token>")
@csrf.exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click"; the signed token is the proof
def unsubscribe(token: str):
    """Stop the emails the token names (or, with scope=all, every email) at once."""
    person, kind = _unsubscriber(token)
    if request.form.get("scope") == "all":
        kind = None
    services.unsubscribe(db.session, person.network_id, person.id, kind)
    db.session.commit()
    if request.form.get("List-Unsubscribe") == "One-Click":
        return "", 204
    return render_template("notifications/unsubscribe.html", token=token, kind=kind,
                           kind_label=KIND_LABELS.get(kind), done=True)


def _unsubscriber(token: str):
    """The person and kind of a signed token, or a 404 page."""
    from ..core.reference import Person

    found = read_unsubscribe_token(current_app.config["SECRET_KEY"], token) if len(token) < 512 else None
    person = db.session.get(Person, found[0]) if found and 1 <= found[0] <= MAX_ID else None
    if person is None or (found[1] is not None and found[1] not in KINDS):
        abort(404)
    return person, found[1]


def _time(value: str | None) -> time | None:
    """'21:00' → time; empty → None; anything else raises ValueError."""
    value = (value or "").strip()
    if not value:
        return None
    return time.fromisoformat(value)


def bell_count() -> int | None:
    """Unread items of the signed-in person, for the layout's bell (one statement); None outside a launch."""
    from ..core.notices import unread_count
    from ..web.auth import current_actor

    actor = current_actor()
    if actor is None:
        return None
    return unread_count(db.session, actor.network_id, actor.user_id)


def init_app(app) -> None:
    """The layout's bell: a template function, so pages that do not show it run no query."""
    app.add_template_global(bell_count, "notification_bell_count")
