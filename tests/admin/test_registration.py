"""Dynamic registration against a loopback platform over real HTTP: success, update, refusals."""
from __future__ import annotations

import json
from urllib.parse import urlencode

import sqlalchemy as sa

from lti_tool.admin import invitations
from lti_tool.admin.models import NetworkInvitation
from lti_tool.core.accounts import Network
from lti_tool.lti.models import Deployment, Platform

from .conftest import hidden_fields
from .platform import TOOL_CONFIG

AGS = "https://purl.imsglobal.org/spec/lti-ags/scope/"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


def _start(client, platform, token="reg-token-1", url=None):
    query = urlencode({"openid_configuration": url or platform.config_url, "registration_token": token})
    return client.get(f"/lti/register?{query}")


def _confirm(client, page, **fields):
    data = hidden_fields(page.get_data(as_text=True))
    data.setdefault("network_mode", "new")
    data.update(fields)
    return client.post("/lti/register", data=data)


def _counts(app):
    from lti_tool.web.extensions import db

    with app.app_context():
        return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(m))
                     for m in (Platform, Deployment, Network))


def test_full_registration_creates_platform_deployment_and_network(dev_app, client, platform):
    page = _start(client, platform)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "moodle" in html and "2024100700" in html  # product family and version
    assert "contextmembership.readonly" in html and "lineitem" in html  # the services granted
    assert "Зарегистрировать" in html  # the admin's language (Russian by default)

    done = _confirm(client, page, network_name="Сеть тьюторов Заречного")
    body = done.get_data(as_text=True)
    assert done.status_code == 200, body
    assert "data-lti-close" in body
    assert "Pending" in body or "Ожидающ" in body or "Активировать" in body

    [sent] = platform.behaviour.registrations
    assert sent["initiate_login_uri"] == "https://tool.test/lti/login"
    assert sent["redirect_uris"] == ["https://tool.test/lti/launch"]
    assert sent["jwks_uri"] == "https://tool.test/lti/jwks"
    assert sent["token_endpoint_auth_method"] == "private_key_jwt"
    assert set(sent["grant_types"]) == {"implicit", "client_credentials"}
    assert sent["response_types"] == ["id_token"]
    assert set(sent["scope"].split()) == {AGS + "lineitem", AGS + "lineitem.readonly", AGS + "result.readonly",
                                          AGS + "score", NRPS}
    tool_conf = sent[TOOL_CONFIG]
    assert tool_conf["domain"] == "tool.test"
    assert {"name", "given_name", "family_name", "email", "locale"} <= set(tool_conf["claims"])
    types = {m["type"]: m for m in tool_conf["messages"]}
    assert set(types) == {"LtiResourceLinkRequest", "LtiDeepLinkingRequest"}
    assert all(m["label"] and m["placements"] for m in types.values())
    assert sent["client_name"] == "TutorNet" and "тьютор" in tool_conf["description"]
    logo = client.get(sent["logo_uri"].replace("https://tool.test", ""))
    assert logo.status_code == 200 and b"<svg" in logo.data

    from lti_tool.web.extensions import db

    with dev_app.app_context():
        stored = db.session.scalars(sa.select(Platform)).one()
        assert (stored.issuer, stored.client_id, stored.registered_by) == (platform.url, "client-abc", "dynamic")
        assert stored.auth_login_url == f"{platform.url}/mod/lti/auth.php"
        assert stored.auth_token_url == f"{platform.url}/mod/lti/token.php"
        assert stored.key_set_url == f"{platform.url}/mod/lti/certs.php"
        assert stored.product_family == "moodle" and stored.enabled
        [deployment] = stored.deployments
        assert deployment.deployment_id == "7" and deployment.network_id == stored.network_id
        network = db.session.get(Network, stored.network_id)
        assert network.name == "Сеть тьюторов Заречного"


def test_configuration_fetched_through_the_guard_stays_signed(dev_app, client, platform):
    """The state between the pages is a signed field: altering it stores nothing."""
    page = _start(client, platform)
    fields = hidden_fields(page.get_data(as_text=True))
    fields["state"] = fields["state"][:-3] + "abc"
    resp = client.post("/lti/register", data={**fields, "network_mode": "new"})
    assert resp.status_code == 400
    assert platform.behaviour.registrations == []
    assert _counts(dev_app) == (0, 0, 0)


def test_issuer_mismatch_refused(dev_app, client, platform):
    platform.behaviour.config_overrides = {"issuer": "https://moodle.example.org"}
    resp = _start(client, platform)
    assert resp.status_code == 400
    assert "moodle.example.org" in resp.get_data(as_text=True)
    assert _counts(dev_app) == (0, 0, 0)


def test_missing_endpoint_refused(dev_app, client, platform):
    platform.behaviour.config_remove = ("registration_endpoint",)
    resp = _start(client, platform)
    assert resp.status_code == 400 and "registration_endpoint" in resp.get_data(as_text=True)


def test_missing_lti_platform_claim_refused(dev_app, client, platform):
    platform.behaviour.config_remove = ("https://purl.imsglobal.org/spec/lti-platform-configuration",)
    resp = _start(client, platform)
    assert resp.status_code == 400 and "lti-platform-configuration" in resp.get_data(as_text=True)


def test_token_refused_by_platform_stores_nothing(dev_app, client, platform):
    page = _start(client, platform, token="forged")
    resp = _confirm(client, page)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 502
    assert "401" in html and "data-lti-close" not in html
    assert _counts(dev_app) == (0, 0, 0)


def test_token_is_single_use_at_the_platform(dev_app, client, platform):
    page = _start(client, platform)
    assert _confirm(client, page).status_code == 200
    again = _confirm(client, page)  # replay of the same confirmation
    assert again.status_code == 502
    assert _counts(dev_app) == (1, 1, 1)


def test_platform_error_stores_nothing(dev_app, client, platform):
    platform.behaviour.register_status = 500
    resp = _confirm(client, _start(client, platform))
    assert resp.status_code == 502 and "500" in resp.get_data(as_text=True)
    assert _counts(dev_app) == (0, 0, 0)


def test_platform_timeout_stores_nothing(dev_app, client, platform):
    dev_app.config["OUTBOUND_TIMEOUT"] = 0.5
    platform.behaviour.register_delay = 1.5
    resp = _confirm(client, _start(client, platform))
    assert resp.status_code == 502
    assert _counts(dev_app) == (0, 0, 0)


def test_platform_down_refused_with_a_page(dev_app, client, platform):
    url = platform.config_url
    platform.stop()
    resp = _start(client, platform, url=url)
    assert resp.status_code == 502
    assert "text/html" in resp.content_type
    assert _counts(dev_app) == (0, 0, 0)


def test_outside_development_http_and_loopback_refused(app, client, platform):
    """DEV_MODE off (production): the loopback http configuration URL is refused, nothing fetched."""
    resp = _start(client, platform)
    assert resp.status_code == 400
    assert "https://" in resp.get_data(as_text=True)
    resp = _start(client, platform, url=platform.config_url.replace("http://", "https://"))
    assert resp.status_code == 400
    assert _counts(app) == (0, 0, 0)


def test_oversize_configuration_refused(dev_app, client, platform):
    resp = _start(client, platform, url=f"{platform.url}/big.json")
    assert resp.status_code == 400 and _counts(dev_app) == (0, 0, 0)


def test_redirect_to_another_host_refused(dev_app, client, platform):
    resp = _start(client, platform, url=f"{platform.url}/redirect-away")
    assert resp.status_code == 400 and _counts(dev_app) == (0, 0, 0)


def test_registration_page_needs_the_parameters(dev_app, client):
    resp = client.get("/lti/register")
    assert resp.status_code == 400 and "openid_configuration" in resp.get_data(as_text=True)


def test_join_without_valid_invitation_refused_before_contacting_platform(dev_app, client, platform, auth):
    network_id = auth.network()
    page = _start(client, platform)
    resp = _confirm(client, page, network_mode="join", invitation_code="made-up-code")
    assert resp.status_code == 403
    assert platform.behaviour.registrations == []  # the token was not spent
    assert _counts(dev_app) == (0, 0, 1)
    assert network_id


def test_join_with_invitation_accepted_once(dev_app, client, platform, auth, db_session):
    network_id = auth.network(name="Ассоциация тьюторов")
    code = invitations.issue(db_session, network_id)
    db_session.commit()
    resp = _confirm(client, _start(client, platform), network_mode="join", invitation_code=code)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    stored = db_session.scalars(sa.select(Platform)).one()
    assert stored.network_id == network_id and stored.deployments[0].network_id == network_id
    assert db_session.scalars(sa.select(NetworkInvitation)).one().used_by_platform_id == stored.id

    # The same code a second time: refused, nothing new stored.
    platform.behaviour.token, platform.behaviour.client_id = "reg-token-2", "client-other"
    again = _confirm(client, _start(client, platform, token="reg-token-2"), network_mode="join", invitation_code=code)
    assert again.status_code == 403
    assert _counts(dev_app) == (1, 1, 1)


def test_expired_invitation_refused(dev_app, client, platform, auth, db_session):
    from datetime import timedelta

    from lti_tool.core.clock import utcnow

    network_id = auth.network()
    code = invitations.issue(db_session, network_id)
    db_session.execute(sa.update(NetworkInvitation).values(expires_at=utcnow() - timedelta(minutes=1)))
    db_session.commit()
    resp = _confirm(client, _start(client, platform), network_mode="join", invitation_code=code)
    assert resp.status_code == 403 and _counts(dev_app) == (0, 0, 1)


def test_reregistration_updates_the_existing_platform(dev_app, client, platform, db_session):
    assert _confirm(client, _start(client, platform)).status_code == 200
    # The LMS registers again (same client_id), with a new token, a new deployment and moved endpoints.
    platform.behaviour.token, platform.behaviour.deployment_id = "reg-token-2", "8"
    platform.behaviour.config_overrides = {"token_endpoint": f"{platform.url}/mod/lti/token2.php"}
    # Moved endpoints need the approval of the platform's network: one of its invitation codes.
    assert _confirm(client, _start(client, platform, token="reg-token-2")).status_code == 409
    platform.behaviour.token = "reg-token-3"
    code = invitations.issue(db_session, db_session.scalars(sa.select(Platform.network_id)).one())
    db_session.commit()
    resp = _confirm(client, _start(client, platform, token="reg-token-3"), network_mode="join", invitation_code=code)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    assert _counts(dev_app) == (1, 2, 1)  # no second platform, no second network
    stored = db_session.scalars(sa.select(Platform)).one()
    assert stored.auth_token_url.endswith("/token2.php")
    assert sorted(d.deployment_id for d in stored.deployments) == ["7", "8"]


def test_registration_without_deployment_id(dev_app, client, platform):
    """Canvas-like answer: no deployment id yet; the platform is stored, deployment comes later."""
    platform.behaviour.deployment_id = None
    assert _confirm(client, _start(client, platform)).status_code == 200
    assert _counts(dev_app) == (1, 0, 1)


def test_csrf_required_on_confirmation(dev_app, client, platform):
    dev_app.config["WTF_CSRF_ENABLED"] = True
    page = _start(client, platform)
    fields = hidden_fields(page.get_data(as_text=True))
    assert fields.get("csrf_token")
    without = {k: v for k, v in fields.items() if k != "csrf_token"}
    assert client.post("/lti/register", data={**without, "network_mode": "new"}).status_code == 400
    assert platform.behaviour.registrations == []
    assert client.post("/lti/register", data={**fields, "network_mode": "new"}).status_code == 200


def test_scopes_limited_to_what_the_platform_supports(dev_app, client, platform):
    platform.behaviour.config_overrides = {"scopes_supported": ["openid", AGS + "score"]}
    assert _confirm(client, _start(client, platform)).status_code == 200
    assert platform.behaviour.registrations[0]["scope"] == AGS + "score"


def test_registration_body_is_json(dev_app, client, platform):
    _confirm(client, _start(client, platform))
    assert json.dumps(platform.behaviour.registrations[0])
