"""The school year's pages (methodists, administrators): the plan, the archive, opening the next year."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import ngettext

from ..core.clock import day_in_range
from ..core.ids import db_id, parse_id
from ..core.reference import AcademicYear
from ..core.school_years import current_year
from ..resource_map.catalog import FORMS
from ..resource_map.validation import ValidationError
from ..web.auth import ADMIN, METHODIST, check_network, require_actor, role_required
from ..web.extensions import db
from . import archive, opening, plan

bp = Blueprint("school_year", __name__, url_prefix="/year")
STAFF = (METHODIST, ADMIN)


@bp.context_processor
def _helpers():
    return {"month_name": lambda day: format_date(day, "LLLL yyyy"), "forms": FORMS, "states": plan.STATES,
            "provider_name": opening.provider_name}


@bp.get("/plan")
@role_required(*STAFF)
def year_plan():
    """The year's events by month and form: drafts, planned, held, cancelled (`?year=` an archived one)."""
    actor = require_actor()
    year_id = request.args.get("year", type=db_id)
    year = check_network(db.session.get(AcademicYear, year_id)) if year_id else current_year(db.session, actor.network_id)
    if year is None:
        return redirect(url_for(".open_year"))
    state = request.args.get("state") if request.args.get("state") in plan.STATES else None
    result = plan.year_plan(db.session, actor.network_id, year, date.today(), state)
    return render_template("school_year/plan.html", plan=result, state=state)


@bp.get("/archive")
@role_required(*STAFF)
def year_archive():
    """Past school years, each with its plan and reports, read-only."""
    actor = require_actor()
    return render_template("school_year/archive.html", years=archive.past_years(db.session, actor.network_id,
                                                                                date.today()))


@bp.route("/open", methods=["GET", "POST"])
@role_required(*STAFF)
def open_year():
    """Open the next school year: check its dates, the offerings that go forward and the surveys to start."""
    actor = require_actor()
    review = opening.review(db.session, actor.network_id, date.today())
    if request.method == "GET" or review.existing is not None:
        return render_template("school_year/open.html", review=review, templates=_template_labels(),
                               chosen=opening.USUAL_TEMPLATES)
    try:
        opened = opening.open_year(db.session, actor.network_id, **_opening(request.form, review))
    except ValidationError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return render_template("school_year/open.html", review=review, templates=_template_labels(),
                               chosen=request.form.getlist("templates")), 400
    db.session.commit()
    flash(_("The school year %(title)s is open: %(offerings)s, %(surveys)s.", title=opened.year.title,
            offerings=ngettext("%(num)d offering carried over", "%(num)d offerings carried over", opened.offerings),
            surveys=ngettext("%(num)d survey to prepare", "%(num)d surveys to prepare", len(opened.surveys))),
          "success")
    return redirect(url_for(".year_plan", year=opened.year.id))


def _opening(form, review: opening.Review) -> dict:
    """The opening form as keyword arguments for `opening.open_year`."""
    return {"title": (form.get("title") or "").strip(), "starts_on": _day(form.get("starts_on")),
            "ends_on": _day(form.get("ends_on")), "source_id": review.source.id if review.source else None,
            "offering_ids": [i for i in map(parse_id, form.getlist("offering_ids")) if i],
            "templates": form.getlist("templates"),
            "survey_ids": [i for i in map(parse_id, form.getlist("survey_ids")) if i],
            "make_current": bool(form.get("make_current"))}


def _day(value: str | None) -> date | None:
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if day_in_range(day) else None


def _template_labels() -> dict[str, str]:
    return {"needs": _("Needs assessment"), "self_assessment_start": _("Competence self-assessment, start of year"),
            "self_assessment_end": _("Competence self-assessment, end of year"),
            "resource": _("Professional resources: what teachers can offer colleagues")}
