"""Pages of one's own year: a teacher's "my year" and a tutor's "my teachers"."""
from __future__ import annotations

from datetime import date

from flask import abort, render_template

from ..core.school_years import current_year
from ..web.auth import TUTOR, current_person, require_actor
from ..web.extensions import db
from . import my_year as mine
from .blueprint import bp


@bp.get("/year")
def my_year():
    """Her school year: route steps in date order, events with attendance, scores, hours and
    comments, certificates, her surveys and competence dynamics (printable)."""
    actor = require_actor()
    person = current_person(actor)
    year = current_year(db.session, actor.network_id)
    result = mine.my_year(db.session, actor.network_id, person, year)
    db.session.commit()  # current_person may have created the person
    return render_template("pathways/my_year.html", result=result, today=date.today())


@bp.get("/my-teachers")
def my_teachers():
    """A tutor's teachers: their routes, progress, overdue steps and next steps."""
    actor = require_actor()
    if not (actor.has(TUTOR) or actor.is_staff):
        abort(403)
    person = current_person(actor)
    year = current_year(db.session, actor.network_id)
    tutees = mine.my_teachers(db.session, actor.network_id, person.id, year.id, date.today()) if year else []
    db.session.commit()
    return render_template("pathways/my_teachers.html", tutees=tutees, year=year)
