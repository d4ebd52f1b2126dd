"""Methodists' views: create and edit events, status, sessions, leaders and assigned graders."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..core.ids import db_id
from ..web.extensions import db
from . import grading, services, signup
from .access import load_event, require_manager
from .blueprint import bp
from .forms import EventForm, MeetingForm
from .services import EventError
from .view_helpers import fail, reference_choices


@bp.route("/new", methods=["GET", "POST"])
def create():
    """A new draft event."""
    actor = require_manager()
    form = EventForm()
    form.set_choices(*reference_choices(actor.network_id))
    if form.validate_on_submit():
        try:
            event = services.create_event(db.session, actor.network_id, created_by_id=actor.user_id, **form.values())
        except EventError as exc:
            return fail(exc)
        db.session.commit()
        flash(_("Event created. Add its sessions and leading tutors, then publish it."), "success")
        return redirect(url_for("events.detail", event_id=event.id))
    return render_template("events/edit.html", form=form, event=None)


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
def edit(event_id: int):
    """Edit an event; a raised capacity promotes people from the waitlist."""
    actor = require_manager()
    event = load_event(event_id)
    form = EventForm(obj=event)
    form.set_choices(*reference_choices(actor.network_id, event))
    if request.method == "GET":
        form.topic_id.data, form.host_organization_id.data = event.topic_id or 0, event.host_organization_id or 0
        form.offering_id.data, form.cluster_id.data = event.offering_id or 0, event.cluster_id or 0
        form.show_technologies(event.technologies)
    if form.validate_on_submit():
        values = form.values()
        try:
            capacity = values.pop("capacity")
            rule = (event.min_sessions, event.min_score)
            services.update_event(db.session, event, **values)
            signup.change_capacity(db.session, event.id, capacity)
            if rule != (event.min_sessions, event.min_score):
                grading.reevaluate_event(db.session, event)
        except EventError as exc:
            return fail(exc, event_id)
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("events.detail", event_id=event.id))
    return render_template("events/edit.html", form=form, event=event)


@bp.post("/<int:event_id>/status")
def set_status(event_id: int):
    """Publish, cancel or mark the event held."""
    require_manager()
    event = load_event(event_id)
    try:
        services.set_status(db.session, event, request.form.get("status", ""))
    except EventError as exc:
        return fail(exc, event_id)
    db.session.commit()
    flash(_("Status changed."), "success")
    return redirect(url_for("events.detail", event_id=event_id))


@bp.post("/<int:event_id>/sessions")
def add_meeting(event_id: int):
    """Add a session (date, times, place or online link)."""
    require_manager()
    event = load_event(event_id)
    form = MeetingForm()
    if not form.validate_on_submit():
        flash(_("Check the session's date, times and link."), "error")
        return redirect(url_for("events.detail", event_id=event_id))
    try:
        services.add_meeting(db.session, event, **{k: v for k, v in form.data.items() if k != "csrf_token"})
    except EventError as exc:
        return fail(exc, event_id)
    db.session.commit()
    return redirect(url_for("events.detail", event_id=event_id) + "#sessions")


@bp.post("/<int:event_id>/leaders")
def add_leader(event_id: int):
    """Make a tutor a leader, or assign them to grade the event."""
    require_manager()
    event = load_event(event_id)
    try:
        services.set_leader(db.session, event, request.form.get("person_id", type=db_id) or 0,
                            request.form.get("kind", "lead"))
    except EventError as exc:
        return fail(exc, event_id)
    db.session.commit()
    return redirect(url_for("events.detail", event_id=event_id) + "#leaders")


@bp.post("/<int:event_id>/leaders/<int:person_id>/remove")
def remove_leader(event_id: int, person_id: int):
    """Take a tutor off the event."""
    require_manager()
    services.remove_leader(db.session, load_event(event_id), person_id)
    db.session.commit()
    return redirect(url_for("events.detail", event_id=event_id) + "#leaders")
