"""Tool keys: generated once, published, rotated with an overlap; the JWKS and config endpoints."""
from __future__ import annotations

from datetime import timedelta

import jwt

from lti_tool.lti import tool_keys as keys


def test_key_generated_once_and_published(client, db_session):
    first = client.get("/lti/jwks").get_json()
    assert len(first["keys"]) == 1 and first["keys"][0]["kid"] and "d" not in first["keys"][0]
    assert client.get("/.well-known/jwks.json").get_json() == first
    assert client.get("/lti/jwks").get_json() == first
    assert keys.signing_key(db_session).kid == first["keys"][0]["kid"]


def test_rotation_keeps_the_old_key_during_the_overlap(client, db_session):
    old = keys.signing_key(db_session)
    signed_before = jwt.encode({"x": 1}, old.private_key_pem, algorithm="RS256", headers={"kid": old.kid})
    new = keys.rotate_keys(db_session, overlap=timedelta(days=7))
    db_session.commit()
    assert keys.signing_key(db_session).kid == new.kid != old.kid
    published = {k["kid"]: k for k in client.get("/lti/jwks").get_json()["keys"]}
    assert set(published) == {old.kid, new.kid}
    # What was signed with the old key still verifies against the published JWKS.
    assert jwt.decode(signed_before, jwt.PyJWK(published[old.kid]).key, algorithms=["RS256"]) == {"x": 1}
    newest = keys.rotate_keys(db_session, overlap=timedelta(0))  # no overlap: `new` is withdrawn at once
    db_session.commit()
    assert {k["kid"] for k in client.get("/lti/jwks").get_json()["keys"]} == {old.kid, newest.kid}


def test_config_json(client):
    config = client.get("/lti/config").get_json()
    assert config["initiate_login_uri"] == "https://tool.test/lti/login"
    assert config["redirect_uris"] == ["https://tool.test/lti/launch"]
    assert config["jwks_uri"] == "https://tool.test/lti/jwks"
    assert "email" in config["claims"] and "name" in config["claims"]
    assert "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly" in config["scopes"]
    assert {m["type"] for m in config["messages"]} == {"LtiResourceLinkRequest", "LtiDeepLinkingRequest"}
