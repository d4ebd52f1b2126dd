"""Loading routes for a request: network scope (404 elsewhere) and who may see, comment or edit.

A teacher sees their own route (once published); tutors attached to a route see it and comment;
methodists (and administrators) see and edit every route of their network.
"""
from __future__ import annotations

from flask import abort

from ..core.reference import Person
from ..resource_map.services import current_year
from ..web.auth import Actor, check_network, current_person, require_actor
from ..web.extensions import db
from .models import PlanRun, Route, RouteStep
from .services import is_attached


def is_methodist(actor: Actor) -> bool:
    """Methodists and administrators plan and edit every route of the network."""
    return actor.is_staff


def require_methodist() -> Actor:
    """403 unless the actor is a methodist (or administrator) of the network."""
    actor = require_actor()
    if not is_methodist(actor):
        abort(403)
    return actor


def may_view(route: Route, actor: Actor, person: Person) -> bool:
    """Owner (published routes only), attached tutors and methodists."""
    if is_methodist(actor):
        return True
    if route.person_id == person.id:
        return route.status == "published"
    return is_attached(route, person.id)


def load_route(route_id: int) -> tuple[Route, Actor, Person]:
    """The route of the actor's network (404 elsewhere) that the actor may see (403 otherwise)."""
    actor = require_actor()
    route = check_network(db.session.get(Route, route_id), actor)
    person = current_person(actor)
    if not may_view(route, actor, person):
        abort(403)
    return route, actor, person


def load_step(step_id: int) -> tuple[RouteStep, Actor, Person]:
    """A step of a route the actor may see."""
    step = db.session.get(RouteStep, step_id)
    if step is None:
        abort(404)
    route, actor, person = load_route(step.route_id)
    return step, actor, person


def load_run(run_id: int) -> PlanRun:
    """A plan run of the actor's network, for methodists."""
    actor = require_methodist()
    return check_network(db.session.get(PlanRun, run_id), actor)


def year_or_404(network_id: int):
    """The network's current academic year (404 when the resource map has none yet)."""
    year = current_year(db.session, network_id)
    if year is None:
        abort(404)
    return year
