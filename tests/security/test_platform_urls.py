"""Findings 1-4 of issue 18: URLs a platform (or someone posing as one) hands the tool.

Reproduced over HTTP against real loopback servers, through the web app's test client and the
sync worker's own functions. Each test failed before the fix it names.
"""
from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from lti_tool.web.auth import ADMIN
from lti_tool.web.extensions import db
from lti_tool.core.courses import RosterSync
from lti_tool.core.addresses import hosts_of
from lti_tool.core.grades import ScoreOutbox
from lti_tool.lti.models import Platform
from lti_tool.lti.platforms import create_platform
from lti_tool.core.courses import Course
from sync.grades import push_platform
from sync.roster import pull_roster
from sync.tokens import PlatformRef, TokenError, TokenProvider
from tests.admin.conftest import hidden_fields
from tests.lti.platform import LtiActions, TestPlatform
from tests.sync.helpers import add_line_item, add_outbox, add_users

from .conftest import wait_until

SECRET = "hunter2"  # what the internal service answers; must never reach a page or a log line


def _register_start(client, config_url: str, token: str = "reg-token-1"):
    return client.get("/lti/register?" + urlencode({"openid_configuration": config_url, "registration_token": token}))


# --- 1. a dripping OpenID configuration holds a web thread ---

def test_finding_01_a_dripping_openid_configuration_is_cut_off_at_the_total_deadline(dev_app, client, evil):
    """The configuration arrives in 30 pieces over 3 s, each well within any socket timeout; the
    limit is 1 s. Before the fix the tool waited for the last piece (the deadline was checked
    between 8 KiB chunks only), so a web thread was held as long as the peer liked."""
    issuer = evil.url("")
    config = json.dumps({"issuer": issuer, "authorization_endpoint": issuer + "/auth",
                         "token_endpoint": issuer + "/token", "jwks_uri": issuer + "/jwks",
                         "registration_endpoint": issuer + "/register",
                         "https://purl.imsglobal.org/spec/lti-platform-configuration": {}}).encode()

    def dripping(handler):
        handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                            b"Content-Length: %d\r\n\r\n" % len(config))
        handler.drip(config, 0.1, pieces=30)

    evil.routes["/openid-configuration"] = dripping
    response = _register_start(client, evil.url("/openid-configuration"))
    assert response.status_code == 502
    assert "не ответила вовремя" in response.get_data(as_text=True)
    assert wait_until(lambda: evil.recorder.drips_ended == 1)
    assert evil.recorder.drips_finished == 0, "the tool waited for the whole drip"


# --- 2. service URLs of launch claims, fetched by the worker with the platform's token ---

def _internal_answers_secret(evil):
    evil.routes["/internal"] = lambda h: h.answer(500, f"internal admin panel, password {SECRET}".encode(),
                                                  "text/plain")
    return evil.url("/internal", host="localhost")  # another host than the platform's 127.0.0.1


def test_finding_02_the_worker_never_sends_the_token_to_a_roster_url_off_the_platform(tool, evil):
    with tool.rt.sessions.begin() as s:
        s.get(Course, tool.course_id).nrps_url = _internal_answers_secret(evil)
    result = pull_roster(tool.rt.sessions, tool.course_id, tool.rt.tokens, tool.rt.http, tool.rt.settings)
    assert evil.recorder.requests == [], "the worker sent the platform's bearer token to another host"
    assert result.status != "ok"
    with tool.rt.sessions() as s:
        error = s.scalar(sa.select(RosterSync.last_error).where(RosterSync.course_id == tool.course_id)) or ""
    assert SECRET not in error


def test_finding_02_the_worker_never_sends_the_token_to_a_line_items_url_off_the_platform(tool, evil):
    with tool.rt.sessions.begin() as s:
        s.get(Course, tool.course_id).ags_lineitems_url = _internal_answers_secret(evil)
        users = add_users(s, tool.lms.url, ["learner-1"])
        line_item = add_line_item(s, tool.course_id)
        add_outbox(s, tool.network_id, tool.course_id, line_item, users)
    push_platform(tool.rt.sessions, tool.platform_id, tool.rt.tokens, tool.rt.http, tool.rt.settings)
    assert evil.recorder.requests == [], "the worker sent the platform's bearer token to another host"
    with tool.rt.sessions() as s:
        errors = " ".join(e or "" for e in s.scalars(sa.select(ScoreOutbox.last_error)))
    assert SECRET not in errors


def test_finding_02_a_token_endpoint_error_is_not_echoed(tool, evil):
    evil.routes["/token"] = lambda h: h.answer(400, f"<html>stack trace with {SECRET}</html>".encode(), "text/html")
    ref = PlatformRef(tool.platform_id, tool.lms.url, tool.client_id, evil.url("/token"), None,
                      hosts_of(tool.lms.url, evil.url("/token")))
    tokens = TokenProvider(tool.rt.sessions, tool.rt.cache, tool.rt.http)
    with pytest.raises(TokenError) as info:
        tokens.token(ref, ("https://purl.imsglobal.org/spec/lti-ags/scope/score",))
    assert SECRET not in str(info.value)
    assert "400" in str(info.value)


# --- 3. platform keys and endpoints ---

def test_finding_03_the_launch_key_set_fetch_does_not_follow_a_redirect_to_another_host(app, client, auth, evil):
    app.config.update(DEV_MODE=True, LTI_JWKS_MIN_REFETCH_SECONDS=0)
    platform = TestPlatform(issuer="https://redirected-lms.test", client_id="redirected", key_index=2)
    keys_elsewhere = evil  # serves the platform's real keys, but on another host
    keys_elsewhere.routes["/jwks"] = lambda h: h.answer(200, json.dumps(platform.jwks()).encode())
    from tests.core.outbound_servers import Server

    redirector = Server()
    redirector.routes["/jwks"] = lambda h: h.answer(302, b"", "", Location=keys_elsewhere.url("/jwks", host="localhost"))
    try:
        with app.app_context():
            create_platform(db.session, **{**platform.registration(auth.network()), "key_set": None,
                                           "key_set_url": redirector.url("/jwks")})
            db.session.commit()
        response = LtiActions(app, client, platform).launch("Learner")
    finally:
        redirector.stop()
    assert keys_elsewhere.recorder.requests == [], "the key set was fetched from the host a redirect named"
    assert response.status_code == 401


PRIVATE_ENDPOINTS = ["https://169.254.169.254/latest/meta-data/", "https://10.0.0.1/mod/lti/token.php",
                     "https://[fd00:ec2::254]/token"]


@pytest.mark.parametrize("endpoint", PRIVATE_ENDPOINTS)
@pytest.mark.parametrize("field", ["auth_login_url", "auth_token_url"])
def test_finding_03_the_admin_form_refuses_endpoints_on_private_addresses(app, client, auth, field, endpoint):
    """Production settings (no TUTORNET_DEV): before the fix only the scheme was checked."""
    nid = auth.network()
    auth.login(ADMIN, network_id=nid)
    form = {"name": "ЛМС", "issuer": "https://lms-b.test", "client_id": "client-b",
            "auth_login_url": "https://lms-b.test/auth", "auth_token_url": "https://lms-b.test/token",
            "key_set": json.dumps(TestPlatform(key_index=3).jwks()), field: endpoint}
    response = client.post("/admin/platforms/new", data=form)
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Platform)) == 0


@pytest.mark.parametrize("endpoint", PRIVATE_ENDPOINTS)
@pytest.mark.parametrize("field", ["token_endpoint", "jwks_uri", "authorization_endpoint"])
def test_finding_03_dynamic_registration_refuses_endpoints_on_private_addresses(dev_app, client, loopback_platform,
                                                                               field, endpoint):
    """Even with development settings (loopback allowed) a metadata or private address is not."""
    loopback_platform.behaviour.config_overrides = {field: endpoint}
    response = _register_start(client, loopback_platform.config_url)
    assert response.status_code == 400
    assert 'name="state"' not in response.get_data(as_text=True)  # no confirmation form


# --- 4. re-registration takeover ---

def _register(client, platform, token, **fields):
    page = _register_start(client, platform.config_url, token)
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    data = {**hidden_fields(page.get_data(as_text=True)), "network_mode": "new", **fields}
    return client.post("/lti/register", data=data)


def _stored(app) -> Platform:
    with app.app_context():
        platform = db.session.scalars(sa.select(Platform)).one()
        db.session.expunge(platform)
        return platform


def test_finding_04_a_registration_endpoint_on_another_host_cannot_rewrite_a_platform(dev_app, client,
                                                                                     loopback_platform):
    assert _register(client, loopback_platform, "reg-token-1").status_code == 200
    before = _stored(dev_app)
    lp = loopback_platform
    lp.behaviour.token = "reg-token-2"
    port = lp.url.rsplit(":", 1)[1]
    lp.behaviour.config_overrides = {
        "registration_endpoint": f"http://localhost:{port}/mod/lti/openid-registration.php",
        "jwks_uri": f"{lp.url}/mod/lti/other-certs.php", "authorization_endpoint": f"{lp.url}/mod/lti/other-auth.php"}
    page = _register_start(client, lp.config_url, "reg-token-2")
    response = page if page.status_code != 200 else client.post(
        "/lti/register", data={**hidden_fields(page.get_data(as_text=True)), "network_mode": "new"})
    after = _stored(dev_app)
    assert (after.key_set_url, after.auth_login_url) == (before.key_set_url, before.auth_login_url)
    assert response.status_code >= 400
    assert len(lp.behaviour.registrations) == 1, "the registration was posted to another host"


def test_finding_04_a_re_registration_changes_no_keys_without_the_network_s_approval(dev_app, client,
                                                                                    loopback_platform):
    assert _register(client, loopback_platform, "reg-token-1").status_code == 200
    before = _stored(dev_app)
    lp = loopback_platform
    lp.behaviour.token = "reg-token-2"
    lp.behaviour.config_overrides = {"jwks_uri": f"{lp.url}/mod/lti/other-certs.php"}
    response = _register(client, lp, "reg-token-2")  # same client_id answered, no invitation code given
    assert _stored(dev_app).key_set_url == before.key_set_url
    assert response.status_code in (403, 409)
