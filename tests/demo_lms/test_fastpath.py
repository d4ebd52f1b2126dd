"""The score fast path answers exactly what the Flask view answers, faults and counters included."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import requests
from werkzeug.test import Client

from .test_services import AGS, LI_TYPE, SCORE_TYPE, bearer

RULE = "POST /api/courses/<int:course_id>/lineitems/<int:li_id>/scores"


def _lineitem(lms, tok: str) -> str:
    r = requests.post(f"{lms.url}/api/courses/1/lineitems", json={"label": "Тьюториал", "scoreMaximum": 1},
                      headers=bearer(tok, LI_TYPE), timeout=10)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _answer(resp) -> tuple:
    body = resp.get_json(silent=True) if hasattr(resp, "get_json") else _json(resp)
    return resp.status_code, body, resp.headers.get("WWW-Authenticate"), resp.headers.get("Retry-After")


def _json(resp):
    try:
        return resp.json()
    except ValueError:
        return None


def test_fast_path_and_flask_view_agree_on_every_answer(lms, tool):
    score_tok = tool.token([AGS + "score"])
    li = _lineitem(lms, tool.token([AGS + "lineitem"]))
    other_scope = tool.token([AGS + "lineitem"])
    path = li.replace(lms.url, "") + "/scores"
    learners = [m["user_id"] for m in lms.members(1) if m["kind"] == "learner"]
    flask = Client(lms.app.wsgi_app.wsgi_app)  # the Flask app behind the fast path
    t = datetime.now(timezone.utc)

    def body(user, when=t, **over):
        data = {"userId": user, "scoreGiven": 1, "scoreMaximum": 1, "activityProgress": "Completed",
                "gradingProgress": "FullyGraded", "timestamp": when.isoformat()}
        data.update(over)
        return {k: v for k, v in data.items() if v is not None}

    # (headers, JSON body or raw text, path) — each case is sent for two different learners so the
    # fast path and the Flask view meet the same stored state.
    cases = [
        ({}, body("{u}"), path),
        (bearer("nope", SCORE_TYPE), body("{u}"), path),
        (bearer(other_scope, SCORE_TYPE), body("{u}"), path),
        (bearer(score_tok, "text/plain"), body("{u}"), path),
        (bearer(score_tok, SCORE_TYPE), "not json", path),
        (bearer(score_tok, SCORE_TYPE), body("{u}", timestamp=None), path),
        (bearer(score_tok, SCORE_TYPE), body("{u}", scoreMaximum=None), path),
        (bearer(score_tok, SCORE_TYPE), body("999999"), path),
        (bearer(score_tok, SCORE_TYPE), body("{u}"), path.replace("/lineitems/", "/lineitems/9") ),
        (bearer(score_tok, SCORE_TYPE), body("{u}"), path),  # stored
        (bearer(score_tok, SCORE_TYPE), body("{u}"), path),  # same timestamp: 409
        (bearer(score_tok, SCORE_TYPE), body("{u}", when=t - timedelta(seconds=1)), path),  # older: 409
        (bearer(score_tok, SCORE_TYPE), body("{u}", when=t + timedelta(seconds=1), gradingProgress="Pending"), path),
    ]
    seen = set()
    for headers, data, target in cases:
        answers = []
        for user, send in ((learners[0], "fast"), (learners[1], "flask")):
            payload = data.replace("{u}", user) if isinstance(data, str) else \
                {k: (v.replace("{u}", user) if isinstance(v, str) else v) for k, v in data.items()}
            kw = {"data": payload} if isinstance(payload, str) else {"json": payload}
            if send == "fast":
                resp = requests.post(lms.url + target, headers=headers, timeout=10, **kw)
            else:
                resp = flask.post(target, headers=headers, **kw)
            answers.append(_answer(resp))
        assert answers[0] == answers[1], (headers, data, target)
        seen.add(answers[0][0])
    assert seen == {200, 400, 401, 403, 404, 409, 415}
    stored = {s["user_id"]: s for s in lms.scores(lineitem_id=li.rsplit("/", 1)[1])}
    assert stored[learners[0]]["post_count"] == stored[learners[1]]["post_count"] == 2
    assert stored[learners[0]]["scoreGiven"] is None  # Pending cleared the score, on both paths


def test_fast_path_applies_faults_and_counts_under_the_flask_rule(lms, tool):
    tok = tool.token([AGS + "score"])
    li = _lineitem(lms, tool.token([AGS + "lineitem"]))
    learner = next(m["user_id"] for m in lms.members(1) if m["kind"] == "learner")
    before = lms.stats()["requests"].get(RULE, 0)
    lms.set_faults(rules=[{"path_prefix": "/api/", "method": "POST", "status": 429, "retry_after": 3, "count": 1}])
    score = {"userId": learner, "activityProgress": "Completed", "gradingProgress": "FullyGraded",
             "timestamp": datetime.now(timezone.utc).isoformat()}
    first = requests.post(li + "/scores", json=score, headers=bearer(tok, SCORE_TYPE), timeout=10)
    assert first.status_code == 429 and first.headers["Retry-After"] == "3"
    assert first.json() == {"error": "injected fault", "status": 429}
    assert requests.post(li + "/scores", json=score, headers=bearer(tok, SCORE_TYPE), timeout=10).status_code == 200
    assert lms.stats()["requests"][RULE] - before == 2
    assert lms.stats()["faults_injected"] >= 1
