"""The methodist's planner: run it with settings, review the proposal, adjust, publish or discard."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import defer, selectinload
from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..core.ids import db_id
from ..core.reference import Topic
from ..resource_map.models import Offering
from ..resource_map.services import current_year
from ..web.extensions import db
from . import overview, publishing
from .access import load_run, require_methodist, year_or_404
from .blueprint import bp
from .forms import id_list, parse_settings
from .models import PlanRun
from .planning import PlanningError, run_planner
from .review import build_review
from .services import PathwayError
from .view_helpers import fail


@bp.get("/planner")
def planner():
    """Runs of the year, a page of its routes (searchable by name) and the form to run the planner."""
    actor = require_methodist()
    year = current_year(db.session, actor.network_id)
    runs = list(db.session.scalars(sa.select(PlanRun).where(PlanRun.network_id == actor.network_id)
                                   .options(defer(PlanRun.proposal))  # megabytes at region size, not shown
                                   .order_by(PlanRun.id.desc()).limit(20)))
    query, find = request.args.get("q", "").strip(), request.args.get("find", "").strip()
    routes = overview.route_page(db.session, actor.network_id, year.id, query,
                                 request.args.get("page", 1, type=db_id)) if year else None
    teachers = overview.find_teachers(db.session, actor.network_id, find)
    db.session.commit()
    return render_template("pathways/planner.html", year=year, runs=runs, routes=routes, teachers=teachers,
                           query=query, find=find, default_start=year.starts_on if year else None)


@bp.get("/planner/teachers")
def find_teachers():
    """JSON for search-as-you-type in the planner's teacher pickers: the first matches of `q`."""
    actor = require_methodist()
    found = overview.find_teachers(db.session, actor.network_id, request.args.get("q", ""))
    return jsonify({"candidates": [{"value": str(pid), "label": name} for pid, name in found]})


@bp.post("/planner/run")
def run():
    """Run the planner for every teacher, or for the chosen ones (their manual edits are kept)."""
    actor = require_methodist()
    year = year_or_404(actor.network_id)
    settings = parse_settings(request.form, default_start=year.starts_on)
    chosen = id_list(request.form.getlist("person_ids"))
    try:
        plan_run = run_planner(db.session, actor.network_id, year.id, settings,
                               person_ids=chosen or None, created_by_id=actor.user_id)
    except PlanningError as exc:
        db.session.rollback()
        flash(_("The planner cannot keep the manual steps: %(detail)s", detail=str(exc)), "error")
        return redirect(url_for("pathways.planner"))
    db.session.commit()
    return redirect(url_for("pathways.review", run_id=plan_run.id))


@bp.get("/planner/runs/<int:run_id>")
def review(run_id: int):
    """The proposal as a whole (coverage, seats, open needs and why) and per teacher."""
    plan_run = load_run(run_id)
    teacher, without = request.args.get("teacher", type=db_id), request.args.get("without") == "1"
    data = build_review(db.session, plan_run, page=request.args.get("page", 1, type=db_id), without_steps=without,
                        teacher=teacher)
    offerings = []
    if teacher is not None:
        offerings = list(db.session.scalars(sa.select(Offering).join(Topic, Topic.id == Offering.topic_id).where(
            Offering.network_id == plan_run.network_id, Offering.year_id == plan_run.year_id,
            Offering.retired_at.is_(None)).order_by(Topic.name, Offering.form, Offering.id)
            .options(selectinload(Offering.topic))))
    db.session.commit()
    return render_template("pathways/review.html", run=plan_run, data=data, teacher=teacher, offerings=offerings,
                           without=without)


@bp.post("/planner/runs/<int:run_id>/adjust")
def adjust(run_id: int):
    """Add or remove an offering in one teacher's proposed steps."""
    plan_run = load_run(run_id)
    teacher = request.form.get("teacher", type=db_id) or 0
    back = url_for("pathways.review", run_id=plan_run.id, teacher=teacher) + "#teacher"
    try:
        publishing.adjust(db.session, plan_run, teacher, add_offering=request.form.get("add", type=db_id),
                          remove_offering=request.form.get("remove", type=db_id))
    except PathwayError as exc:
        return fail(exc, back)
    db.session.commit()
    return redirect(back)


@bp.post("/planner/runs/<int:run_id>/publish")
def publish(run_id: int):
    """Publish every route of the proposal at once, or none."""
    actor = require_methodist()
    plan_run = load_run(run_id)
    try:
        routes = publishing.publish(db.session, plan_run, published_by_id=actor.user_id)
    except PathwayError as exc:
        return fail(exc, url_for("pathways.review", run_id=run_id))
    db.session.commit()
    flash(ngettext("%(num)d route published.", "%(num)d routes published.", len(routes)), "success")
    return redirect(url_for("pathways.planner"))


@bp.post("/planner/runs/<int:run_id>/discard")
def discard(run_id: int):
    """Set the proposal aside."""
    plan_run = load_run(run_id)
    try:
        publishing.discard(db.session, plan_run)
    except PathwayError as exc:
        return fail(exc, url_for("pathways.review", run_id=run_id))
    db.session.commit()
    return redirect(url_for("pathways.planner"))
