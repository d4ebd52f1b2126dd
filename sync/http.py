"""HTTP to the platforms, through the one guarded client (`lti_tool.core.outbound`): a client per
worker process, and authenticated requests that refresh the access token once on 401.

Every URL the worker fetches comes from a launch claim or a platform's answer (NRPS and line-items
URLs, `Link: next`, the URL of a created line item, the token URL of the registration), so every
request names the platform's hosts as its allow-list: a URL on any other host is refused before a
lookup and the platform's bearer token never leaves the platform. The client keeps connections
alive per origin (the score POSTs of a drain reuse a handful of them), checks and pins each
host's addresses, and bounds every request by a total deadline (SYNC_CONNECT_TIMEOUT +
SYNC_READ_TIMEOUT unless SYNC_REQUEST_DEADLINE says otherwise). A request whose kept-alive
connection was dropped before any answer is sent again once on a fresh connection, only when
repeating it is harmless (a score carries its timestamp: a repeat meets 409).
"""
from __future__ import annotations

import os
import threading

from lti_tool.core.outbound import OutboundClient, Policy, Response, policy_from_config
from lti_tool.core.workbook import clean_text

from .tokens import PlatformRef, TokenProvider

USER_AGENT = "TutorNet-sync/1.0"

NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
AGS_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
AGS_LINEITEM_RO = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
AGS_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
AGS_RESULT = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"

MT_MEMBERSHIPS = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
MT_LINEITEMS = "application/vnd.ims.lis.v2.lineitemcontainer+json"
MT_LINEITEM = "application/vnd.ims.lis.v2.lineitem+json"
MT_SCORE = "application/vnd.ims.lis.v1.score+json"


def push_scopes(course_scopes: list[str] | None) -> tuple[str, ...]:
    """Scopes a grade push asks for: score plus line item management when the course grants it,
    and reading results when it grants that (answers are verified against the gradebook)."""
    granted = set(course_scopes or (AGS_LINEITEM, AGS_SCORE))
    lineitem = AGS_LINEITEM if AGS_LINEITEM in granted or AGS_LINEITEM_RO not in granted else AGS_LINEITEM_RO
    return tuple(sorted({lineitem, AGS_SCORE} | ({AGS_RESULT} if AGS_RESULT in granted else set())))


def worker_policy(settings: dict) -> Policy:
    """The guard's policy for the worker: its timeouts, a larger size limit (NRPS pages)."""
    connect, read = float(settings["SYNC_CONNECT_TIMEOUT"]), float(settings["SYNC_READ_TIMEOUT"])
    return policy_from_config(settings, connect_timeout=connect, read_timeout=read,
                              total_timeout=float(settings.get("SYNC_REQUEST_DEADLINE") or connect + read),
                              max_bytes=int(settings["SYNC_MAX_RESPONSE_BYTES"]))


_lock = threading.Lock()
_clients: dict[tuple, OutboundClient] = {}


def shared_client(settings: dict) -> OutboundClient:
    """The process's guarded client for `settings` (rebuilt after a fork: sockets are not shared)."""
    policy = worker_policy(settings)
    key = (os.getpid(), policy, settings["SYNC_PER_PLATFORM_CONCURRENCY"])
    with _lock:
        client = _clients.get(key)
        if client is None:
            client = _clients[key] = OutboundClient(policy, pool_size=settings["SYNC_PER_PLATFORM_CONCURRENCY"],
                                                    user_agent=USER_AGENT)
        return client


class PlatformClient:
    """Requests to one platform with one scope set; thread-safe (shares the process's client)."""

    def __init__(self, platform: PlatformRef, scopes, tokens: TokenProvider, http: OutboundClient):
        self.platform, self.scopes, self.tokens, self.http = platform, tuple(scopes), tokens, http
        self._auth: tuple[str, dict] = ("", {})  # (token, its header)

    def request(self, method: str, url: str, *, headers: dict | None = None, json=None, body: bytes | None = None,
                repeatable: bool = False) -> Response:
        """Send with a bearer token to one of the platform's hosts; on 401 fetch a fresh token and
        send once more. Raises `OutboundError` (refused URL, timeout, unreachable …)."""
        response = None
        for _ in range(2):
            token = self.tokens.token(self.platform, self.scopes)
            auth = self._auth
            if auth[0] != token:
                auth = self._auth = (token, {"Authorization": f"Bearer {token}"})
            response = self.http.request(method, url, allowed_hosts=self.platform.hosts,
                                         headers={**(headers or {}), **auth[1]}, json=json, body=body,
                                         repeatable=repeatable)
            if response.status_code != 401:
                return response
            self.tokens.invalidate(self.platform, self.scopes, token)
        return response

    def send_repeatable(self, method: str, url: str, body: bytes, content_type: str) -> Response:
        """`request` for a request that may be sent twice without harm (a score with its timestamp)."""
        return self.request(method, url, body=body, headers={"Content-Type": content_type}, repeatable=True)


def platform_message(response: Response) -> str:
    """The platform's own explanation of an error answer (shown to tutors and admins): the status
    and the explanation fields of a JSON answer, cut short; never the raw body, which may be an
    HTML page of whatever answered."""
    explanation = response.explanation()
    if explanation:
        return f"{response.status_code}: {explanation}"
    return f"{response.status_code}: {clean_text(response.reason or '')[:100] or 'error'}"
