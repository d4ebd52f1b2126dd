"""Builder views (methodists, administrators): create, edit, reorder, version, open and close."""
from __future__ import annotations

from dataclasses import replace

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..core.reference import AcademicYear, Topic
from ..web.auth import owned_id, require_actor, role_required
from ..web.extensions import db
from . import audience, builder, services, templates_ru
from .blueprint import bp
from .forms import AUDIENCE_ROLES, error_message, parse_audience, parse_question, parse_settings
from .models import QUESTION_TYPES
from .view_helpers import STAFF, load_survey

ITEM_ACTIONS = {"up": lambda s, k, i: builder.move(db.session, s, k, i, -1),
                "down": lambda s, k, i: builder.move(db.session, s, k, i, +1),
                "duplicate": lambda s, k, i: builder.duplicate(db.session, s, k, i),
                "delete": lambda s, k, i: builder.delete(db.session, s, k, i)}


def _apply(survey, change):
    """Run a builder change, commit, and go back to the builder of the survey it changed."""
    try:
        changed = change()
    except services.SurveyError as exc:
        db.session.rollback()
        flash(error_message(exc.code, exc.params), "error")
        return redirect(url_for(".build", survey_id=survey.id))
    db.session.commit()
    if changed.id != survey.id:
        flash(_("The survey already has responses, so this change was made in a new version (%(version)d).",
                version=changed.version), "warning")
    return redirect(url_for(".build", survey_id=changed.id, _anchor=request.form.get("anchor") or None))


def _question(form):
    """The builder's question form, its topic checked against the actor's network."""
    return replace(parse_question(form), topic_id=owned_id(Topic, form.get("topic_id"), "topic_id"))


@bp.post("/new")
@role_required(*STAFF)
def create():
    """A blank survey, or one from a ready Russian template."""
    actor = require_actor()
    template = templates_ru.TEMPLATES.get(request.form.get("template", ""))
    year_id = db.session.scalar(sa.select(AcademicYear.id).where(AcademicYear.network_id == actor.network_id,
                                                                 AcademicYear.is_current.is_(True)))
    if template:
        survey = template(db.session, actor.network_id, year_id)
    else:
        survey = services.create_survey(db.session, actor.network_id, request.form.get("title") or _("New survey"),
                                        "other", year_id=year_id)
    db.session.commit()
    return redirect(url_for(".build", survey_id=survey.id))


@bp.get("/<int:survey_id>/build")
@role_required(*STAFF)
def build(survey_id: int):
    """The builder page: settings, sections and questions with their actions."""
    survey = load_survey(survey_id)
    years = db.session.scalars(sa.select(AcademicYear).where(AcademicYear.network_id == survey.network_id)
                               .order_by(AcademicYear.starts_on.desc())).all()
    return render_template("surveys/build.html", survey=survey, types=QUESTION_TYPES, years=years,
                           responses=services.response_count(db.session, survey.id),
                           topics=services.active_topics(db.session, survey.network_id),
                           audience_roles=AUDIENCE_ROLES, places=audience.place_choices(db.session, survey.network_id))


@bp.post("/<int:survey_id>/settings")
@role_required(*STAFF)
def settings(survey_id: int):
    """Save title, description, kind, anonymity, editing, dates and year."""
    survey = load_survey(survey_id)
    values = {**parse_settings(request.form), "year_id": owned_id(AcademicYear, request.form.get("year_id"), "year_id")}
    return _apply(survey, lambda: builder.update_settings(db.session, survey, **values))


@bp.post("/<int:survey_id>/audience")
@role_required(*STAFF)
def set_audience(survey_id: int):
    """Who the survey asks: roles, and optionally organizations and clusters."""
    survey = load_survey(survey_id)
    return _apply(survey, lambda: audience.set_audience(db.session, survey, **parse_audience(request.form)))


@bp.post("/<int:survey_id>/status")
@role_required(*STAFF)
def status(survey_id: int):
    """Open (publish) or close the survey."""
    survey = load_survey(survey_id)

    def change():
        services.set_status(db.session, survey, request.form.get("status", ""))
        return survey
    return _apply(survey, change)


@bp.post("/<int:survey_id>/copy")
@role_required(*STAFF)
def copy(survey_id: int):
    """An independent copy (e.g. the end-of-year run of a self-assessment; question codes kept)."""
    survey = load_survey(survey_id)
    new, _map = builder.copy_survey(db.session, survey, new_version=False, title=request.form.get("title") or None)
    db.session.commit()
    return redirect(url_for(".build", survey_id=new.id))


@bp.post("/<int:survey_id>/sections")
@role_required(*STAFF)
def add_section(survey_id: int):
    """Append a section."""
    survey = load_survey(survey_id)
    return _apply(survey, lambda: builder.add_section(db.session, survey, request.form.get("title", ""),
                                                      request.form.get("description") or None))


@bp.post("/<int:survey_id>/sections/<int:section_id>")
@role_required(*STAFF)
def edit_section(survey_id: int, section_id: int):
    """Reword a section."""
    survey = load_survey(survey_id)
    return _apply(survey, lambda: builder.edit_section(db.session, survey, section_id, request.form.get("title", ""),
                                                       request.form.get("description") or None))


@bp.post("/<int:survey_id>/sections/<int:section_id>/questions")
@role_required(*STAFF)
def add_question(survey_id: int, section_id: int):
    """Append a question to a section."""
    survey = load_survey(survey_id)
    data = _question(request.form)
    return _apply(survey, lambda: builder.add_question(db.session, survey, section_id, data))


@bp.post("/<int:survey_id>/questions/<int:question_id>")
@role_required(*STAFF)
def edit_question(survey_id: int, question_id: int):
    """Edit a question (wording in place; structure in a new version once answered)."""
    survey = load_survey(survey_id)
    data = _question(request.form)
    return _apply(survey, lambda: builder.edit_question(db.session, survey, question_id, data))


@bp.post("/<int:survey_id>/<any(section, question):kind>/<int:item_id>/<any(up, down, duplicate, delete):action>")
@role_required(*STAFF)
def item_action(survey_id: int, kind: str, item_id: int, action: str):
    """Move up/down, duplicate or delete a section or a question."""
    survey = load_survey(survey_id)
    return _apply(survey, lambda: ITEM_ACTIONS[action](survey, kind, item_id))
