"""The grading screen of one session, "mark all present", and the methodists' grading scales."""
from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..resource_map.catalog import FORMS
from ..web.extensions import db
from . import grading, lms, services, signup
from .access import load_meeting, require_grader, require_manager
from .blueprint import bp
from .grading import Mark
from .models import Attendance
from .services import EventError


@bp.get("/sessions/<int:session_id>/grading")
def grade(session_id: int):
    """One page per session: the roster with status, score and comment per person, and LMS delivery."""
    row = load_meeting(session_id)
    require_grader(row.event)
    roster = [p for p in signup.roster(db.session, row.event_id) if p.status == "registered"]
    marks = {a.participant_id: a for a in db.session.query(Attendance).filter_by(session_id=row.id)}
    return render_template("events/grading.html", s=row, event=row.event, roster=roster, marks=marks,
                           scale=services.get_scale(db.session, row.event.network_id, row.event.form),
                           delivery=lms.delivery_overview(db.session, row.event, roster),
                           placed=bool(lms.placed_links(db.session, row.event)), future=row.on_date > date.today())


@bp.post("/sessions/<int:session_id>/grading")
def save_grades(session_id: int):
    """Save the marks; each changed person gets one grade and one LMS score per placed course."""
    row = load_meeting(session_id)
    actor = require_grader(row.event)
    try:
        marks = [_mark(p.id) for p in row.event.participants
                 if p.status == "registered" and f"status-{p.id}" in request.form]
        changed = grading.grade_meeting(db.session, row, marks, graded_by_id=actor.user_id)
    except EventError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("events.grade", session_id=session_id))
    db.session.commit()
    flash(ngettext("%(num)d participant's grade saved.", "%(num)d participants' grades saved.", len(changed)),
          "success")
    return redirect(url_for("events.grade", session_id=session_id))


@bp.post("/sessions/<int:session_id>/send-to-lms")
def resend(session_id: int):
    """Queue every graded participant's score again (after the placement's first launch)."""
    row = load_meeting(session_id)
    require_grader(row.event)
    rows = grading.resend_event(db.session, row.event)
    db.session.commit()
    flash(ngettext("%(num)d grade queued for the LMS.", "%(num)d grades queued for the LMS.", rows), "success")
    return redirect(url_for("events.grade", session_id=session_id))


@bp.post("/sessions/<int:session_id>/mark-all-present")
def mark_all_present(session_id: int):
    """Mark every registered person present (scores and comments kept)."""
    row = load_meeting(session_id)
    actor = require_grader(row.event)
    try:
        changed = grading.mark_all_present(db.session, row, graded_by_id=actor.user_id)
    except EventError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("events.grade", session_id=session_id))
    db.session.commit()
    flash(ngettext("%(num)d participant marked present.", "%(num)d participants marked present.", len(changed)),
          "success")
    return redirect(url_for("events.grade", session_id=session_id))


def _mark(participant_id: int) -> Mark:
    """Read one person's row of the grading form."""
    raw = request.form.get(f"score-{participant_id}", "").strip().replace(",", ".")
    try:
        score = float(raw) if raw else None
    except ValueError:
        raise EventError(_("The score must be a number.")) from None
    return Mark(participant_id, request.form.get(f"status-{participant_id}", ""), score,
                request.form.get(f"comment-{participant_id}"))


@bp.route("/scales", methods=["GET", "POST"])
def scales():
    """Methodists configure the participation scale of each form."""
    actor = require_manager()
    if request.method == "POST":
        form = request.form.get("form", "")
        rubric = [{"score": s, "descriptor": d} for s, d in zip(request.form.getlist("rubric_score"),
                                                               request.form.getlist("rubric_descriptor"))]
        try:
            services.set_scale(db.session, actor.network_id, form, kind=request.form.get("kind", "points"),
                               max_points=request.form.get("max_points", type=float) or 0, rubric=rubric)
        except EventError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
            return redirect(url_for("events.scales"))
        db.session.commit()
        flash(_("Scale saved."), "success")
        return redirect(url_for("events.scales"))
    current = {code: services.get_scale(db.session, actor.network_id, code) for code in FORMS}
    return render_template("events/scales.html", forms=FORMS, current=current)
