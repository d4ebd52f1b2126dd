"""Two generated regions per backend, a small one and one four times its size, each with its app.

The statement-count tests open every page on both and compare: a page whose statements grow
with the region walks relations lazily or loops over rows (N+1).
"""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from lti_tool import create_app
from lti_tool.core.db import make_engine
from lti_tool.demo_region import Sizes, generate
from lti_tool.demo_region.journeys import Page, Picks, pages, representatives
from lti_tool.web.extensions import db
from lti_tool.models import Base
from tests import backends

SMALL = Sizes(teachers=60, tutors=8, methodists=2, organizations=12, municipalities=4, clusters=2, internship_sites=2,
              offerings=40, needs_responses=60, self_assessment_start=30, self_assessment_end=15, events=40,
              upcoming_share=0.25, to_grade_share=0.1, participants_scale=0.3, candidacies=4)
MID = Sizes(teachers=240, tutors=24, methodists=2, organizations=40, municipalities=8, clusters=4, internship_sites=4,
            offerings=160, needs_responses=240, self_assessment_start=120, self_assessment_end=60, events=120,
            upcoming_share=0.25, to_grade_share=0.1, participants_scale=1.0, candidacies=12)


@dataclass
class Region:
    """A generated region: its app, representative rows and pages by name."""

    app: object
    picks: Picks
    pages: dict[str, Page]


def _region(url: str, sizes: Sizes) -> Region:
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False,
                      "CELERY_BROKER_URL": "memory://", "TOOL_BASE_URL": "https://tool.test", "SERVER_NAME": None})
    with app.app_context():
        region = generate(db.session, sizes=sizes, seed=26, slug="region", echo=lambda _line: None)
        picks = representatives(db.session, region.network_id)
        found = {p.name: p for p in pages(db.session, picks)}
    return Region(app, picks, found)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def regions(request, tmp_path_factory):
    """(small, mid) regions on the backend of this run."""
    server = backends.postgres_url()
    urls = []
    if request.param == "postgresql":
        if server is None:
            pytest.skip("PostgreSQL is not reachable")
        urls = [backends.create_postgres_database(server) for _ in range(2)]
    else:
        urls = [f"sqlite:///{tmp_path_factory.mktemp('region') / name}.db" for name in ("small", "mid")]
    made = [_region(url, sizes) for url, sizes in zip(urls, (SMALL, MID))]
    yield made
    for region in made:
        region.app.extensions["tutornet_db"][0].dispose()
    if request.param == "postgresql":
        for url in urls:
            backends.drop_postgres_database(server, url)
