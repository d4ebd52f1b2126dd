"""The methodist's tutor pairing: ask for suggestions, review pairs with reasons and tutors' loads,
adjust, re-run keeping the changes, confirm (tutors are attached to the tutees' routes of the year)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..resource_map.services import current_year
from ..web.auth import check_network
from ..web.extensions import db
from . import tutoring
from .access import require_methodist, year_or_404
from .blueprint import bp
from .models import PairingRun
from .pairing_review import build_page
from .services import PathwayError
from .view_helpers import fail

SHOW = ("pairs", "young", "manual", "unmatched")


def _run(run_id: int) -> PairingRun:
    actor = require_methodist()
    return check_network(db.session.get(PairingRun, run_id), actor)


@bp.get("/tutors")
def tutors():
    """The latest proposal of the year (or the form to ask for one) and the earlier runs."""
    actor = require_methodist()
    year = current_year(db.session, actor.network_id)
    run_id = db.session.scalar(sa.select(PairingRun.id).where(
        PairingRun.network_id == actor.network_id, PairingRun.status == "proposed")
        .order_by(PairingRun.id.desc()).limit(1)) if year else None
    if run_id is not None:
        return redirect(url_for("pathways.pairing_run", run_id=run_id))
    runs = _recent_runs(actor.network_id)
    return render_template("pathways/tutors.html", year=year, run=None, data=None, runs=runs,
                           default_limit=tutoring.DEFAULT_LOAD_LIMIT)


def _recent_runs(network_id: int) -> list[PairingRun]:
    return list(db.session.scalars(sa.select(PairingRun).where(PairingRun.network_id == network_id)
                                   .order_by(PairingRun.id.desc()).limit(10)))


@bp.post("/tutors/run")
def pairing_new():
    """Ask for suggestions: pair every tutee of the year who has no tutor yet."""
    actor = require_methodist()
    year = year_or_404(actor.network_id)
    limit = request.form.get("default_limit", type=int)
    young = request.form.get("young_years", type=int)
    if limit is None or young is None:
        flash(_("Enter the load limit and the years of experience as whole numbers."), "error")
        return redirect(url_for("pathways.tutors"))
    try:
        run = tutoring.run_pairing(db.session, actor.network_id, year.id, default_limit=limit, young_years=young,
                                   created_by_id=actor.user_id)
    except PathwayError as exc:
        return fail(exc, url_for("pathways.tutors"))
    db.session.commit()
    return redirect(url_for("pathways.pairing_run", run_id=run.id))


@bp.get("/tutors/runs/<int:run_id>")
def pairing_run(run_id: int):
    """A proposal: figures, a page of pairs with reasons, tutors with their load."""
    run = _run(run_id)
    show = request.args.get("show", "pairs")
    if show not in SHOW:
        abort(404)
    data = build_page(db.session, run, show=show, page=request.args.get("page", 1, type=int),
                      tutor_page=request.args.get("tpage", 1, type=int))
    runs = _recent_runs(run.network_id)
    db.session.commit()
    return render_template("pathways/tutors.html", year=run.year, run=run, data=data, runs=runs, show=show,
                           page=request.args.get("page", 1, type=int), tpage=request.args.get("tpage", 1, type=int),
                           default_limit=run.settings.get("default_limit", tutoring.DEFAULT_LOAD_LIMIT))


@bp.post("/tutors/runs/<int:run_id>/adjust")
def pairing_adjust(run_id: int):
    """Remove a proposed pair, pair a tutee by hand, or change a tutor's load limit."""
    run = _run(run_id)
    back = request.form.get("back", "")
    target = url_for("pathways.pairing_run", run_id=run.id) + (back if back.startswith("?") else "")
    action, tutee, tutor = (request.form.get("action"), request.form.get("tutee", type=int),
                            request.form.get("tutor", type=int))
    try:
        if action == "remove" and tutee:
            tutoring.remove_pair(run, tutee)
        elif action == "set" and tutee and tutor:
            tutoring.set_pair(run, tutee, tutor)
        elif action == "limit" and tutor and request.form.get("limit", type=int) is not None:
            tutoring.set_limit(run, tutor, request.form.get("limit", type=int))
        else:
            raise PathwayError(_("The change could not be understood."))
    except PathwayError as exc:
        return fail(exc, target)
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(target)


@bp.post("/tutors/runs/<int:run_id>/rerun")
def pairing_rerun(run_id: int):
    """Pair again, keeping the pairs set by hand, the removed pairs and the changed limits."""
    actor = require_methodist()
    try:
        new = tutoring.rerun(db.session, _run(run_id), actor.user_id)
    except PathwayError as exc:
        return fail(exc, url_for("pathways.pairing_run", run_id=run_id))
    db.session.commit()
    return redirect(url_for("pathways.pairing_run", run_id=new.id))


@bp.post("/tutors/runs/<int:run_id>/confirm")
def pairing_confirm(run_id: int):
    """Attach the tutors to the tutees' routes of the year, all at once or none."""
    actor = require_methodist()
    try:
        count = tutoring.confirm(db.session, _run(run_id), actor.user_id)
    except PathwayError as exc:
        return fail(exc, url_for("pathways.pairing_run", run_id=run_id))
    db.session.commit()
    flash(ngettext("%(num)d tutor attached.", "%(num)d tutors attached.", count), "success")
    return redirect(url_for("pathways.pairing_run", run_id=run_id))


@bp.post("/tutors/runs/<int:run_id>/discard")
def pairing_discard(run_id: int):
    """Set the proposal aside."""
    try:
        tutoring.discard(db.session, _run(run_id))
    except PathwayError as exc:
        return fail(exc, url_for("pathways.pairing_run", run_id=run_id))
    db.session.commit()
    return redirect(url_for("pathways.tutors"))
