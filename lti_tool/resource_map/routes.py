"""HTTP views of the resource map: browsing (everyone in the network).

Editing and files live in `views_edit` and `views_files`; each registers on `blueprint.bp`, and
importing this module imports them all (what the app factory registers).
"""
from __future__ import annotations

from flask import current_app, render_template, request

from ..core.ids import parse_id
from ..core.reference import Organization
from ..web.auth import require_actor
from ..web.extensions import db
from . import queries, services, views_edit, views_files  # noqa: F401
from .blueprint import bp
from .models import Cluster, Offering
from .view_helpers import load, selected_year


def _int_arg(name: str) -> int | None:
    return parse_id(request.args.get(name))


@bp.get("/")
def index():
    """The searchable, filterable list of the year's offerings."""
    actor = require_actor()
    year = selected_year(actor.network_id)
    flt = queries.OfferingFilter(
        topic_id=_int_arg("topic"), form=request.args.get("form") or None,
        organization_id=_int_arg("organization"), cluster_id=_int_arg("cluster"),
        municipality=request.args.get("municipality") or None, delivery=request.args.get("delivery") or None,
        q=request.args.get("q") or None)
    page = queries.list_offerings(db.session, actor.network_id, year.id, flt, _int_arg("page") or 1) if year else None
    return render_template("resource_map/index.html", year=year, flt=flt, page=page,
                           years=services.list_years(db.session, actor.network_id),
                           choices=queries.filter_choices(db.session, actor.network_id))


@bp.get("/matrix")
def matrix():
    """The topic × provider matrix ("карта"): where support exists and which topics have none."""
    actor = require_actor()
    year = selected_year(actor.network_id)
    rows = queries.topic_matrix(db.session, actor.network_id, year.id) if year else []
    return render_template("resource_map/matrix.html", year=year, rows=rows, forms=queries.matrix_forms(),
                           years=services.list_years(db.session, actor.network_id),
                           gaps=sum(r.is_gap for r in rows))


@bp.get("/offerings/<int:offering_id>")
def offering(offering_id: int):
    """One entry of the map."""
    require_actor()
    return render_template("resource_map/offering.html", offering=load(Offering, offering_id))


@bp.get("/organizations")
def organizations():
    """Organizations on a geographic map (when tiles load) and as a list."""
    actor = require_actor()
    orgs = queries.organizations_for_map(db.session, actor.network_id)
    return render_template("resource_map/organizations.html", organizations=orgs,
                           tile_url=current_app.config.get("MAP_TILE_URL", ""),
                           located=sum(o.latitude is not None for o in orgs))


@bp.get("/organizations/<int:organization_id>")
def organization(organization_id: int):
    """An organization: its tutors, clusters, internship site status and offerings of the year."""
    actor = require_actor()
    year = selected_year(actor.network_id)
    data = queries.organization_page(db.session, load(Organization, organization_id), year.id if year else None)
    return render_template("resource_map/organization.html", year=year, **data)


@bp.get("/clusters")
def clusters():
    """The network's methodological clusters."""
    actor = require_actor()
    return render_template("resource_map/clusters.html",
                           clusters=queries.list_clusters(db.session, actor.network_id))


@bp.get("/clusters/<int:cluster_id>")
def cluster(cluster_id: int):
    """A cluster: topic, coordinator, member organizations and teachers, offerings of the year."""
    actor = require_actor()
    year = selected_year(actor.network_id)
    data = queries.cluster_page(db.session, load(Cluster, cluster_id), year.id if year else None)
    return render_template("resource_map/cluster.html", year=year, **data)


@bp.get("/people")
def people():
    """Municipal tutors (or everyone with ?all=1), searchable by name."""
    actor = require_actor()
    show_all = request.args.get("all") == "1"
    rows = queries.list_people(db.session, actor.network_id, tutors_only=not show_all, q=request.args.get("q"),
                               contacts=actor.is_staff)
    return render_template("resource_map/people.html", people=rows, show_all=show_all, q=request.args.get("q", ""))
