"""Keep-alive HTTP for the score hot path: urllib3's connection pools without `requests` on top.

`requests` spends about half a millisecond of CPU per request on top of urllib3 (prepared
request, hooks, adapter, cookie jar, `email` header parsing); at thousands of scores that was most
of the worker's CPU. Score POSTs go through urllib3 directly: persistent connections per origin,
TLS verified with the CA bundle `requests` uses, no redirects, no automatic retries (the outbox
decides about retries). Everything else the worker sends (tokens, line items, rosters) keeps using
`requests`.

Failures raise subclasses of `requests.ConnectionError` / `requests.Timeout`, so callers treat
them like any other failed request. A request whose connection was dropped before any answer
came back (typically a kept-alive connection the server closed as it was reused) is sent again
once on a fresh connection, only when the caller says repeating it is harmless (a score carries
its timestamp: a repeat meets 409).
"""
from __future__ import annotations

from json import loads

import requests
import requests.certs
import urllib3
from urllib3.exceptions import HTTPError, NewConnectionError, ProtocolError, SSLError
from urllib3.exceptions import TimeoutError as Urllib3Timeout


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
