"""Finding 13 of issue 18: what the tool tells or allows anyone on the internet.

Networks created by anyone through /lti/register, an error that confirms another network's
registration, a health check that names the backends, and a CSP that lets any site frame the
tool or receive its forms.
"""
from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from lti_tool.web.auth import ADMIN
from lti_tool.web.extensions import db
from lti_tool.lti.platforms import create_platform
from lti_tool.core.accounts import Network
from tests.admin.conftest import hidden_fields
from tests.lti.platform import TestPlatform


def _register(client, platform, token: str, client_id: str):
    platform.behaviour.token, platform.behaviour.client_id = token, client_id
    query = urlencode({"openid_configuration": platform.config_url, "registration_token": token})
    page = client.get(f"/lti/register?{query}")
    assert page.status_code == 200, page.get_data(as_text=True)[:300]
    return client.post("/lti/register", data={**hidden_fields(page.get_data(as_text=True)), "network_mode": "new"})


def _networks(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Network))


def test_finding_13_new_networks_through_registration_are_rate_limited(dev_app, client, loopback_platform):
    dev_app.config["REGISTRATION_NEW_NETWORKS_PER_HOUR"] = 1
    assert _register(client, loopback_platform, "t1", "client-1").status_code == 200
    second = _register(client, loopback_platform, "t2", "client-2")
    assert second.status_code == 429
    assert _networks(dev_app) == 1


def test_finding_13_an_operator_can_require_approval_of_new_networks(dev_app, client, loopback_platform):
    dev_app.config["REGISTRATION_REQUIRES_APPROVAL"] = True
    assert _register(client, loopback_platform, "t1", "client-1").status_code == 200
    login = client.post("/lti/login", data={
        "iss": loopback_platform.url, "client_id": "client-1", "login_hint": "u1", "lti_deployment_id": "7",
        "target_link_uri": "https://tool.test/lti/launch", "lti1p3_new_window": "1"})
    assert login.status_code == 403  # launches wait for the operator


def test_finding_13_adding_a_platform_does_not_confirm_another_network_s_registration(app, client, auth):
    a, b = auth.network("Сеть А", slug="net-a"), auth.network("Сеть Б", slug="net-b")
    with app.app_context():
        create_platform(db.session, **TestPlatform(issuer="https://lms-a.test", client_id="client-a").registration(a))
        db.session.commit()
    auth.login(ADMIN, network_id=b)
    response = client.post("/admin/platforms/new", data={
        "issuer": "https://lms-a.test", "client_id": "client-a", "auth_login_url": "https://lms-a.test/auth",
        "auth_token_url": "https://lms-a.test/token", "key_set": json.dumps(TestPlatform(key_index=4).jwks())})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "уже зарегистрирована" not in page and "already registered" not in page


def test_finding_13_healthz_names_no_backend_to_anonymous_callers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    text = response.get_data(as_text=True).lower()
    for word in ("sqlite", "postgresql", "memory", "redis", "amqp", "backend", "transport"):
        assert word not in text
    assert json.loads(text)["status"] == "ok"


def test_finding_13_only_registered_platforms_may_frame_the_tool_or_receive_its_forms(app, client, auth):
    with app.app_context():
        create_platform(db.session, **TestPlatform(issuer="https://lms.test").registration(auth.network()))
        db.session.commit()
    csp = dict(part.strip().split(" ", 1) for part in client.get("/").headers["Content-Security-Policy"].split(";"))
    assert "*" not in csp["frame-ancestors"].split() and "https://lms.test" in csp["frame-ancestors"].split()
    assert "*" not in csp["form-action"].split() and "https://lms.test" in csp["form-action"].split()


def test_finding_13_the_registration_page_may_be_framed_by_the_lms_registering(dev_app, client, loopback_platform):
    """Dynamic registration runs in the LMS's frame before the LMS is registered: its page (and only
    it) names the origin of the OpenID configuration it was opened with."""
    loopback_platform.behaviour.token, loopback_platform.behaviour.client_id = "t1", "client-1"
    query = urlencode({"openid_configuration": loopback_platform.config_url, "registration_token": "t1"})
    page = client.get(f"/lti/register?{query}")
    csp = dict(part.strip().split(" ", 1) for part in page.headers["Content-Security-Policy"].split(";"))
    origin = loopback_platform.url.rstrip("/")
    assert origin in csp["frame-ancestors"].split()
    assert origin not in client.get("/").headers["Content-Security-Policy"]
