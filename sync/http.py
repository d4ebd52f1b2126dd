"""HTTP to the platforms: pooled `requests` sessions, the urllib3 fast path for scores, and
authenticated requests that refresh the access token once on 401.

Pooled sessions: one `requests.Session` per process, keep-alive reused; the adapter's pool holds
as many connections per host as requests may be in flight for one platform, so the push threads
never open and close sockets per score.

The score hot path (`KeepAlive`): `requests` spends about half a millisecond of CPU per request on
top of urllib3 (prepared request, hooks, adapter, cookie jar, `email` header parsing); at
thousands of scores that was most of the worker's CPU. Score POSTs go through urllib3 directly:
persistent connections per origin, TLS verified with the CA bundle `requests` uses, no redirects,
no automatic retries (the outbox decides about retries). Everything else the worker sends
(tokens, line items, rosters) keeps using `requests`. Failures raise subclasses of
`requests.ConnectionError` / `requests.Timeout`, so callers treat them like any other failed
request. A request whose connection was dropped before any answer came back (typically a
kept-alive connection the server closed as it was reused) is sent again once on a fresh
connection, only when the caller says repeating it is harmless (a score carries its timestamp:
a repeat meets 409).
"""
from __future__ import annotations

import os
import threading
from json import loads

import requests
import requests.certs
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.exceptions import HTTPError, NewConnectionError, ProtocolError, SSLError
from urllib3.exceptions import TimeoutError as Urllib3Timeout

from .tokens import PlatformRef, TokenProvider

USER_AGENT = "TutorNet-sync/1.0"

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


class WireError(requests.ConnectionError):
    """The connection failed or the answer was not HTTP."""


class WireTimeout(requests.Timeout):
    """No connection or no answer within the timeout."""


class StaleConnection(WireError):
    """The connection was dropped before any answer arrived."""


class Reply:
    """The parts of `requests.Response` the worker reads: status, reason, headers, body."""

    __slots__ = ("status_code", "reason", "headers", "content")

    def __init__(self, status_code: int, reason: str, headers, content: bytes):
        self.status_code, self.reason, self.headers, self.content = status_code, reason, headers, content

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self):
        return loads(self.content)


class KeepAlive:
    """Pooled keep-alive connections per origin, shared by the push threads."""

    def __init__(self, pool_size: int, user_agent: str):
        self.pools = urllib3.PoolManager(
            num_pools=32, maxsize=max(pool_size, 1), headers={"User-Agent": user_agent},
            cert_reqs="CERT_REQUIRED", ca_certs=requests.certs.where(), retries=False,
        )
        self._timeouts: dict[tuple[float, float], urllib3.Timeout] = {}

    def request(self, method: str, url: str, body: bytes, headers: dict[str, str], timeout: tuple[float, float],
                repeatable: bool = False) -> Reply:
        """Send `method url` with `headers` and `body`; `repeatable`: a dropped connection is
        retried once on a new one."""
        try:
            return self._send(method, url, body, headers, timeout)
        except StaleConnection:
            if not repeatable:
                raise
        return self._send(method, url, body, headers, timeout)

    def _send(self, method: str, url: str, body: bytes, headers: dict[str, str], timeout) -> Reply:
        limits = self._timeouts.get(timeout)
        if limits is None:
            limits = self._timeouts[timeout] = urllib3.Timeout(connect=timeout[0], read=timeout[1])
        try:
            response = self.pools.urlopen(method, url, body=body, headers=headers, timeout=limits,
                                          redirect=False, preload_content=True)
        except NewConnectionError as exc:  # (a subclass of urllib3's ConnectTimeoutError)
            raise WireError(f"{method} {url}: {exc}") from exc
        except Urllib3Timeout as exc:
            raise WireTimeout(f"{method} {url}: no answer in time ({exc})") from exc
        except SSLError as exc:
            raise WireError(f"{method} {url}: TLS failed: {exc}") from exc
        except ProtocolError as exc:
            raise StaleConnection(f"{method} {url}: connection dropped without an answer ({exc})") from exc
        except HTTPError as exc:  # refused connection, name resolution, proxy errors…
            raise WireError(f"{method} {url}: {exc}") from exc
        except ValueError as exc:  # not an http(s) URL
            raise WireError(f"{method} {url}: {exc}") from exc
        return Reply(response.status, response.reason or "", response.headers, response.data)


_lock = threading.Lock()
_sessions: dict[tuple[int, int], requests.Session] = {}
_wires: dict[tuple[int, int], KeepAlive] = {}


def make_http(pool_size: int) -> requests.Session:
    """A session whose connection pool fits `pool_size` concurrent requests per host.

    No automatic retries: the outbox decides about retries (backoff, Retry-After, lease).
    """
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=8, pool_maxsize=max(pool_size, 1), max_retries=0, pool_block=True)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = USER_AGENT
    # Without proxy variables there is nothing to read from the environment; requests would
    # otherwise scan os.environ (and ~/.netrc) on every request — a quarter of its CPU per score.
    if not _proxied():
        session.trust_env = False
    return session


def _proxied() -> bool:
    return any(k.lower().endswith("_proxy") for k in os.environ)


def shared_http(pool_size: int) -> requests.Session:
    """The process's pooled session (rebuilt after a fork)."""
    key = (os.getpid(), pool_size)
    with _lock:
        session = _sessions.get(key)
        if session is None:
            session = _sessions[key] = make_http(pool_size)
        return session


def shared_wire(pool_size: int) -> KeepAlive | None:
    """The process's urllib3 pools for score POSTs (rebuilt after a fork); None when proxy
    variables are set (`requests` reads them; scores then go through it)."""
    if _proxied():
        return None
    key = (os.getpid(), pool_size)
    with _lock:
        wire = _wires.get(key)
        if wire is None:
            wire = _wires[key] = KeepAlive(pool_size, USER_AGENT)
        return wire


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
