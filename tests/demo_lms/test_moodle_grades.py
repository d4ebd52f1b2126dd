"""Moodle's grade behaviours in the demo LMS: second-granular timestamps (409 within a second), the
200 "Terminated: 15" answer that writes nothing, a connection dropped after the write, and the
paged results service a tool reads to see what the gradebook really holds."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import requests

from demo_lms.faults import DROP_AFTER_WRITE, TERMINATED

from .test_services import AGS, LI_TYPE, SCORE_TYPE, _lineitem, _score, bearer

MT_RESULTS = "application/vnd.ims.lis.v2.resultcontainer+json"


def _second(start: float = 0.1) -> datetime:
    """A time at `start` into a whole second (fractions matter here)."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    return now + timedelta(seconds=start)


@pytest.fixture
def graded(lms, tool):
    """A line item of course 1, a score+results token, the course's learners, a POST helper."""
    li = _lineitem(lms, tool.token([AGS + "lineitem"]))
    tok = tool.token([AGS + "score", AGS + "result.readonly"])
    learners = [m["user_id"] for m in lms.members(1) if m["kind"] == "learner"]

    def post(user, ts, given=7.0, **kw):
        return requests.post(li["id"] + "/scores", json=_score(user, ts, scoreGiven=given), timeout=10,
                             headers=bearer(tok, SCORE_TYPE), **kw)

    def result(user):
        r = requests.get(li["id"] + "/results", params={"user_id": user}, headers=bearer(tok), timeout=10)
        assert r.status_code == 200 and r.headers["Content-Type"].startswith(MT_RESULTS)
        return r.json()

    return li, tok, learners, post, result


def test_second_timestamps_refuse_a_second_score_within_one_second(lms, graded):
    li, _tok, learners, post, result = graded
    t = _second(0.1)
    assert post(learners[0], t, 3.0).status_code == 200  # exact timestamps (the default): both stored
    assert post(learners[0], t + timedelta(milliseconds=800), 4.0).status_code == 200
    assert result(learners[0])[0]["resultScore"] == 4.0

    assert lms.set_ags(second_timestamps=True) == {"second_timestamps": True}
    later = t + timedelta(seconds=5)
    assert post(learners[1], later, 3.0).status_code == 200
    refused = post(learners[1], later + timedelta(milliseconds=800), 4.0)
    assert refused.status_code == 409
    [held] = result(learners[1])
    assert held["resultScore"] == 3.0 and held["timestamp"] == later.replace(microsecond=0).isoformat()
    assert post(learners[1], later + timedelta(seconds=1), 4.0).status_code == 200
    assert result(learners[1])[0]["resultScore"] == 4.0
    assert lms.reset()["ok"] and lms.control("GET", "ags") == {"second_timestamps": False}


def test_terminated_answers_200_and_writes_nothing(lms, graded):
    li, _tok, learners, post, result = graded
    t = _second()
    assert post(learners[0], t, 3.0).status_code == 200
    lms.set_faults(rules=[{"path_prefix": li["id"].replace(lms.url, ""), "method": "POST", **TERMINATED}])
    r = post(learners[0], t + timedelta(seconds=2), 9.0)
    assert (r.status_code, r.text) == (200, "Terminated: 15")
    assert result(learners[0])[0]["resultScore"] == 3.0  # the grade did not change
    assert lms.scores(user_id=learners[0])[0]["post_count"] == 1


def test_connection_dropped_after_the_write(lms, graded):
    li, _tok, learners, post, result = graded
    t = _second()
    prefix = li["id"].replace(lms.url, "")
    lms.set_faults(rules=[{"path_prefix": prefix, "method": "POST", **DROP_AFTER_WRITE}])
    with pytest.raises(requests.ConnectionError):
        post(learners[0], t, 6.0)
    assert result(learners[0])[0]["resultScore"] == 6.0  # written, though the client heard nothing
    lms.set_faults(rules=[{"path_prefix": prefix, "method": "POST", "drop": "before"}])
    with pytest.raises(requests.ConnectionError):
        post(learners[1], t, 6.0)
    assert result(learners[1]) == []  # dropped before handling: nothing written
    assert post(learners[1], t, 6.0).status_code == 200  # the server still serves


def test_line_item_post_dropped_after_the_write_through_flask(lms, tool):
    tok = tool.token([AGS + "lineitem"])
    lms.set_faults(rules=[{"path_prefix": "/api/courses/1/lineitems", "method": "POST", **DROP_AFTER_WRITE}])
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{lms.url}/api/courses/1/lineitems", json={"label": "Сорванный", "scoreMaximum": 1},
                      headers=bearer(tok, LI_TYPE), timeout=10)
    assert [li["label"] for li in lms.lineitems(1)] == ["Сорванный"]


def test_results_are_paged_with_next_links(lms, tool, graded):
    li, tok, learners, post, _result = graded
    assert len(learners) >= 5
    t = _second()
    for i, user in enumerate(learners[:5]):
        assert post(user, t, float(i)).status_code == 200
    url, seen, pages = li["id"] + "/results?limit=2", [], 0
    while url:
        r = requests.get(url, headers=bearer(tok), timeout=10)
        assert r.status_code == 200
        seen += r.json()
        pages += 1
        link = r.headers.get("Link", "")
        url = link[1:link.index(">")] if 'rel="next"' in link else None
    assert pages == 3
    assert sorted((x["userId"], x["resultScore"]) for x in seen) == sorted(
        (u, float(i)) for i, u in enumerate(learners[:5]))
    assert all(x["scoreOf"] == li["id"] and x["resultMaximum"] == 10 for x in seen)
    no_scope = tool.token([AGS + "score"])
    assert requests.get(li["id"] + "/results", headers=bearer(no_scope), timeout=10).status_code == 403
