"""Methodists' editing views: one create/edit view and one retire view for every entity, years."""
from __future__ import annotations

from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from ..core.reference import AcademicYear, Organization, Person, Topic
from ..web.auth import ADMIN, METHODIST, require_actor, role_required
from ..web.extensions import db
from ..web.pages import safe_next_url
from . import forms, map_entries, services
from .blueprint import bp
from .models import Cluster, InternshipSite, Offering
from .view_helpers import load, selected_year

KINDS = "offerings, organizations, people, clusters, sites, topics, years"


@dataclass(frozen=True)
class Editor:
    """How to edit one kind of row: its model, form, save service and where to go afterwards."""

    model: type
    form: type
    save: object
    title: object
    after: object  # row -> url


EDITORS = {
    "offerings": Editor(Offering, forms.OfferingForm, map_entries.save_offering, _l("Offering"),
                        lambda r: url_for("resource_map.offering", offering_id=r.id)),
    "organizations": Editor(Organization, forms.OrganizationForm, services.save_organization, _l("Organization"),
                            lambda r: url_for("resource_map.organization", organization_id=r.id)),
    "people": Editor(Person, forms.PersonForm, services.save_person, _l("Person"),
                     lambda r: url_for("resource_map.people", all=0 if r.is_tutor else 1)),
    "clusters": Editor(Cluster, forms.ClusterForm, map_entries.save_cluster, _l("Cluster"),
                       lambda r: url_for("resource_map.cluster", cluster_id=r.id)),
    "sites": Editor(InternshipSite, forms.SiteForm, map_entries.save_internship_site, _l("Internship site"),
                    lambda r: url_for("resource_map.organization", organization_id=r.organization_id)),
    "topics": Editor(Topic, forms.TopicForm, services.save_topic, _l("Topic"),
                     lambda r: url_for("resource_map.topics")),
    "years": Editor(AcademicYear, forms.YearForm, services.save_year, _l("Academic year"),
                    lambda r: url_for("resource_map.years")),
}


@bp.route(f"/<any({KINDS}):kind>/new", methods=["GET", "POST"], defaults={"row_id": None})
@bp.route(f"/<any({KINDS}):kind>/<int:row_id>/edit", methods=["GET", "POST"])
@role_required(METHODIST, ADMIN)
def edit(kind: str, row_id: int | None):
    """Create or edit a row of the map (validated by its service; errors shown on the form)."""
    actor, editor = require_actor(), EDITORS[kind]
    row = load(editor.model, row_id) if row_id else None
    year = selected_year(actor.network_id)
    form = editor.form()
    form.setup(db.session, actor.network_id, year.id if year else None)
    if request.method == "GET" and row is not None:
        form.load(row)
    if form.validate_on_submit():
        try:
            saved = editor.save(db.session, actor.network_id, row, **form.values())
        except services.ValidationError as exc:
            db.session.rollback()
            _show_error(form, exc)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(editor.after(saved))
    return render_template("resource_map/edit.html", form=form, editor=editor, row=row, kind=kind)


@bp.post(f"/<any({KINDS}):kind>/<int:row_id>/retire")
@role_required(METHODIST, ADMIN)
def retire(kind: str, row_id: int):
    """Retire (or with restore=1 bring back) a row; nothing that points at it is touched."""
    row = load(EDITORS[kind].model, row_id)
    if not hasattr(row, "retired_at"):
        return redirect(url_for("resource_map.years"))
    if request.form.get("restore") == "1":
        services.restore(db.session, row)
        flash(_("Restored."), "success")
    else:
        services.retire(db.session, row)
        flash(_("Retired: hidden from new choices, kept wherever it is used."), "success")
    db.session.commit()
    return redirect(safe_next_url(request.form.get("next")) or url_for("resource_map.index"))


def _show_error(form, exc: services.ValidationError) -> None:
    """Put a service's message under its field, or above the form."""
    field = form._fields.get(exc.field or "") or (form._fields.get("provider") if exc.field == "provider_id" else None)
    if field is not None:
        field.errors = [*field.errors, exc.message]
    else:
        form.form_errors.append(exc.message)


@bp.get("/topics")
@role_required(METHODIST, ADMIN)
def topics():
    """The network's topics, retired ones included, with the seed button."""
    actor = require_actor()
    return render_template("resource_map/topics.html",
                           topics=services.list_topics(db.session, actor.network_id, include_retired=True))


@bp.post("/topics/seed")
@role_required(METHODIST, ADMIN)
def seed_topics():
    """Add the standard topics the network does not have yet."""
    added = services.seed_topics(db.session, require_actor().network_id)
    db.session.commit()
    flash(ngettext("%(num)d topic added.", "%(num)d topics added.", added), "success")
    return redirect(url_for("resource_map.topics"))


@bp.get("/years")
@role_required(METHODIST, ADMIN)
def years():
    """Academic years, the current one marked; copy a year forward from here."""
    actor = require_actor()
    return render_template("resource_map/years.html", years=services.list_years(db.session, actor.network_id),
                           form=forms.CopyYearForm())


@bp.post("/years/<int:row_id>/current")
@role_required(METHODIST, ADMIN)
def make_current(row_id: int):
    """Make a year the default of every page."""
    services.set_current_year(db.session, require_actor().network_id, load(AcademicYear, row_id))
    db.session.commit()
    return redirect(url_for("resource_map.years"))


@bp.post("/years/<int:row_id>/copy")
@role_required(METHODIST, ADMIN)
def copy_year(row_id: int):
    """Start the next year's map from this one."""
    actor, source, form = require_actor(), load(AcademicYear, row_id), forms.CopyYearForm()
    if form.validate_on_submit():
        try:
            year = map_entries.copy_year_forward(db.session, actor.network_id, source.id, form.to_title.data,
                                              form.starts_on.data, form.ends_on.data)
        except services.ValidationError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(_("The map of %(title)s was started from %(source)s.", title=year.title, source=source.title),
                  "success")
            return redirect(url_for("resource_map.index", year=year.id))
    else:
        flash(_("Enter the new year's title and dates."), "error")
    return redirect(url_for("resource_map.years"))
