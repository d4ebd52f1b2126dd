"""HTTP views of the pathways area: the teacher's own route (ИПОМ) and their progress on it.

Route detail and editing, the planner, monitoring and portfolios live in `views_*.py` beside this
module; each registers on `blueprint.bp`, and importing this module imports them all (what the app
factory registers).
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..core.reference import Topic
from ..resource_map.services import current_year
from ..web.auth import current_person, owned_id, owned_id_list, require_actor
from ..web.extensions import db
from . import labels, services, views_consultations, views_mine, views_monitoring  # noqa: F401
from . import views_planner, views_route, views_tutors  # noqa: F401
from .access import is_methodist, load_route, load_step
from .blueprint import bp
from .forms import parse_date
from .services import PathwayError
from .view_helpers import addable, fail, step_events


@bp.get("/")
def my_route():
    """The actor's route of the current year as a timeline (and, for tutors, their teachers' routes)."""
    actor = require_actor()
    person = current_person(actor)
    year = current_year(db.session, actor.network_id)
    route = services.route_for(db.session, actor.network_id, person.id, year.id) if year else None
    if route is not None and route.status != "published" and not is_methodist(actor):
        route = None
    by_step, signed = step_events(route, person.id) if route else ({}, {})
    tutees = services.tutor_routes(db.session, actor.network_id, person.id, year.id) if year else []
    own_route = route is not None and route.person_id == person.id and route.status == "published"
    offerings, events = addable(route) if own_route else ([], [])
    db.session.commit()
    return render_template("pathways/my_route.html", route=route, year=year, person=person, tutees=tutees,
                           events_by_step=by_step, signed=signed, own=True, own_route=own_route,
                           offerings=offerings, events=events)


@bp.post("/steps/<int:step_id>/progress")
def progress(step_id: int):
    """The teacher records a step's status, evidence and reflection."""
    step, actor, person = load_step(step_id)
    if step.route.person_id != person.id:
        abort(403)
    try:
        services.update_progress(db.session, step, status=request.form.get("status", ""),
                                 evidence=request.form.get("evidence"), reflection=request.form.get("reflection"))
    except PathwayError as exc:
        return fail(exc, url_for("pathways.my_route"))
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("pathways.my_route") + f"#step-{step.id}")


@bp.post("/routes/<int:route_id>/self-education")
def add_self_education(route_id: int):
    """The teacher (or a methodist) adds a self-education task: reading, project, publication, talk …"""
    route, actor, person = load_route(route_id)
    if route.person_id != person.id and not is_methodist(actor):
        abort(403)
    back = request.form.get("back") == "detail"
    target = url_for("pathways.route_detail", route_id=route.id) if back else url_for("pathways.my_route")
    try:
        services.add_self_step(db.session, route, request.form.get("self_kind", ""), request.form.get("title", ""),
                               source="manual" if is_methodist(actor) and route.person_id != person.id else "self",
                               topic_id=owned_id(Topic, request.form.get("topic_id"), "topic_id", actor),
                               planned_start=parse_date(request.form.get("planned_start")),
                               planned_end=parse_date(request.form.get("planned_end")))
    except PathwayError as exc:
        return fail(exc, target)
    db.session.commit()
    flash(_("The task is added to the route."), "success")
    return redirect(target)


@bp.post("/routes/<int:route_id>/goals")
def goals(route_id: int):
    """The teacher (or a methodist) states the route's goals."""
    route, actor, person = load_route(route_id)
    if route.person_id != person.id and not is_methodist(actor):
        abort(403)
    topic_ids = owned_id_list(Topic, request.form.getlist("topic_ids"), "topic_ids", actor)
    services.set_goals(db.session, route, request.form.get("goals"), topic_ids)
    db.session.commit()
    flash(_("Saved."), "success")
    back = request.form.get("back") == "detail"
    return redirect(url_for("pathways.route_detail", route_id=route.id) if back else url_for("pathways.my_route"))
