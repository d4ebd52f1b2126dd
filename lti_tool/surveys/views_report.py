"""Report views (methodists, administrators): the analytical report, its XLSX, competence dynamics."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..core.ids import db_id
from ..documents import narratives
from ..documents.routes import docx_response
from ..web.auth import check_network, require_actor, role_required
from ..web.extensions import db
from ..web.pages import page_locale
from . import dynamics, reports, roster, services, spravka
from .blueprint import bp
from .export import workbook
from .forms import parse_filters
from .models import Survey
from .view_helpers import STAFF, load_survey


@bp.get("/<int:survey_id>/report")
@role_required(*STAFF)
def report(survey_id: int):
    """The analytical report (аналитическая справка), print-ready, with filters."""
    survey = load_survey(survey_id)
    result = reports.build_report(db.session, survey, parse_filters(request.args))
    return render_template("surveys/report.html", survey=survey, report=result,
                           choices=roster.filter_choices(db.session, survey))


@bp.get("/<int:survey_id>/spravka")
@role_required(*STAFF)
def spravka_page(survey_id: int):
    """The справка as filed (purpose, method, figures, charts, conclusions), its narratives editable."""
    survey = load_survey(survey_id)
    doc = spravka.spravka_document(db.session, survey, page_locale(), parse_filters(request.args))
    return render_template("documents/page.html", doc=doc, back_url=url_for("surveys.report", survey_id=survey_id),
                           docx_url=url_for("surveys.spravka_docx", survey_id=survey_id, **request.args),
                           narrative_url=url_for("surveys.spravka_narrative", survey_id=survey_id))


@bp.get("/<int:survey_id>/spravka.docx")
@role_required(*STAFF)
def spravka_docx(survey_id: int):
    """The справка as a Word document."""
    survey = load_survey(survey_id)
    doc = spravka.spravka_document(db.session, survey, page_locale(), parse_filters(request.args))
    return docx_response(doc, survey.network_id)


@bp.post("/<int:survey_id>/spravka/narrative")
@role_required(*STAFF)
def spravka_narrative(survey_id: int):
    """Save the methodist's text of a narrative section (empty: back to the generated draft)."""
    actor = require_actor()
    survey = load_survey(survey_id)
    section = request.form.get("section", "")
    if section not in spravka.SECTIONS:
        abort(400)
    narratives.save(db.session, survey.network_id, spravka.KIND, spravka.narrative_key(survey), section,
                    request.form.get("text", ""), actor.user_id)
    db.session.commit()
    flash(_("The section is saved."), "success")
    return redirect(url_for("surveys.spravka_page", survey_id=survey_id) + f"#narrative-{section}")


@bp.get("/<int:survey_id>/report.xlsx")
@role_required(*STAFF)
def report_xlsx(survey_id: int):
    """The report as a workbook: summary sheets and the raw answers."""
    survey = load_survey(survey_id)
    result = reports.build_report(db.session, survey, parse_filters(request.args))
    data = workbook(db.session, survey, result, services.active_topics(db.session, survey.network_id))
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="survey-{survey.id}-report.xlsx"'})


@bp.get("/dynamics")
@role_required(*STAFF)
def dynamics_view():
    """Competence dynamics between two self-assessment runs (start and end of the year)."""
    actor = require_actor()
    runs = dynamics.runs(db.session, actor.network_id)
    start_id, end_id = request.args.get("start", type=db_id), request.args.get("end", type=db_id)
    result = None
    if start_id and end_id:
        start = check_network(db.session.get(Survey, start_id))
        end = check_network(db.session.get(Survey, end_id))
        result = dynamics.compare(db.session, start, end) if start.id != end.id else None
    if not (start_id and end_id):
        start_id, end_id = dynamics.default_pair(runs)
    return render_template("surveys/dynamics.html", runs=runs, result=result, start_id=start_id, end_id=end_id)
