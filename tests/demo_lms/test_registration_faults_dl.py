"""Dynamic registration, fault injection and deep linking against the demo LMS."""
from __future__ import annotations

import time

import jwt
import requests

from demo_lms.testing import deep_link_launch, launch

TOOL_CONF = "https://purl.imsglobal.org/spec/lti-tool-configuration"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


def registration(tool) -> dict:
    return {
        "application_type": "web", "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"], "initiate_login_uri": f"{tool.url}/lti/login",
        "redirect_uris": [f"{tool.url}/lti/launch"], "client_name": "Fake tool", "jwks_uri": f"{tool.url}/lti/jwks",
        "token_endpoint_auth_method": "private_key_jwt", "scope": f"{NRPS} https://example.com/bogus",
        TOOL_CONF: {"domain": "127.0.0.1", "target_link_uri": f"{tool.url}/lti/launch", "claims": ["iss", "sub"],
                    "messages": [{"type": "LtiDeepLinkingRequest", "target_link_uri": f"{tool.url}/lti/launch"}]},
    }


def test_dynamic_registration_one_use_token_and_pending(lms, tool, http):
    out = lms.registration_token(tool_url=f"{tool.url}/lti/register")
    assert "openid_configuration=" in out["registration_url"] and "registration_token=" in out["registration_url"]
    reg_tok = out["registration_token"]
    assert jwt.decode(reg_tok, options={"verify_signature": False})["exp"] - time.time() > 3500
    conf = requests.get(out["openid_configuration"]).json()
    endpoint = conf["registration_endpoint"]
    assert requests.post(endpoint, json=registration(tool)).status_code == 401
    bad = registration(tool)
    del bad["jwks_uri"]
    r = requests.post(endpoint, json=bad, headers={"Authorization": f"Bearer {reg_tok}"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_client_metadata"
    r = requests.post(endpoint, json=registration(tool), headers={"Authorization": f"Bearer {reg_tok}"})
    assert r.status_code == 200, r.text
    body = r.json()
    client_id, deployment = body["client_id"], body[TOOL_CONF]["deployment_id"]
    assert body["scope"] == NRPS and deployment
    again = requests.post(endpoint, json=registration(tool), headers={"Authorization": f"Bearer {reg_tok}"})
    assert again.status_code == 401
    registered = next(t for t in lms.tools() if t["client_id"] == client_id)
    assert registered["status"] == "pending"
    link = lms.create_link(client_id=client_id, title="Новая")
    pending = requests.get(f"{lms.url}/launch/{link['link_id']}?as=teacher")
    assert pending.status_code == 400 and "Pending" in pending.text
    assert tool.token_response([NRPS]).status_code == 200  # the seeded tool is unaffected
    lms.activate_tool(client_id)
    tool.client_id = client_id
    try:
        claims = launch(http, lms.url, link["link_id"], "teacher").json()["claims"]
    finally:
        tool.client_id = "tutornet-demo"
    assert claims["aud"] == client_id
    assert "email" not in claims and "name" not in claims  # personal claims were not requested
    assert "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint" not in claims


def test_fault_rules_then_recovery(lms, tool):
    tok = tool.token([NRPS])
    url = f"{lms.url}/api/courses/1/memberships"
    lms.set_faults(rules=[{"path_prefix": "/api/", "method": "GET", "status": 500, "count": 2}])
    codes = [requests.get(url, headers={"Authorization": f"Bearer {tok}"}).status_code for _ in range(3)]
    assert codes == [500, 500, 200]
    lms.set_faults(rules=[{"path_prefix": "/token", "status": 429, "count": 1, "retry_after": 7}])
    r = tool.token_response([NRPS])
    assert r.status_code == 429 and r.headers["Retry-After"] == "7"
    assert tool.token_response([NRPS]).status_code == 200
    lms.set_faults(latency_ms=300)
    t0 = time.time()
    requests.get(url, headers={"Authorization": f"Bearer {tok}"})
    assert time.time() - t0 >= 0.3
    lms.set_faults(rules=[{"path_prefix": "/api/", "timeout": 1.0, "count": 1}])
    try:
        requests.get(url, headers={"Authorization": f"Bearer {tok}"}, timeout=0.3)
        raise AssertionError("expected a timeout")
    except requests.Timeout:
        pass
    assert requests.get(url, headers={"Authorization": f"Bearer {tok}"}, timeout=5).status_code == 200
    assert lms.stats()["faults_injected"] >= 4
    lms.reset()
    assert lms.control("GET", "faults") == {"latency_ms": 0.0, "rules": []}


def test_deep_linking_creates_link_with_lineitem(lms, tool, http):
    r = deep_link_launch(http, lms.url, 1, "tutor")
    req = r.json()["claims"]
    assert req["https://purl.imsglobal.org/spec/lti/claim/message_type"] == "LtiDeepLinkingRequest"
    settings = req["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"]
    assert settings["deep_link_return_url"] == f"{lms.url}/deep_link_return"
    assert settings["accept_types"] == ["ltiResourceLink"] and settings["accept_multiple"] is True
    item = {"type": "ltiResourceLink", "title": "Тьюториал: ранний английский", "url": f"{tool.url}/lti/launch",
            "custom": {"event_id": "42"},
            "lineItem": {"label": "Участие в тьюториале", "scoreMaximum": 5, "resourceId": "event-42",
                         "tag": "tutorial"}}
    token = tool.deep_link_response(req, [item])
    back = requests.post(settings["deep_link_return_url"], data={"JWT": token})
    assert back.status_code == 200, back.text
    new_link = int(back.headers["X-Demo-LMS-Created-Links"])
    assert "Тьюториал: ранний английский" in requests.get(f"{lms.url}/course/1").text
    li = [x for x in lms.lineitems(1) if x["resource_link_id"] == new_link]
    assert li and li[0]["scoreMaximum"] == 5 and li[0]["tag"] == "tutorial"
    # The nonce is single use, and a response for another deployment is refused.
    assert requests.post(settings["deep_link_return_url"], data={"JWT": token}).status_code == 400
    wrong = tool.deep_link_response(req, [item], **{"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "9"})
    assert requests.post(settings["deep_link_return_url"], data={"JWT": wrong}).status_code == 400
    claims = launch(http, lms.url, new_link, "teacher").json()["claims"]
    assert claims["https://purl.imsglobal.org/spec/lti/claim/custom"] == {"event_id": "42"}
    assert claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"]["lineitem"].endswith(f"/{li[0]['id']}")


def test_tool_key_rotation_refetches_jwks(lms, tool):
    from cryptography.hazmat.primitives.asymmetric import rsa

    assert tool.token_response([NRPS]).status_code == 200
    old_key, old_kid = tool.key, tool.kid
    tool.key, tool.kid = rsa.generate_private_key(public_exponent=65537, key_size=2048), "fake-tool-2"
    try:
        assert tool.token_response([NRPS]).status_code == 200  # unknown kid -> refetch
    finally:
        tool.key, tool.kid = old_key, old_kid
    assert lms.stats()["jwks_fetches"] >= 2
