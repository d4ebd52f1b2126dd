"""`flask demo load`: a demo network with every area's demo data, loadable again without harm.

Each area may expose `load_demo(session, network_id, rng)` in `lti_tool/<area>/demo.py`; they run in
the order below (later areas use earlier ones' rows). A marker per area in the shared key-value
store (`CacheEntry`) records what is loaded, so a second run skips it.
"""
from __future__ import annotations

import importlib
import random
from datetime import timedelta

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from .db import utcnow
from .extensions import db
from .lti.models import CacheEntry
from .tenancy.models import Network

DEMO_SLUG = "demo"
DEMO_NAME = "Ассоциация муниципальных сетевых тьюторов (демо)"
DEMO_AREAS = ("resource_map", "surveys", "events", "pathways", "reports")
SEED = 2025

demo = AppGroup("demo", help="Demo data for trying TutorNet out.")


def ensure_demo_network(session) -> Network:
    """The demo network, created on first use."""
    network = session.scalar(sa.select(Network).where(Network.slug == DEMO_SLUG))
    if network is None:
        network = Network(slug=DEMO_SLUG, name=DEMO_NAME)
        session.add(network)
        session.flush()
    return network


def load_all(session, echo=print) -> Network:
    """Load every area's demo data that is not loaded yet; each area commits on its own."""
    network = ensure_demo_network(session)
    session.commit()
    for area in DEMO_AREAS:
        try:
            module = importlib.import_module(f"lti_tool.{area}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"lti_tool.{area}.demo":
                raise
            continue
        marker = f"demo:{network.id}:{area}"
        if session.get(CacheEntry, marker) is not None:
            echo(f"{area}: already loaded")
            continue
        module.load_demo(session, network.id, random.Random(f"{SEED}:{area}"))
        session.add(CacheEntry(key=marker, value="loaded", expires_at=utcnow() + timedelta(days=365 * 100)))
        session.commit()
        echo(f"{area}: loaded")
    return network


@demo.command("load")
@with_appcontext
def load_command() -> None:
    """Create (or reuse) the demo network and load each area's demo data once."""
    # Services translate their messages; lti_tool.i18n.select_locale reads the session, which
    # needs a request context, so the command runs inside one (default locale).
    with current_app.test_request_context("/"):
        network = load_all(db.session, echo=click.echo)
    click.echo(f"Demo network «{network.name}» (slug {network.slug}, id {network.id}) is ready.")


from .demo_roster import roster_command  # noqa: E402  (`flask demo roster PATH`, for the demo LMS)

demo.add_command(roster_command)

commands = [demo]
