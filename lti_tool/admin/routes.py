"""HTTP views of the admin area: the console under /admin and the registration page /lti/register."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..core.clock import utcnow
from ..core.notices import kept_outbox, outbox_counts
from ..lti import tool_keys
from ..lti.platforms import RegistrationError, set_platform_enabled
from ..core.courses import Course
from ..core.ids import db_id
from ..web.auth import ADMIN, METHODIST, check_network, require_actor, role_required
from ..web.extensions import db
from ..web.outbound import outbound
from . import console, invitations, services, verification
from .forms import ActionForm, InvitationForm, PlatformForm
from .messages import fetch_problem
from .register_views import register_finish, register_start

bp = Blueprint("admin", __name__, url_prefix="/admin", static_folder="static")
STAFF = (ADMIN, METHODIST)


@bp.record_once
def _registration_rules(state) -> None:
    # The registration URL lives under /lti (what admins paste into the LMS), outside our prefix.
    state.app.add_url_rule("/lti/register", "admin.register", register_start, methods=["GET"])
    state.app.add_url_rule("/lti/register", "admin.register_submit", register_finish, methods=["POST"])


@bp.get("/")
@role_required(*STAFF)
def index():
    """Platforms and deployments of the actor's network with sync figures, and the tool keys."""
    nid = require_actor().network_id
    return render_template("admin/index.html", platforms=console.overview(db.session, nid),
                           failed=console.count_failed(db.session, nid), keys=tool_keys.all_keys(db.session)[:10],
                           action=ActionForm())


@bp.route("/platforms/new", methods=["GET", "POST"])
@role_required(*STAFF)
def add_platform():
    """Add a platform by hand (the fields of lti_config.json), checking its key set first."""
    form = PlatformForm()
    if form.validate_on_submit():
        try:
            services.check_urls(outbound(), form.data)
            key_set = services.load_jwks(form.key_set_url.data, form.key_set.data, outbound())
            platform = services.add_platform(db.session, require_actor().network_id, form.data, key_set)
            db.session.commit()
        except services.EndpointRefused as exc:
            getattr(form, exc.field).errors.append(fetch_problem(exc.error))
        except services.InvalidKeySet as exc:
            db.session.rollback()
            form.key_set_url.errors.append(_("The keyset is not usable: %(detail)s", detail=str(exc)))
        except RegistrationError as exc:
            db.session.rollback()
            form.issuer.errors.append(exc.message)
        else:
            flash(_("Platform %(name)s added.", name=platform.name or platform.issuer), "success")
            return redirect(url_for("admin.index"))
    return render_template("admin/platform_form.html", form=form), 400 if form.errors else 200


@bp.post("/platforms/<int:platform_id>/<any(enable, disable):action>")
@role_required(*STAFF)
def set_enabled(platform_id: int, action: str):
    """Disable (launches refused, data kept) or enable a platform of the network."""
    _checked_post()
    platform = console.platform_in_network(db.session, require_actor().network_id, platform_id)
    if platform is None:
        abort(404)
    set_platform_enabled(db.session, platform.id, action == "enable")
    db.session.commit()
    flash(_("Platform enabled.") if action == "enable" else _("Platform disabled: its launches are refused."),
          "success")
    return redirect(url_for("admin.index"))


@bp.post("/keys/rotate")
@role_required(ADMIN)
def rotate_keys():
    """Rotate the tool's signing key; the old key stays published for a week (platforms cache it)."""
    _checked_post()
    tool_keys.rotate_keys(db.session)
    db.session.commit()
    flash(_("A new signing key is in use; the previous one stays published for 7 days."), "success")
    return redirect(url_for("admin.index"))


@bp.route("/invitations", methods=["GET", "POST"])
@role_required(*STAFF)
def invitations_page():
    """Invitation codes that let a platform registering itself join this network."""
    actor = require_actor()
    form = InvitationForm()
    if form.validate_on_submit():
        code = invitations.issue(db.session, actor.network_id, days=form.days.data, note=form.note.data,
                                 created_by_id=actor.user_id)
        db.session.commit()
        flash(_("Invitation code: %(code)s — give it to the LMS administrator; it is shown only once.",
                code=code), "success")
        return redirect(url_for("admin.invitations_page"))
    return render_template("admin/invitations.html", form=form, action=ActionForm(), now=utcnow(),
                           invitations=invitations.list_for(db.session, actor.network_id))


@bp.post("/invitations/<int:invitation_id>/revoke")
@role_required(*STAFF)
def revoke_invitation(invitation_id: int):
    """Revoke an unused invitation of the network."""
    _checked_post()
    if not invitations.revoke(db.session, require_actor().network_id, invitation_id):
        abort(404)
    db.session.commit()
    flash(_("Invitation revoked."), "success")
    return redirect(url_for("admin.invitations_page"))


@bp.get("/grades/failed")
@role_required(*STAFF)
def failed_grades():
    """Grade pushes the sync worker gave up on, with the platform's last error."""
    nid = require_actor().network_id
    return render_template("admin/failed_grades.html", pushes=console.failed_pushes(db.session, nid),
                           total=console.count_failed(db.session, nid), action=ActionForm())


@bp.post("/grades/failed/retry", defaults={"outbox_id": None})
@bp.post("/grades/failed/<int:outbox_id>/retry")
@role_required(*STAFF)
def retry_grades(outbox_id: int | None):
    """Queue one failed push (or all of the network's) for delivery now."""
    _checked_post()
    count = console.retry_pushes(db.session, require_actor().network_id, outbox_id)
    if outbox_id is not None and count == 0:
        abort(404)
    db.session.commit()
    flash(ngettext("%(num)d grade queued for delivery.", "%(num)d grades queued for delivery.", count), "success")
    return redirect(url_for("admin.failed_grades"))


@bp.get("/grades/verified")
@role_required(*STAFF)
def verified_grades():
    """Per course: when the worker last compared the LMS gradebook with TutorNet's grades, and what it found."""
    page = request.args.get("page", 1, type=db_id) or 1
    rows, total = verification.course_checks(db.session, require_actor().network_id, max(page, 1))
    return render_template("admin/verified_grades.html", rows=rows, total=total, page=max(page, 1),
                           per_page=verification.PER_PAGE, action=ActionForm())


@bp.post("/grades/verified/check", defaults={"course_id": None})
@bp.post("/grades/verified/<int:course_id>/check")
@role_required(*STAFF)
def check_grades(course_id: int | None):
    """Ask the worker to read the LMS gradebook now (one course, or every course of the network)."""
    _checked_post()
    if course_id is not None:
        check_network(db.session.get(Course, course_id))
    count = verification.request_check(db.session, require_actor().network_id, course_id)
    db.session.commit()
    flash(ngettext("The worker will read %(num)d grade column in the LMS within a minute.",
                   "The worker will read %(num)d grade columns in the LMS within a minute.", count), "success")
    return redirect(url_for("admin.verified_grades"))


@bp.get("/outbox")
@role_required(*STAFF)
def outbox():
    """Notification emails that have not left (kept without SMTP_URL, waiting, given up)."""
    nid = require_actor().network_id
    return render_template("admin/outbox.html", notices=kept_outbox(db.session, nid),
                           counts=outbox_counts(db.session, nid), status_labels=console.EMAIL_STATUS_LABELS)


def _checked_post() -> None:
    """400 unless the bare action form (its CSRF token) validates."""
    if not ActionForm().validate_on_submit():
        abort(400)
