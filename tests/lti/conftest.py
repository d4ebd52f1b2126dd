"""Fixtures of the LTI tests: a registered test platform and the `lti` launch helper."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from lti_tool.lti.platforms import create_platform
from lti_tool.web.extensions import db
from tests.lti.platform import LtiActions, TestPlatform

# Rows a refused launch must not create (cache entries are the launch's own state, not data).
DOMAIN_TABLES = ("network", "user_account", "course", "enrollment", "lti_resource_link", "lti_line_item",
                 "person", "lti_platform", "lti_deployment", "role_grant")


@pytest.fixture
def network_id(auth) -> int:
    return auth.network("Ассоциация тьюторов А", slug="net-a")


@pytest.fixture
def platform(app, network_id):
    """The test platform registered with a static JWKS in the database."""
    test_platform = TestPlatform()
    with app.app_context():
        create_platform(db.session, **test_platform.registration(network_id))
        db.session.commit()
    app.config["LTI_JWKS_MIN_REFETCH_SECONDS"] = 0
    yield test_platform
    if test_platform.server:
        test_platform.server.stop()


@pytest.fixture
def served_platform(app, network_id):
    """A test platform whose JWKS the tool fetches over loopback HTTP (development settings: the
    outbound guard allows plain http to loopback only then)."""
    app.config["DEV_MODE"] = True
    test_platform = TestPlatform(issuer="https://served-lms.test", client_id="served-client", key_index=1)
    with app.app_context():
        create_platform(db.session, **test_platform.registration(network_id, served=True))
        db.session.commit()
    app.config["LTI_JWKS_MIN_REFETCH_SECONDS"] = 0
    yield test_platform
    test_platform.server.stop()


@pytest.fixture
def lti(app, client, platform) -> LtiActions:
    return LtiActions(app, client, platform)


def row_counts(app) -> dict[str, int]:
    """Rows per domain table."""
    with app.app_context():
        return {t: db.session.scalar(sa.text(f'SELECT count(*) FROM "{t}"')) for t in DOMAIN_TABLES}
