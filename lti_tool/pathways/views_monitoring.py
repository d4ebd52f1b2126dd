"""Monitoring of routes across the network, and self-education portfolios with their XLSX export."""
from __future__ import annotations

from flask import Response, abort, render_template, request
from flask_babel import gettext as _

from ..core.ids import db_id
from ..resource_map.services import current_year
from ..web.auth import TUTOR, current_person, require_actor
from ..web.extensions import db
from . import portfolio as portfolios
from .access import is_methodist, require_methodist
from .blueprint import bp
from .monitoring import network_progress
from .services import tutor_routes


@bp.get("/monitoring")
def monitoring():
    """Steps done of planned across the network: by topic, organization and tutor."""
    actor = require_methodist()
    year = current_year(db.session, actor.network_id)
    progress = network_progress(db.session, actor.network_id, year.id, no_topic=_("No topic"),
                                no_organization=_("No organization")) if year else None
    db.session.commit()
    return render_template("pathways/monitoring.html", year=year, progress=progress)


def _visible_people(actor, year) -> list[int] | None:
    """Whose portfolios the actor sees: all (methodists), attached teachers (tutors), else only their own."""
    if is_methodist(actor):
        return None
    me = current_person(actor)
    mine = [me.id]
    if actor.has(TUTOR):
        mine += [r.person_id for r in tutor_routes(db.session, actor.network_id, me.id, year.id)]
    return mine


def _entries(actor, year):
    people = _visible_people(actor, year)
    wanted = request.args.get("person", type=db_id)
    if wanted is not None:
        if people is not None and wanted not in people:
            abort(403)
        people = [wanted]
    return portfolios.portfolios(db.session, actor.network_id, year.id, people)


@bp.get("/portfolio")
def portfolio():
    """Self-education monitoring: a page of teachers with their figures, or one teacher's steps,
    evidence, publications and talks."""
    actor = require_actor()
    year = current_year(db.session, actor.network_id)
    person = request.args.get("person", type=db_id)
    query = request.args.get("q", "").strip()
    detail = person is not None or not (is_methodist(actor) or actor.has(TUTOR))
    entries = _entries(actor, year) if year and detail else []
    summary = portfolios.summary_page(db.session, actor.network_id, year.id, _visible_people(actor, year), query,
                                      request.args.get("page", 1, type=db_id)) if year and not detail else None
    db.session.commit()
    return render_template("pathways/portfolio.html", year=year, entries=entries, summary=summary, person=person,
                           query=query, kind_label=portfolios.kind_label)


@bp.get("/portfolio.xlsx")
def portfolio_xlsx():
    """The visible portfolios as a workbook."""
    actor = require_actor()
    year = current_year(db.session, actor.network_id)
    if year is None:
        abort(404)
    data = portfolios.to_xlsx(_entries(actor, year), year.title)
    db.session.commit()
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=portfolio.xlsx"})
