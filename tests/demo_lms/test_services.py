"""Token endpoint, NRPS and AGS of the demo LMS, with Moodle semantics."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import requests
from cryptography.hazmat.primitives.asymmetric import rsa

AGS = "https://purl.imsglobal.org/spec/lti-ags/scope/"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
LI_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"


def bearer(tok: str, ctype: str | None = None) -> dict[str, str]:
    h = {"Authorization": f"Bearer {tok}"}
    if ctype:
        h["Content-Type"] = ctype
    return h


# ---- token endpoint ---------------------------------------------------------------------------

def test_token_granted_and_scopes_intersected(lms, tool):
    r = tool.token_response([NRPS, AGS + "score", "https://example.com/unknown"])
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert set(body["scope"].split()) == {NRPS, AGS + "score"}
    assert tool.token_response([NRPS], aud=lms.url).status_code == 200  # issuer accepted as aud
    stats = lms.stats()
    assert stats["token_requests"] == 2 and stats["tokens_issued"] == 2


def test_token_rejections(lms, tool):
    assert tool.token_response([NRPS], aud="https://elsewhere/token").status_code == 401
    r = tool.token_response([NRPS], jti="same")
    assert r.status_code == 200
    r = tool.token_response([NRPS], jti="same")
    assert r.status_code == 401 and "jti" in r.json()["error_description"]
    r = tool.token_response(["https://example.com/nothing"])
    assert r.status_code == 400 and r.json()["error"] == "invalid_scope"
    r = tool.token_response([NRPS], exp=int(time.time()) - 100)
    assert r.status_code == 401
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    forged = tool.sign({"iss": tool.client_id, "sub": tool.client_id, "aud": f"{lms.url}/token",
                        "iat": now, "exp": now + 60, "jti": "x1"}, key=other)
    r = requests.post(f"{lms.url}/token", data={
        "grant_type": "client_credentials", "client_assertion": forged, "scope": NRPS,
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"})
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    assert lms.stats()["token_requests"] == 6


def test_bearer_checks(lms, tool):
    url = f"{lms.url}/api/courses/1/memberships"
    assert requests.get(url).status_code == 401
    assert requests.get(url, headers=bearer("nope")).status_code == 401
    assert requests.get(url, headers=bearer(tool.token([AGS + "score"]))).status_code == 403


# ---- NRPS -------------------------------------------------------------------------------------

def test_nrps_full_and_paged(lms, tool):
    tok = tool.token([NRPS])
    url = f"{lms.url}/api/courses/1/memberships"
    r = requests.get(url, headers=bearer(tok))
    assert r.headers["Content-Type"].startswith("application/vnd.ims.lti-nrps.v2.membershipcontainer+json")
    assert "Link" not in r.headers
    members = r.json()["members"]
    assert len(members) == 91 and {m["status"] for m in members} == {"Active"}
    assert all(m["email"] and m["given_name"] and m["roles"][0].startswith("http") for m in members)
    seen, next_url = [], f"{url}?limit=40"
    while next_url:
        page = requests.get(next_url, headers=bearer(tok))
        seen += page.json()["members"]
        link = page.headers.get("Link")
        next_url = link.split(">")[0].lstrip("<") if link else None
        if link:
            assert link.endswith('; rel="next"')
    assert [m["user_id"] for m in seen] == [m["user_id"] for m in members]
    learners = requests.get(url, params={"role": "Learner"}, headers=bearer(tok)).json()["members"]
    assert len(learners) == 80


def test_nrps_removed_members_vanish_and_bulk(lms, tool):
    tok = tool.token([NRPS])
    url = f"{lms.url}/api/courses/1/memberships"
    gone = lms.course()["representatives"]["teacher"]
    assert lms.remove_members(1, [gone]) == 1
    ids = {m["user_id"] for m in requests.get(url, headers=bearer(tok)).json()["members"]}
    assert gone not in ids and len(ids) == 90
    t0 = time.time()
    big = lms.create_course(title="Большой курс", learners=10_000, instructors=50)
    assert big["member_count"] == 10_050
    assert time.time() - t0 < 10
    r = requests.get(f"{lms.url}/api/courses/{big['id']}/memberships?limit=1000&from=9000", headers=bearer(tok))
    assert len(r.json()["members"]) == 1000 and 'rel="next"' in r.headers["Link"]
    resized = lms.resize_roster(big["id"], learners=9_990)
    assert len(resized["removed"]) == 10 and resized["member_count"] == 10_040


# ---- AGS --------------------------------------------------------------------------------------

def _lineitem(lms, tok, **fields):
    body = {"label": "Тьюториал", "scoreMaximum": 10, **fields}
    r = requests.post(f"{lms.url}/api/courses/1/lineitems", json=body, headers=bearer(tok, LI_TYPE))
    assert r.status_code == 201, r.text
    return r.json()


def test_lineitems_crud_and_filters(lms, tool):
    tok = tool.token([AGS + "lineitem"])
    a = _lineitem(lms, tok, resourceId="event-1", tag="tutorial", resourceLinkId="1")
    _lineitem(lms, tok, resourceId="event-2", tag="consultation")
    _lineitem(lms, tok, resourceId="event-3", tag="tutorial")
    base = f"{lms.url}/api/courses/1/lineitems"
    get = lambda **q: requests.get(base, params=q, headers=bearer(tok))  # noqa: E731
    assert len(get().json()) == 3
    assert [li["id"] for li in get(resource_link_id="1").json()] == [a["id"]]
    assert len(get(tag="tutorial").json()) == 2
    assert get(resource_id="event-2").json()[0]["tag"] == "consultation"
    paged = get(limit=2)
    assert len(paged.json()) == 2 and paged.headers["Link"].endswith('rel="next"')
    r = requests.put(a["id"], json={**a, "label": "Новое"}, headers=bearer(tok, LI_TYPE))
    assert r.status_code == 200 and r.json()["label"] == "Новое"
    assert requests.post(base, json={"label": "x"}, headers=bearer(tok, LI_TYPE)).status_code == 400
    ro = tool.token([AGS + "lineitem.readonly"])
    assert requests.get(a["id"], headers=bearer(ro)).status_code == 200
    assert requests.post(base, json={"label": "x", "scoreMaximum": 1}, headers=bearer(ro, LI_TYPE)).status_code == 403
    assert requests.delete(a["id"], headers=bearer(tok)).status_code == 204
    assert requests.get(a["id"], headers=bearer(tok)).status_code == 404


def _score(user, ts, **over):
    body = {"userId": user, "scoreGiven": 7, "scoreMaximum": 10, "activityProgress": "Completed",
            "gradingProgress": "FullyGraded", "timestamp": ts.isoformat() if ts else None,
            "comment": "Активное участие"}
    body.update(over)
    return {k: v for k, v in body.items() if v is not None}


def test_score_semantics_like_moodle(lms, tool):
    li = _lineitem(lms, tool.token([AGS + "lineitem"]), resourceLinkId="1")
    tok = tool.token([AGS + "score", AGS + "result.readonly"])
    teacher = lms.course()["representatives"]["teacher"]
    tutor = lms.course()["representatives"]["tutor"]
    post = lambda body: requests.post(li["id"] + "/scores", json=body, headers=bearer(tok, SCORE_TYPE))  # noqa: E731
    t1 = datetime.now(timezone.utc)
    assert post(_score(teacher, t1)).status_code == 200
    assert post(_score(teacher, t1)).status_code == 409  # same timestamp again
    assert post(_score(teacher, t1 - timedelta(seconds=5))).status_code == 409
    for bad in (_score(teacher, t1, timestamp=None), _score(teacher, t1, activityProgress=None),
                _score(teacher, t1, gradingProgress=None), _score(teacher, t1, scoreMaximum=None),
                _score(tutor, t1), _score("999999", t1)):
        r = post(bad)
        assert r.status_code == 400 and r.json()["error"] == "Incorrect score received"
    results = requests.get(li["id"] + "/results", headers=bearer(tok)).json()
    assert results[0]["resultScore"] == 7 and results[0]["userId"] == teacher
    t2 = t1 + timedelta(seconds=1)
    assert post(_score(teacher, t2, gradingProgress="Pending")).status_code == 200
    stored = lms.scores(lineitem_id=li["id"].rsplit("/", 1)[1])
    assert stored[0]["scoreGiven"] is None and stored[0]["post_count"] == 2
    assert "resultScore" not in requests.get(li["id"] + "/results", headers=bearer(tok)).json()[0]
    wrong_type = requests.post(li["id"] + "/scores", data="{}", headers=bearer(tok, "text/plain"))
    assert wrong_type.status_code == 415


def test_lineitem_claim_only_when_one_coupled(lms, tool, http):
    from demo_lms.testing import launch

    tok = tool.token([AGS + "lineitem"])
    claim = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
    first = _lineitem(lms, tok, resourceLinkId="1")
    assert launch(http, lms.url, 1, "teacher").json()["claims"][claim]["lineitem"] == first["id"]
    _lineitem(lms, tok, resourceLinkId="1")
    assert "lineitem" not in launch(http, lms.url, 1, "teacher").json()["claims"][claim]


def test_score_timestamps_compare_across_offsets(lms, tool):
    li = _lineitem(lms, tool.token([AGS + "lineitem"]))
    tok = tool.token([AGS + "score"])
    teacher = lms.course()["representatives"]["teacher"]
    post = lambda body: requests.post(li["id"] + "/scores", json=body, headers=bearer(tok, SCORE_TYPE))  # noqa: E731
    assert post(_score(teacher, None, timestamp="2025-10-01T12:00:00+03:00")).status_code == 200
    # 09:30Z is later than 12:00+03:00 (= 09:00Z); pylti1p3 writes offsets as +0000.
    assert post(_score(teacher, None, timestamp="2025-10-01T09:30:00+0000")).status_code == 200
    assert post(_score(teacher, None, timestamp="2025-10-01T12:15:00+03:00")).status_code == 409


def test_score_checks_follow_roster_and_lineitem_changes(lms, tool):
    """Score posts read line items and gradable users from a cache: every other write drops it."""
    tok = tool.token([AGS + "lineitem", AGS + "score"])
    li = _lineitem(lms, tok)
    post = lambda uid, t: requests.post(li["id"] + "/scores", json=_score(uid, t),  # noqa: E731
                                        headers=bearer(tok, SCORE_TYPE))
    learners = [m["user_id"] for m in lms.members(1) if m["kind"] == "learner"]
    t1 = datetime.now(timezone.utc)
    assert post(learners[0], t1).status_code == 200
    assert lms.remove_members(1, [learners[1]]) == 1
    r = post(learners[1], t1)
    assert r.status_code == 400 and r.json()["error"] == "Incorrect score received"
    new = lms.add_members(1, generate={"learner": 1})[0]
    assert post(new, t1).status_code == 200
    assert requests.delete(li["id"], headers=bearer(tok)).status_code == 204
    assert post(learners[0], t1 + timedelta(seconds=1)).status_code == 404
    # A token issued before a restart (not in memory) is still honoured from the database.
    lms.app.extensions["demo_lms"].store._tokens.clear()
    li2 = _lineitem(lms, tok)
    assert requests.post(li2["id"] + "/scores", json=_score(learners[0], t1),
                         headers=bearer(tok, SCORE_TYPE)).status_code == 200
