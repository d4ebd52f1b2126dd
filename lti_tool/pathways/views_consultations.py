"""A tutor's consultation log: record individual and group consultations, see the year's count and
hours per tutee; methodists look at any tutor's log of the network."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..core.reference import Person, Topic
from ..resource_map.services import current_year
from ..web.auth import TUTOR, check_network, current_person, require_actor
from ..web.extensions import db
from . import consultations, overview, services
from .access import is_methodist
from .blueprint import bp
from .forms import parse_date
from .models import Consultation
from .services import PathwayError
from .view_helpers import fail


def _is_tutor(actor, person) -> bool:
    return actor.has(TUTOR) or person.is_tutor


@bp.get("/consultations")
def consultation_log():
    """The log of the actor (a tutor) or, for methodists, of the tutor in `?tutor=`."""
    actor = require_actor()
    person = current_person(actor)
    tutor = person
    if request.args.get("tutor", type=int) and is_methodist(actor):
        tutor = check_network(db.session.get(Person, request.args.get("tutor", type=int)), actor)
    elif not _is_tutor(actor, person):
        abort(403)
    year = current_year(db.session, actor.network_id)
    if year is None:
        abort(404)
    rows, totals, page, pages = consultations.tutor_log(db.session, actor.network_id, tutor.id, year.starts_on,
                                                        year.ends_on, request.args.get("page", 1, type=int))
    tutees = [r.person for r in services.tutor_routes(db.session, actor.network_id, tutor.id, year.id)]
    by_tutee = consultations.per_person(db.session, actor.network_id, [p.id for p in tutees], year.starts_on,
                                        year.ends_on) if tutees else {}
    find = request.args.get("find", "").strip()
    found = [(pid, name) for pid, name in overview.find_teachers(db.session, actor.network_id, find)
             if pid not in {p.id for p in tutees} and pid != tutor.id]
    topics = list(db.session.scalars(sa.select(Topic).where(Topic.network_id == actor.network_id,
                                                            Topic.retired_at.is_(None)).order_by(Topic.name)))
    db.session.commit()
    return render_template("pathways/consultations.html", tutor=tutor, own=tutor.id == person.id, year=year,
                           rows=rows, totals=totals, page=page, pages=pages, tutees=tutees, by_tutee=by_tutee,
                           find=find, found=found, topics=topics, totals_cls=consultations.Totals)


@bp.post("/consultations")
def record_consultation():
    """The tutor logs a consultation she held."""
    actor = require_actor()
    person = current_person(actor)
    if not _is_tutor(actor, person):
        abort(403)
    try:
        consultations.record(
            db.session, actor.network_id, person.id, kind=request.form.get("kind", ""),
            held_on=parse_date(request.form.get("held_on")), subject=request.form.get("subject", ""),
            participant_ids=[int(v) for v in request.form.getlist("participants") if v.isdigit()],
            minutes=request.form.get("minutes", type=int), topic_id=request.form.get("topic_id", type=int),
            outcome=request.form.get("outcome"), created_by_id=actor.user_id)
    except PathwayError as exc:
        return fail(exc, url_for("pathways.consultation_log"))
    db.session.commit()
    flash(_("The consultation is recorded."), "success")
    return redirect(url_for("pathways.consultation_log"))


@bp.post("/consultations/<int:consultation_id>/delete")
def delete_consultation(consultation_id: int):
    """The tutor (or a methodist) removes a wrong record."""
    actor = require_actor()
    row = check_network(db.session.get(Consultation, consultation_id), actor)
    if row.tutor_id != current_person(actor).id and not is_methodist(actor):
        abort(403)
    consultations.delete(db.session, row)
    db.session.commit()
    flash(_("The record is deleted."), "success")
    return redirect(url_for("pathways.consultation_log"))
