"""Reading what the platform's gradebook holds (AGS result service) and judging an answer.

A score's answer alone does not prove the grade was written: Moodle answers 409 for a timestamp
not later than the stored one (kept to the second), and a PHP worker stopped mid-request answers
200 "Terminated: 15" without writing. The gradebook is the truth: `GET <lineitem>/results`
(scope result.readonly) returns one result per user, `resultScore` rescaled to the line item's
`resultMaximum`, paged by `limit` with `Link: rel="next"` (AGS 2.0 §3.3).
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lti_tool.core.outbound import Response, is_json_type

from .links import next_link

MT_RESULTS = "application/vnd.ims.lis.v2.resultcontainer+json"
TOLERANCE = 1e-4  # of the maximum: Moodle keeps 5 decimals of the rescaled score


def results_url(lineitem_url: str, **params: str) -> str:
    """The line item's results endpoint: `/results` appended to the path, query kept, `params` added."""
    parts = urlsplit(lineitem_url)
    query = parse_qsl(parts.query, keep_blank_values=True) + [(k, str(v)) for k, v in params.items()]
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/results", query=urlencode(query)))


def success_body(response: Response) -> bool:
    """Whether a 2xx answer to a score POST looks like a platform's success: empty (Moodle) or a
    JSON document (Canvas and others). Anything else — "Terminated: 15", an HTML page — did not
    come from the grade service and proves nothing."""
    content = response.content.strip()
    if not content:
        return True
    if response.content_type and not is_json_type(response.content_type):
        return False
    try:
        json.loads(content)
    except ValueError:
        return False
    return True


def parse_timestamp(value) -> datetime | None:
    """An ISO 8601 timestamp of a result (UTC when it names no offset), or None."""
    if not isinstance(value, str):
        return None
    try:
        ts = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return (ts if ts.tzinfo else ts.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


class ResultsError(Exception):
    """The results could not be read (status or shape); `transient` as for outbound errors."""

    def __init__(self, message: str, transient: bool = True):
        super().__init__(message)
        self.transient = transient


def _page(response: Response) -> list[dict]:
    if not response.ok:
        raise ResultsError(f"results: HTTP {response.status_code}",
                           transient=response.status_code >= 500 or response.status_code in (401, 408, 429))
    try:
        body = response.json()
    except ValueError as exc:
        raise ResultsError("results: the answer is not JSON") from exc
    if not isinstance(body, list):
        raise ResultsError("results: the answer is not a list", transient=False)
    return [r for r in body if isinstance(r, dict)]


def read_result(client, lineitem_url: str, sub: str) -> dict | None:
    """The platform's result for one user on one line item, or None when it holds none."""
    response = client.request("GET", results_url(lineitem_url, user_id=sub), headers={"Accept": MT_RESULTS})
    for result in _page(response):
        if str(result.get("userId")) == str(sub):
            return result
    return None


def read_results(client, lineitem_url: str, page_size: int) -> Iterator[tuple[list[dict], int]]:
    """Every result of a line item, page by page: (results, requests so far)."""
    url, requests = results_url(lineitem_url, limit=str(page_size)), 0
    seen: set[str] = set()
    while url:
        response = client.request("GET", url, headers={"Accept": MT_RESULTS})
        requests += 1
        yield _page(response), requests
        url = next_link(response.headers.get("Link"))
        if url in seen:  # a platform that links a page to itself must not hold the worker forever
            raise ResultsError("results: the next link repeats a page", transient=False)
        if url:
            seen.add(url)


def holds(result: dict | None, score_given: float | None, score_maximum: float | None) -> bool:
    """Whether the platform's result carries the score: the same fraction of the maximum (Moodle
    rescales to the grade item's maximum), or no score when none was given."""
    if result is None:
        return False
    got = result.get("resultScore")
    if score_given is None:
        return got is None
    if not isinstance(got, (int, float)) or isinstance(got, bool):
        return False
    maximum = result.get("resultMaximum")
    if isinstance(maximum, (int, float)) and not isinstance(maximum, bool) and maximum > 0 and score_maximum:
        return abs(got / maximum - score_given / score_maximum) <= TOLERANCE
    return abs(got - score_given) <= TOLERANCE * max(score_maximum or 1.0, 1.0)
