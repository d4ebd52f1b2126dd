"""OIDC launch from the demo LMS: claims, signature, redirect_uri checks, Moodle-like roles."""
from __future__ import annotations

import jwt
import requests

from demo_lms.testing import launch, parse_form

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
MEM = "http://purl.imsglobal.org/vocab/lis/v2/membership#"


def test_teacher_launch_claims_and_signature(lms, tool, http):
    r = launch(http, lms.url, 1, "teacher")
    assert r.status_code == 200, r.text
    header, c = r.json()["header"], r.json()["claims"]
    assert header["alg"] == "RS256" and header["kid"] == lms.state()["platform_kid"]
    assert c["iss"] == lms.url and c["aud"] == "tutornet-demo"
    assert c["exp"] - c["iat"] == 60
    assert c[LTI + "message_type"] == "LtiResourceLinkRequest"
    assert c[LTI + "version"] == "1.3.0"
    assert c[LTI + "deployment_id"] == "1"
    assert c[LTI + "target_link_uri"] == f"{tool.url}/lti/launch"
    assert c[LTI + "resource_link"]["id"] == "1"
    assert c[LTI + "roles"] == [MEM + "Learner"]
    assert c[LTI + "context"]["title"].startswith("Сетевое сообщество тьюторов")
    assert c[LTI + "tool_platform"]["product_family_code"] == "moodle"
    assert c[LTI + "launch_presentation"]["locale"] == "ru"
    assert c[LTI + "launch_presentation"]["document_target"] == "iframe"
    assert c["sub"] == lms.course()["representatives"]["teacher"]
    assert c["email"] and c["given_name"] and c["family_name"] and c["name"]
    ags = c["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"]
    assert ags["lineitems"] == f"{lms.url}/api/courses/1/lineitems" and "lineitem" not in ags
    assert len(ags["scope"]) == 4
    nrps = c["https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"]
    assert nrps == {"context_memberships_url": f"{lms.url}/api/courses/1/memberships", "service_versions": ["2.0"]}


def test_roles_like_moodle(lms, http):
    roles = {who: launch(http, lms.url, 1, who).json()["claims"][LTI + "roles"]
             for who in ("tutor", "methodist", "admin")}
    assert roles["tutor"] == [MEM + "Instructor"]
    assert set(roles["methodist"]) == {MEM + "ContentDeveloper", MEM + "Instructor"}
    assert MEM + "Learner" not in roles["admin"]
    assert "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator" in roles["admin"]
    assert "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator" in roles["admin"]


def test_login_initiation_parameters(lms, tool):
    minted = lms.mint_launch(link_id=1, user_id="tutor")
    assert minted["login_url"] == f"{tool.url}/lti/login"
    p = minted["params"]
    assert set(p) == {"iss", "login_hint", "target_link_uri", "lti_message_hint", "client_id", "lti_deployment_id"}
    assert parse_form(minted["html"])[2] == p


def test_redirect_uri_mismatch_is_refused(lms, tool, http):
    tool.redirect_uri_override = f"{tool.url}/evil"
    r = launch(http, lms.url, 1, "teacher")
    assert r.status_code == 400 and "redirect_uri" in r.text
    assert r.url.startswith(lms.url + "/auth")


def test_launch_request_is_single_use(lms, tool):
    minted = lms.mint_launch(link_id=1, user_id="teacher")
    s = requests.Session()
    loc = s.post(minted["login_url"], data=minted["params"], allow_redirects=False).headers["Location"]
    assert s.get(loc).status_code == 200
    again = s.get(loc, allow_redirects=False)
    assert again.status_code == 302 and "error=invalid_request" in again.headers["Location"]


def test_auth_rejects_bad_parameters(lms, tool, http):
    minted = lms.mint_launch(link_id=1, user_id="teacher")
    loc = http.post(minted["login_url"], data=minted["params"], allow_redirects=False).headers["Location"]
    r = http.get(loc.replace("prompt=none", "prompt=login"), allow_redirects=False)
    assert r.status_code == 302 and "error=invalid_request" in r.headers["Location"]
    r = http.get(loc.replace("client_id=tutornet-demo", "client_id=nope"), allow_redirects=False)
    assert r.status_code == 400


def test_minted_id_token_overrides(lms):
    out = lms.mint_id_token(link_id=1, user_id="teacher", nonce="n1",
                            overrides={LTI + "version": None}, headers={"kid": None})
    assert "kid" not in jwt.get_unverified_header(out["id_token"])
    assert LTI + "version" not in jwt.decode(out["id_token"], options={"verify_signature": False})


def test_openid_configuration_and_jwks(lms):
    conf = requests.get(f"{lms.url}/.well-known/openid-configuration").json()
    assert conf["issuer"] == lms.url and conf["token_endpoint"] == f"{lms.url}/token"
    assert conf["https://purl.imsglobal.org/spec/lti-platform-configuration"]["product_family_code"] == "moodle"
    keys = requests.get(conf["jwks_uri"]).json()["keys"]
    assert keys[0]["kid"] and keys[0]["alg"] == "RS256"


def test_ui_pages_render(lms):
    for path in ("/", "/course/1", "/course/1/view/1?as=tutor", "/course/1/grades", "/course/1/roster",
                 "/admin/tools", "/course/1/deep_link?as=tutor"):
        r = requests.get(lms.url + path)
        assert r.status_code == 200, path
    assert "Войти как педагог" in requests.get(lms.url + "/course/1").text


def test_programmatic_tool_and_noneditingteacher(lms, tool, http):
    second = lms.register_tool(client_id="second-client", tool_url=tool.url, place_in_course=1, scopes=[])
    assert second["deployment_id"] == str(second["id"]) and second["status"] == "active"
    tool.client_id = "second-client"
    try:
        claims = launch(http, lms.url, second["link_id"], "tutor").json()["claims"]
    finally:
        tool.client_id = "tutornet-demo"
    assert claims["aud"] == "second-client" and claims[LTI + "deployment_id"] == second["deployment_id"]
    assert "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice" not in claims
    [uid] = lms.add_members(1, users=[{"given_name": "Вера Олеговна", "family_name": "Тестова",
                                       "email": "t@dou1.example.ru", "kind": "noneditingteacher"}])
    member = next(m for m in lms.members(1) if m["user_id"] == uid)
    assert member["launch_roles"] == [MEM + "Instructor"] and member["nrps_roles"] == [MEM + "Learner"]
    assert launch(http, lms.url, 1, uid).json()["claims"][LTI + "roles"] == [MEM + "Instructor"]


def test_platform_key_rotation(lms, http):
    before = lms.state()["platform_kid"]
    rotated = lms.rotate_key()
    assert rotated["previous_kid"] == before and rotated["kid"] != before
    kids = [k["kid"] for k in requests.get(f"{lms.url}/.well-known/jwks.json").json()["keys"]]
    assert kids == [rotated["kid"], before]
    assert launch(http, lms.url, 1, "teacher").json()["header"]["kid"] == rotated["kid"]
