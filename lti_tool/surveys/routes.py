"""HTTP views of the surveys area: the list and answering (teachers, tutors).

The builder views live in `views_build.py`, the report and dynamics in `views_report.py`; each
registers on `blueprint.bp`, and importing this module imports them all (what the app factory
registers).
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..web.auth import (
    TUTOR,
    current_person,
    require_actor,
    role_required,
)
from ..web.errors import user_error
from ..web.extensions import db
from . import answering, audience, personal, services, views_build, views_offers, views_report  # noqa: F401
from .blueprint import bp
from .forms import error_message
from .models import Survey
from .view_helpers import ANSWERING, STAFF, load_survey


@bp.get("/")
@role_required(*ANSWERING, *STAFF)
def index():
    """Teachers: surveys to answer and their submitted ones; staff: every survey with counts."""
    actor = require_actor()
    staff = services.surveys_for_staff(db.session, actor.network_id) if actor.is_staff else None
    mine = None
    if actor.has(*ANSWERING):
        person = current_person()
        mine = services.surveys_for_person(db.session, actor.network_id, person.id, actor.roles)
        db.session.commit()  # ensure_person may have created the person
    return render_template("surveys/index.html", staff=staff, mine=mine)


@bp.route("/<int:survey_id>", methods=["GET", "POST"])
@role_required(*ANSWERING, *STAFF)
def take(survey_id: int):
    """Answer a survey: every POST saves the draft server-side; "submit" validates and records."""
    survey = load_survey(survey_id)
    actor = require_actor()
    if not actor.has(*ANSWERING):
        return redirect(url_for(".preview", survey_id=survey.id))
    person = current_person()
    if not audience.includes(db.session, survey, person.id, actor.roles):
        db.session.commit()  # current_person may have created the person
        if actor.is_staff:
            return redirect(url_for(".preview", survey_id=survey.id))
        raise user_error(403, _("This survey asks other people (see who it is for in its description). "
                                "Your surveys are listed under “Surveys”."))
    errors: dict = {}
    if request.method == "POST":
        values = answering.form_values(request.form)
        try:
            if request.form.get("action") == "submit":
                topic_ids = [t.id for t in services.active_topics(db.session, survey.network_id)]
                answering.submit(db.session, survey, person, values, topic_ids,
                                 "tutor" if actor.has(TUTOR) else "teacher", actor.roles)
                db.session.commit()
                return redirect(url_for(".done", survey_id=survey.id))
            answering.save_draft(db.session, survey, person.id, values)
            db.session.commit()
            flash(_("Draft saved. You can come back and finish later."), "success")
            return redirect(url_for(".take", survey_id=survey.id))
        except answering.ValidationFailed as exc:
            db.session.commit()  # keep the draft saved by submit()
            errors = {qid: error_message(code, params) for qid, (code, params) in exc.errors.items()}
        except services.SurveyError as exc:
            db.session.rollback()
            flash(error_message(exc.code, exc.params), "error")
            return redirect(url_for(".take", survey_id=survey.id))
    else:
        values = answering.load_values(db.session, survey, person.id)
        db.session.commit()
    return _render_form(survey, values, errors, person_id=person.id)


def _render_form(survey: Survey, values: dict, errors: dict, person_id: int | None, preview: bool = False):
    submitted = person_id is not None and services.has_submitted(db.session, survey, person_id)
    return render_template("surveys/take.html", survey=survey, values=values, errors=errors, preview=preview,
                           questions=answering.ordered_questions(survey), submitted=submitted,
                           accepting=services.is_accepting(survey),
                           topics=services.active_topics(db.session, survey.network_id)), (422 if errors else 200)


@bp.get("/<int:survey_id>/preview")
@role_required(*STAFF)
def preview(survey_id: int):
    """The survey as a teacher sees it, without saving anything."""
    return _render_form(load_survey(survey_id), {}, {}, person_id=None, preview=True)


@bp.get("/<int:survey_id>/done")
@role_required(*ANSWERING)
def done(survey_id: int):
    """The confirmation after submitting."""
    survey = load_survey(survey_id)
    return render_template("surveys/done.html", survey=survey, can_edit=survey.allow_edit_until_close
                           and services.is_accepting(survey))


@bp.get("/<int:survey_id>/mine")
@role_required(*ANSWERING)
def mine(survey_id: int):
    """Her own answers to a survey, read-only (an anonymous survey says why it cannot show them)."""
    survey = load_survey(survey_id)
    person = current_person()
    answers = personal.my_answers(db.session, survey, person.id)
    submitted = services.has_submitted(db.session, survey, person.id)
    db.session.commit()  # current_person may have created the person
    return render_template("surveys/mine.html", survey=survey, answers=answers, submitted=submitted)
