"""The demo LMS must serve concurrently (the tool calls it while it waits on the tool)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import requests

AGS = "https://purl.imsglobal.org/spec/lti-ags/scope/"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


def test_parallel_scores_tokens_and_rosters(lms, tool):
    tok = tool.token([AGS + "lineitem", AGS + "score", NRPS])
    auth = {"Authorization": f"Bearer {tok}"}
    li = requests.post(f"{lms.url}/api/courses/1/lineitems", json={"label": "Посещаемость", "scoreMaximum": 1},
                       headers={**auth, "Content-Type": "application/vnd.ims.lis.v2.lineitem+json"}).json()
    learners = [m["user_id"] for m in lms.members(1) if m["kind"] == "learner"]

    def score(uid: str) -> int:
        body = {"userId": uid, "scoreGiven": 1, "scoreMaximum": 1, "activityProgress": "Completed",
                "gradingProgress": "FullyGraded", "timestamp": datetime.now(timezone.utc).isoformat()}
        return requests.post(li["id"] + "/scores", json=body, timeout=30,
                             headers={**auth, "Content-Type": "application/vnd.ims.lis.v1.score+json"}).status_code

    def roster(_: int) -> int:
        return requests.get(f"{lms.url}/api/courses/1/memberships", headers=auth, timeout=30).status_code

    def token(_: int) -> int:
        return tool.token_response([NRPS]).status_code

    with ThreadPoolExecutor(max_workers=24) as pool:
        results = list(pool.map(score, learners)) + list(pool.map(roster, range(10))) + list(pool.map(token, range(10)))
    assert set(results) == {200}
    assert len(lms.scores(lineitem_id=li["id"].rsplit("/", 1)[1])) == len(learners)


def test_parallel_posts_of_one_score_accept_exactly_one(lms, tool):
    """The 409 rule holds under concurrency: the same timestamp posted 32 times at once is taken once."""
    tok = tool.token([AGS + "lineitem", AGS + "score"])
    auth = {"Authorization": f"Bearer {tok}"}
    li = requests.post(f"{lms.url}/api/courses/1/lineitems", json={"label": "Посещаемость", "scoreMaximum": 1},
                       headers={**auth, "Content-Type": "application/vnd.ims.lis.v2.lineitem+json"}).json()
    uid = next(m["user_id"] for m in lms.members(1) if m["kind"] == "learner")
    body = {"userId": uid, "scoreGiven": 1, "scoreMaximum": 1, "activityProgress": "Completed",
            "gradingProgress": "FullyGraded", "timestamp": datetime.now(timezone.utc).isoformat()}
    lms.set_faults(latency_ms=5)

    def post(_: int) -> int:
        return requests.post(li["id"] + "/scores", json=body, timeout=30,
                             headers={**auth, "Content-Type": "application/vnd.ims.lis.v1.score+json"}).status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        codes = sorted(pool.map(post, range(32)))
    assert codes == [200] + [409] * 31
    assert lms.scores(lineitem_id=li["id"].rsplit("/", 1)[1])[0]["post_count"] == 1
