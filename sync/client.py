"""Authenticated requests to one platform's LTI services, refreshing the token once on 401."""
from __future__ import annotations

import requests

from .tokens import PlatformRef, TokenProvider
from .wire import KeepAlive, Reply

NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
AGS_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
AGS_LINEITEM_RO = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
AGS_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"

MT_MEMBERSHIPS = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
MT_LINEITEMS = "application/vnd.ims.lis.v2.lineitemcontainer+json"
MT_LINEITEM = "application/vnd.ims.lis.v2.lineitem+json"
MT_SCORE = "application/vnd.ims.lis.v1.score+json"


def push_scopes(course_scopes: list[str] | None) -> tuple[str, ...]:
    """Scopes a grade push asks for: score plus line item management when the course grants it."""
    granted = set(course_scopes or (AGS_LINEITEM, AGS_SCORE))
    lineitem = AGS_LINEITEM if AGS_LINEITEM in granted or AGS_LINEITEM_RO not in granted else AGS_LINEITEM_RO
    return tuple(sorted({lineitem, AGS_SCORE}))


class PlatformClient:
    """Requests to one platform with one scope set; thread-safe (shares the pooled session).

    `wire` (optional) carries the repeatable hot-path requests (`send_repeatable`) over lean
    keep-alive connections; without it they go through `requests` like everything else.
    """

    def __init__(self, platform: PlatformRef, scopes, tokens: TokenProvider, http: requests.Session,
                 timeout: tuple[float, float], wire: KeepAlive | None = None):
        self.platform, self.scopes, self.tokens, self.http, self.timeout = platform, tuple(scopes), tokens, http, timeout
        self.wire = wire
        self._auth: tuple[str, dict] = ("", {})  # (token, its header)

    def request(self, method: str, url: str, **kwargs) -> requests.Response:
        """Send with a bearer token; on 401 fetch a fresh token and send once more."""
        kwargs.setdefault("timeout", self.timeout)
        headers = dict(kwargs.pop("headers", None) or {})
        response = None
        for _ in range(2):
            token = self.tokens.token(self.platform, self.scopes)
            headers["Authorization"] = f"Bearer {token}"
            response = self.http.request(method, url, headers=headers, **kwargs)
            if response.status_code != 401:
                return response
            self.tokens.invalidate(self.platform, self.scopes, token)
        return response

    def send_repeatable(self, method: str, url: str, body: bytes, content_type: str) -> Reply | requests.Response:
        """Like `request` for a request that may be sent twice without harm (a score with its
        timestamp), over the lean keep-alive connections when there are any."""
        if self.wire is None:
            return self.request(method, url, data=body, headers={"Content-Type": content_type})
        response = None
        for _ in range(2):
            token = self.tokens.token(self.platform, self.scopes)
            auth = self._auth
            if auth[0] != token:
                auth = self._auth = (token, {"Authorization": f"Bearer {token}"})
            response = self.wire.request(method, url, body, {**auth[1], "Content-Type": content_type},
                                         self.timeout, repeatable=True)
            if response.status_code != 401:
                return response
            self.tokens.invalidate(self.platform, self.scopes, token)
        return response


def platform_message(response: requests.Response | Reply) -> str:
    """The platform's own explanation of an error answer (shown to tutors and admins)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        parts = [str(body[k]) for k in ("error", "error_description", "message", "detail") if body.get(k)]
        if parts:
            return f"{response.status_code}: " + " — ".join(parts)
    text = (response.text or "").strip()
    return f"{response.status_code}: {text[:500] or response.reason}"
