"""Methodist pages: the dashboard (landing page), the yearly report with its XLSX, clusters' work."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..documents import narratives
from ..documents.routes import docx_response
from ..resource_map.models import Cluster
from ..web.auth import ADMIN, METHODIST, check_network, require_actor, role_required
from ..web.errors import user_error
from ..web.extensions import db
from ..web.pages import page_locale
from . import clusters, phrases, xlsx, yearly_doc
from . import dashboard as dashboard_service
from . import yearly as yearly_service
from .period import Period, PeriodError, parse_period, year_period

bp = Blueprint("reports", __name__, url_prefix="/reports")
STAFF = (METHODIST, ADMIN)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.context_processor
def _helpers():
    return {"say": phrases}


def _period(network_id: int) -> tuple[Period, str | None]:
    """The period of `?start=&end=` (default: the current academic year) and an error message if invalid."""
    default = year_period(db.session, network_id)
    try:
        return parse_period(request.args.get("start"), request.args.get("end"), default), None
    except PeriodError as exc:
        return default, str(exc)


@bp.get("/")
@role_required(*STAFF)
def dashboard():
    """This academic year at a glance: the methodist's landing page."""
    actor = require_actor()
    board = dashboard_service.build(db.session, actor.network_id, year_period(db.session, actor.network_id))
    return render_template("reports/dashboard.html", board=board)


@bp.get("/yearly")
@role_required(*STAFF)
def yearly():
    """The report on the association's work for `?start=YYYY-MM-DD&end=YYYY-MM-DD` (print-ready)."""
    actor = require_actor()
    period, error = _period(actor.network_id)
    if error:
        return render_template("reports/yearly.html", report=None, error=error, period=period,
                               start=request.args.get("start", ""), end=request.args.get("end", "")), 400
    report = yearly_service.build(db.session, actor.network_id, period)
    return render_template("reports/yearly.html", report=report, error=None, period=period,
                           start=period.start.isoformat(), end=period.end.isoformat())


@bp.get("/yearly.xlsx")
@role_required(*STAFF)
def yearly_xlsx():
    """The same report as an Excel workbook."""
    actor = require_actor()
    period, error = _period(actor.network_id)
    if error:
        raise user_error(400, error)
    data = xlsx.workbook(yearly_service.build(db.session, actor.network_id, period))
    return Response(data, mimetype=XLSX, headers={
        "Content-Disposition": f'attachment; filename="{yearly_service.default_filename(period)}"'})


@bp.get("/yearly/document")
@role_required(*STAFF)
def yearly_document():
    """The report as filed: figures with notes, breakdowns, the narrative the methodist edits (print page)."""
    actor = require_actor()
    period, error = _period(actor.network_id)
    if error:
        raise user_error(400, error)
    doc = yearly_doc.yearly_document(db.session, actor.network_id, period, page_locale())
    args = {"start": period.start.isoformat(), "end": period.end.isoformat()}
    return render_template("documents/page.html", doc=doc, back_url=url_for("reports.yearly", **args),
                           docx_url=url_for("reports.yearly_docx", **args),
                           narrative_url=url_for("reports.yearly_narrative", **args))


@bp.get("/yearly.docx")
@role_required(*STAFF)
def yearly_docx():
    """The report as a Word document."""
    actor = require_actor()
    period, error = _period(actor.network_id)
    if error:
        raise user_error(400, error)
    return docx_response(yearly_doc.yearly_document(db.session, actor.network_id, period, page_locale()),
                         actor.network_id)


@bp.post("/yearly/narrative")
@role_required(*STAFF)
def yearly_narrative():
    """Save the methodist's text of a narrative section of the period's report."""
    actor = require_actor()
    period, error = _period(actor.network_id)
    section = request.form.get("section", "")
    if error or section not in yearly_doc.SECTIONS:
        abort(400)
    narratives.save(db.session, actor.network_id, yearly_doc.KIND, yearly_doc.narrative_key(period), section,
                    request.form.get("text", ""), actor.user_id)
    db.session.commit()
    flash(_("The section is saved."), "success")
    return redirect(url_for("reports.yearly_document", start=period.start.isoformat(), end=period.end.isoformat())
                    + f"#narrative-{section}")


@bp.get("/clusters", endpoint="clusters")
@role_required(*STAFF)
def clusters_view():
    """Every cluster's work in the period: members, events run, attendance."""
    actor = require_actor()
    period, error = _period(actor.network_id)
    lines = clusters.overview(db.session, actor.network_id, period)
    return render_template("reports/clusters.html", lines=lines, period=period, error=error), 400 if error else 200


@bp.get("/clusters/<int:cluster_id>")
@role_required(*STAFF)
def cluster(cluster_id: int):
    """One cluster's work: members, events it ran, participants, members' needs and their coverage."""
    actor = require_actor()
    row = check_network(db.session.get(Cluster, cluster_id), actor)
    period, error = _period(actor.network_id)
    return render_template("reports/cluster.html", work=clusters.work(db.session, row, period),
                           period=period, error=error), 400 if error else 200
