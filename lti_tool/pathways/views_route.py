"""A route's page for methodists and attached tutors: steps, comments, and editing by methodists."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..core.ids import db_id
from ..core.member_roles import tutor_person_ids
from ..core.reference import Person, Topic
from ..web.extensions import db
from . import services
from .access import is_methodist, load_route, load_step, require_methodist, year_or_404
from .blueprint import bp
from .models import Route
from .services import PathwayError
from .view_helpers import addable, fail, step_events


def _detail(route_id: int) -> str:
    return url_for("pathways.route_detail", route_id=route_id)


@bp.get("/routes/<int:route_id>")
def route_detail(route_id: int):
    """The route with comments; methodists also get the editing forms."""
    route, actor, person = load_route(route_id)
    editing = is_methodist(actor)
    by_step, signed = step_events(route, route.person_id)
    topics = list(db.session.scalars(sa.select(Topic).where(Topic.network_id == route.network_id,
                                                            Topic.retired_at.is_(None)).order_by(Topic.name)))
    offerings, events = addable(route) if editing else ([], [])
    context = {
        "route": route, "editing": editing, "events_by_step": by_step, "signed": signed, "topics": topics,
        "offerings": offerings, "events": events,
        "tutors": list(db.session.scalars(sa.select(Person).where(
            Person.id.in_(tutor_person_ids(db.session, route.network_id))).order_by(Person.full_name)))
        if editing else [],
        "own": route.person_id == person.id,
    }
    db.session.commit()
    return render_template("pathways/route.html", **context)


@bp.post("/routes/new")
def new_route():
    """A methodist opens (or creates) a teacher's route of the current year by hand."""
    actor = require_methodist()
    year = year_or_404(actor.network_id)
    try:
        route = services.route_for(db.session, actor.network_id, request.form.get("person_id", type=db_id) or 0,
                                   year.id, create=True, created_by_id=actor.user_id)
    except PathwayError as exc:
        return fail(exc, url_for("pathways.planner"))
    db.session.commit()
    return redirect(_detail(route.id))


@bp.post("/routes/<int:route_id>/steps")
def add_step(route_id: int):
    """A methodist (source ``manual``) or the teacher on her own published route (``self``) adds an
    offering or an event to the route; re-planning keeps both."""
    route, actor, person = load_route(route_id)
    own = route.person_id == person.id and route.status == "published"
    if not (is_methodist(actor) or own):
        abort(403)
    source = "manual" if is_methodist(actor) else "self"
    back = url_for("pathways.my_route") if request.form.get("back") == "mine" and own else _detail(route.id)
    try:
        if request.form.get("offering_id", type=db_id):
            services.add_offering_step(db.session, route, request.form.get("offering_id", type=db_id), source=source)
        elif request.form.get("event_id", type=db_id):
            services.add_event_step(db.session, route, request.form.get("event_id", type=db_id), source=source)
        else:
            raise PathwayError(_("Choose an offering or an event."))
    except PathwayError as exc:
        return fail(exc, back)
    db.session.commit()
    flash(_("The step is added."), "success")
    return redirect(back)


@bp.post("/steps/<int:step_id>/cancel")
def cancel_step(step_id: int):
    """A methodist cancels a step (re-planning will not bring it back)."""
    step, actor, _person = load_step(step_id)
    if not is_methodist(actor):
        abort(403)
    services.cancel_step(db.session, step)
    db.session.commit()
    flash(_("The step is cancelled."), "success")
    return redirect(_detail(step.route_id))


@bp.post("/steps/<int:step_id>/comments")
def comment(step_id: int):
    """Attached tutors, methodists and the teacher comment on a step."""
    step, actor, person = load_step(step_id)
    back = _detail(step.route_id) if request.form.get("back") != "mine" else url_for("pathways.my_route")
    try:
        services.add_comment(db.session, step, person.id, request.form.get("text", ""))
    except PathwayError as exc:
        return fail(exc, back)
    db.session.commit()
    return redirect(back + f"#step-{step.id}")


@bp.post("/routes/<int:route_id>/tutors")
def attach_tutor(route_id: int):
    """A methodist attaches a tutor to the teacher's route."""
    route, actor, _person = load_route(route_id)
    if not is_methodist(actor):
        abort(403)
    try:
        services.attach_tutor(db.session, route, request.form.get("tutor_id", type=db_id) or 0)
    except PathwayError as exc:
        return fail(exc, _detail(route.id))
    db.session.commit()
    return redirect(_detail(route.id))


@bp.post("/routes/<int:route_id>/tutors/<int:tutor_id>/remove")
def detach_tutor(route_id: int, tutor_id: int):
    """A methodist detaches a tutor."""
    route, actor, _person = load_route(route_id)
    if not is_methodist(actor):
        abort(403)
    services.detach_tutor(db.session, route, tutor_id)
    db.session.commit()
    return redirect(_detail(route.id))


@bp.post("/routes/<int:route_id>/publish")
def publish_route(route_id: int):
    """A methodist publishes one route edited by hand."""
    route, actor, _person = load_route(route_id)
    if not is_methodist(actor):
        abort(403)
    try:
        services.publish_route(db.session, route)
    except PathwayError as exc:
        return fail(exc, _detail(route.id))
    db.session.commit()
    flash(_("The route is published."), "success")
    return redirect(_detail(route.id))


__all__ = ["Route"]
