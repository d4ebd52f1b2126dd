"""`flask demo …`: a demo network with every area's demo data, and its roster for the demo LMS.

`flask demo load` runs each area's `load_demo(session, network_id, rng, today)` in the order of
`DEMO_LOADERS` (later areas use earlier ones' rows). A marker per area in the shared key-value
store (`CacheEntry`) records what is loaded, so a second run skips it.
"""
from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from .core.accounts import Network
from .core.cache import CacheEntry
from .core.clock import utcnow
from .core.networks import ensure_network
from .demo_region.cli import region_command
from .demo_roster import roster_rows
from .events.demo import load_demo as load_events
from .pathways.demo import load_demo as load_pathways
from .resource_map.demo import load_demo as load_resource_map
from .surveys.demo import load_demo as load_surveys
from .web.extensions import db

DEMO_SLUG = "demo"
DEMO_NAME = "Ассоциация муниципальных сетевых тьюторов (демо)"
# (area, loader), in loading order: routes use events and surveys, which use the resource map.
DEMO_LOADERS = (("resource_map", load_resource_map), ("surveys", load_surveys), ("events", load_events),
                ("pathways", load_pathways))
SEED = 2025

demo = AppGroup("demo", help="Demo data for trying TutorNet out.")
demo.add_command(region_command)  # `flask demo region`: a region-sized network (lti_tool/demo_region)


def load_all(session, echo=print, today: date | None = None) -> Network:
    """Load every area's demo data that is not loaded yet; each area commits on its own. Dates follow
    `today` (default: the machine's date): the current school year with held, running and upcoming
    events, open surveys and routes in progress (core.school_years.demo_calendar)."""
    network = ensure_network(session, DEMO_SLUG, DEMO_NAME)
    session.commit()
    for area, load_demo in DEMO_LOADERS:
        marker = f"demo:{network.id}:{area}"
        if session.get(CacheEntry, marker) is not None:
            echo(f"{area}: already loaded")
            continue
        load_demo(session, network.id, random.Random(f"{SEED}:{area}"), today=today)
        session.add(CacheEntry(key=marker, value="loaded", expires_at=utcnow() + timedelta(days=365 * 100)))
        session.commit()
        echo(f"{area}: loaded")
    return network


@demo.command("load")
@with_appcontext
def load_command() -> None:
    """Create (or reuse) the demo network and load each area's demo data once."""
    # Services translate their messages; lti_tool.web.i18n.select_locale reads the session, which
    # needs a request context, so the command runs inside one (default locale).
    with current_app.test_request_context("/"):
        network = load_all(db.session, echo=click.echo)
    click.echo(f"Demo network «{network.name}» (slug {network.slug}, id {network.id}) is ready.")


@demo.command("roster")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def roster_command(path: str) -> None:
    """Write the demo network's people as a demo LMS roster file (JSON), after `flask demo load`."""
    network = db.session.scalar(sa.select(Network).where(Network.slug == DEMO_SLUG))
    if network is None:
        raise click.ClickException("No demo network: run `flask demo load` first.")
    rows = roster_rows(db.session, network.id)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    kinds = {k: sum(r["kind"] == k for r in rows) for k in ("instructor", "methodist", "learner")}
    click.echo(f"{path}: {len(rows)} people ({kinds['instructor']} tutors, {kinds['methodist']} methodist, "
               f"{kinds['learner']} teachers)")
