"""The demo loader: routes planned from the demo needs, published, within capacity, with progress."""
from __future__ import annotations

import random
from collections import Counter

import pytest
import sqlalchemy as sa

from lti_tool.core.accounts import Network
from lti_tool.pathways.models import Route, RouteStep
from lti_tool.resource_map.models import Offering


def test_demo_routes(db_session, backend):
    if backend == "postgresql":
        pytest.skip("the whole demo chain is slow; the planning tests cover PostgreSQL")
    from lti_tool.events import demo as events_demo
    from lti_tool.pathways import demo
    from lti_tool.resource_map import demo as map_demo
    from lti_tool.surveys import demo as surveys_demo

    network = Network(name="АМСТ (демо)", slug="demo-pathways")
    db_session.add(network)
    db_session.flush()
    for module in (map_demo, surveys_demo, events_demo, demo):
        module.load_demo(db_session, network.id, random.Random(f"2025:{module.__name__}"))
    db_session.commit()

    routes = list(db_session.scalars(sa.select(Route).where(Route.network_id == network.id)))
    assert len(routes) > 30 and {r.status for r in routes} == {"published"}
    steps = [s for r in routes for s in r.steps]
    statuses = Counter(s.status for s in steps)
    assert statuses["done"] > 0 and statuses["planned"] > 0
    assert any(s.reflection for s in steps if s.status == "done")
    used = Counter(s.offering_id for s in steps if s.offering_id and s.status != "cancelled")
    capacity = dict(db_session.execute(sa.select(Offering.id, Offering.capacity)
                                       .where(Offering.id.in_(list(used)))).all())
    assert all(capacity[o] is None or n <= capacity[o] for o, n in used.items())
    assert db_session.scalar(sa.select(sa.func.count()).select_from(RouteStep)
                             .where(RouteStep.self_kind == "publication")) > 0
