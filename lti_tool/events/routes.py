"""HTTP views of the events area: the list, an event's page, sign-up and its management.

Grading, protocol and calendar views live in `views_*.py` beside this module; each registers on
`blueprint.bp`, and importing this module imports them all (what the app factory registers).
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..core.ids import db_id
from ..core.reference import Person, Topic
from ..resource_map.catalog import FORMS
from ..web.auth import current_person, require_actor
from ..core.member_roles import tutor_person_ids
from ..core.school_years import current_year
from ..web.extensions import db
from . import (calendar, candidates, leading, lms, services, signup, views_certificate, views_grading,  # noqa: F401
               views_manage, views_protocol)
from .access import can_manage, load_event, load_participant, may_grade, require_grader
from .blueprint import bp
from .forms import MeetingForm
from .models import Participant
from .services import EventError
from .view_helpers import fail


@bp.get("/")
def index():
    """Upcoming sessions by date, filterable by topic and form; the actor's own sign-ups."""
    actor = require_actor()
    topic_id = request.args.get("topic", type=db_id)
    form = request.args.get("form") if request.args.get("form") in FORMS else None
    rows = calendar.upcoming(db.session, actor.network_id, today=date.today(), topic_id=topic_id, form=form,
                             include_drafts=can_manage(actor))
    topics = db.session.scalars(sa.select(Topic).where(Topic.network_id == actor.network_id,
                                                       Topic.retired_at.is_(None)).order_by(Topic.name))
    mine = calendar.person_meetings(db.session, current_person(actor).id)
    db.session.commit()
    return render_template("events/index.html", rows=rows, topics=list(topics), forms=FORMS, topic_id=topic_id,
                           form=form, mine=mine, can_manage=can_manage(actor))


@bp.get("/<int:event_id>")
def detail(event_id: int):
    """The event: sessions, leaders, sign-up; the roster and LMS delivery for its tutors."""
    actor = require_actor()
    event = load_event(event_id)
    me = current_person(actor)
    mine = db.session.scalar(sa.select(Participant).where(Participant.event_id == event.id,
                                                          Participant.person_id == me.id))
    grader = may_grade(event, actor)
    roster = signup.roster(db.session, event.id) if grader else []
    find = (request.args.get("find") or "").strip()
    context = {
        "event": event, "mine": mine, "grader": grader, "manager": can_manage(actor), "roster": roster,
        "position": signup.waitlist_position(db.session, mine) if mine else None,
        "taken": signup.registered_count(db.session, event.id), "open": signup.signup_open(event),
        "leading": any(leader.person_id == me.id for leader in event.leaders),
        "delivery": lms.delivery_overview(db.session, event, roster) if grader else {},
        "find": find, "candidates": candidates.find(db.session, actor.network_id, find) if grader and find else [],
        "tutors": _tutors(actor.network_id) if can_manage(actor) else [],
        "meeting_form": MeetingForm(), "scale": services.get_scale(db.session, event.network_id, event.form),
        "over": services.is_over(event), "links": services.links(db.session, event),
    }
    db.session.commit()
    return render_template("events/detail.html", **context)


@bp.get("/mine")
def mine():
    """A tutor's own events: meetings to grade now, upcoming and held events (this school year)."""
    actor = require_actor()
    person = current_person(actor)
    year = current_year(db.session, actor.network_id)
    today = date.today()
    result = leading.my_events(db.session, actor.network_id, person.id, today, year.id if year else None)
    db.session.commit()
    return render_template("events/mine.html", result=result, today=today, year=year,
                           next_meeting=leading.next_meeting)


@bp.post("/<int:event_id>/signup")
def sign_up(event_id: int):
    """The actor signs up (or joins the waitlist)."""
    actor = require_actor()
    event = load_event(event_id)
    try:
        row = signup.sign_up(db.session, event.id, current_person(actor).id, added_by_id=actor.user_id)
    except EventError as exc:
        return fail(exc, event_id)
    db.session.commit()
    flash(_("You are registered.") if row.status == "registered" else _("The event is full: you are on the waitlist."),
          "success")
    return redirect(url_for("events.detail", event_id=event_id))


@bp.post("/<int:event_id>/cancel")
def cancel_own(event_id: int):
    """The actor cancels their own sign-up."""
    actor = require_actor()
    event = load_event(event_id)
    row = db.session.scalar(sa.select(Participant).where(Participant.event_id == event.id,
                                                         Participant.person_id == current_person(actor).id))
    if row is None:
        abort(404)
    try:
        signup.cancel(db.session, row.id, own=True)
    except EventError as exc:
        return fail(exc, event_id)
    db.session.commit()
    flash(_("Your sign-up is cancelled."), "success")
    return redirect(url_for("events.detail", event_id=event_id))


@bp.get("/<int:event_id>/candidates")
def find_candidates(event_id: int):
    """JSON for search-as-you-type: the first people whose name contains `q` (tutors and methodists)."""
    actor = require_grader(load_event(event_id))
    found = candidates.find(db.session, actor.network_id, request.args.get("q", ""))
    db.session.commit()  # a first look may create the actor's person
    return jsonify({"candidates": [{"value": c.value, "label": c.label} for c in found],
                    "min_length": candidates.MIN_LENGTH, "limit": candidates.LIMIT})


@bp.post("/<int:event_id>/participants")
def add_participant(event_id: int):
    """Tutors of the event and methodists add a person found in the network or the course roster."""
    actor = require_grader(event := load_event(event_id))
    value = request.form.get("candidate") or f"person:{request.form.get('person_id', '')}"
    person = candidates.resolve(db.session, actor.network_id, value)
    if person is None:
        abort(404)
    try:
        row = signup.sign_up(db.session, event.id, person.id, added_by_id=actor.user_id, by_staff=True)
    except EventError as exc:
        return fail(exc, event_id)
    db.session.commit()
    flash(_("%(name)s added (%(status)s).", name=person.full_name, status=status_name(row.status)), "success")
    return redirect(url_for("events.detail", event_id=event_id) + "#roster")


@bp.post("/<int:event_id>/participants/<int:participant_id>/cancel")
def cancel_participant(event_id: int, participant_id: int):
    """Tutors of the event and methodists cancel someone's sign-up (the waitlist moves up)."""
    require_grader(event := load_event(event_id))
    row = load_participant(event, participant_id)
    promoted = signup.cancel(db.session, row.id)
    db.session.commit()
    for p in promoted:
        flash(_("%(name)s moved up from the waitlist.", name=p.person.full_name), "info")
    return redirect(url_for("events.detail", event_id=event_id) + "#roster")


def status_name(status: str) -> str:
    """Translated participant status."""
    return {"registered": _("registered"), "waitlisted": _("waitlisted"), "cancelled": _("cancelled")}[status]


def _tutors(network_id: int) -> list[Person]:
    """Who can lead: tutors of the map and LMS Instructors, TAs and Mentors (core.member_roles)."""
    ids = tutor_person_ids(db.session, network_id)
    return list(db.session.scalars(sa.select(Person).where(Person.id.in_(ids)).order_by(Person.full_name))) if ids else []
