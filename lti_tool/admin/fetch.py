"""A guarded HTTP client for URLs that arrive from outside (registration, hand-entered JWKS).

Dynamic registration makes the tool fetch a URL taken from a query parameter: without a guard,
anyone could make the tool read its own internal network (SSRF). The guard allows https only
(plain http for loopback hosts when DEV_MODE is on), resolves the host and refuses it when any
address is private, loopback, link-local or otherwise not public (outside DEV_MODE), then
connects to the checked address only (no second DNS lookup, so no DNS rebinding), bounds the
response size and the total time, follows redirects only within the same origin, and ignores
proxy settings from the environment.
"""
from __future__ import annotations

import ipaddress
import json
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

MAX_BYTES = 64 * 1024
TIMEOUT_SECONDS = 5.0
MAX_REDIRECTS = 3
LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


class FetchError(Exception):
    """A fetch the guard refused or that failed; `reason` is a stable code, `status` the HTTP one."""

    def __init__(self, reason: str, detail: str = "", status: int | None = None, body: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.status = status
        self.body = body


@dataclass(frozen=True)
class Policy:
    """What the guard allows: `dev` relaxes https and private addresses for loopback development."""

    dev: bool = False
    max_bytes: int = MAX_BYTES
    timeout: float = TIMEOUT_SECONDS


@dataclass
class Response:
    """A bounded response: status, headers and the body read in full (at most max_bytes)."""

    status: int
    headers: dict
    body: bytes
    url: str

    def json(self):
        """The body as JSON, or FetchError('invalid_json')."""
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise FetchError("invalid_json", str(exc)[:200], self.status) from exc


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _is_loopback_host(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str, policy: Policy) -> tuple[str, int, str]:
    """Return (host, port, checked IP address) for `url`, or raise FetchError (nothing fetched)."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise FetchError("bad_url", str(exc)) from exc
    host = (parts.hostname or "").rstrip(".")
    if parts.scheme not in ("https", "http") or not host or parts.username or parts.password:
        raise FetchError("bad_url", url[:200])
    if parts.scheme == "http" and not (policy.dev and _is_loopback_host(host)):
        raise FetchError("not_https", url[:200])
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError("dns", f"{host}: {exc}") from exc
    addresses = sorted({info[4][0] for info in infos})
    if not addresses:
        raise FetchError("dns", host)
    if not policy.dev:
        # Every address must be public: a name with one private address could be steered to it.
        blocked = [a for a in addresses if not _is_public(a)]
        if blocked:
            raise FetchError("private_address", f"{host} -> {', '.join(blocked)}")
    return host, port, addresses[0]


class _PinnedMixin:
    """Connect to the address the guard checked instead of resolving the name again."""

    pins: dict = {}

    def _new_conn(self):
        ip = self.pins.get((self._dns_host, self.port))
        if ip is None:  # a host the guard did not check: never connect
            raise FetchError("bad_url", f"unchecked host {self._dns_host}")
        original, self._dns_host = self._dns_host, ip
        try:
            return super()._new_conn()
        finally:
            self._dns_host = original  # TLS verifies the certificate against the real name


def _pinned_session(host: str, port: int, ip: str) -> requests.Session:
    pins = {(host, port): ip}
    http_conn = type("PinnedHTTPConnection", (_PinnedMixin, HTTPConnection), {"pins": pins})
    https_conn = type("PinnedHTTPSConnection", (_PinnedMixin, HTTPSConnection), {"pins": pins})
    http_pool = type("PinnedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn})
    https_pool = type("PinnedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn})

    class Adapter(HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {"http": http_pool, "https": https_pool}

    session = requests.Session()
    session.trust_env = False  # no proxy from the environment may carry the request around the guard
    adapter = Adapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port


def _read_bounded(resp: requests.Response, policy: Policy, deadline: float) -> bytes:
    length = resp.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > policy.max_bytes:
        raise FetchError("too_large", f"{length} bytes", resp.status_code)
    chunks, size = [], 0
    for chunk in resp.iter_content(8192):
        size += len(chunk)
        if size > policy.max_bytes:
            raise FetchError("too_large", f"> {policy.max_bytes} bytes", resp.status_code)
        if time.monotonic() > deadline:
            raise FetchError("timeout", "response too slow", resp.status_code)
        chunks.append(chunk)
    return b"".join(chunks)


def fetch(url: str, policy: Policy, *, method: str = "GET", json_body=None,
          headers: dict | None = None) -> Response:
    """Perform one guarded request; redirects are followed only within the same origin (GET only)."""
    deadline = time.monotonic() + policy.timeout
    start_origin = _origin(url)
    for _hop in range(MAX_REDIRECTS + 1):
        host, port, ip = check_url(url, policy)
        remaining = max(0.1, deadline - time.monotonic())
        with _pinned_session(host, port, ip) as session:
            try:
                resp = session.request(method, url, json=json_body, headers=headers or {},
                                       timeout=(remaining, remaining), allow_redirects=False, stream=True)
                with resp:
                    if resp.is_redirect:
                        target = urljoin(url, resp.headers.get("Location", ""))
                        if _origin(target) != start_origin or method != "GET":
                            raise FetchError("redirect", target[:200], resp.status_code)
                        url = target
                        continue
                    body = _read_bounded(resp, policy, deadline)
                    return Response(resp.status_code, dict(resp.headers), body, url)
            except requests.Timeout as exc:
                raise FetchError("timeout", str(exc)[:200]) from exc
            except requests.RequestException as exc:
                if "timed out" in str(exc).lower():  # a read timeout while streaming the body
                    raise FetchError("timeout", str(exc)[:200]) from exc
                raise FetchError("unreachable", str(exc)[:200]) from exc
    raise FetchError("redirect", "too many redirects")


def fetch_json(url: str, policy: Policy, **kwargs) -> tuple[int, object]:
    """Guarded request whose answer must be JSON: (status, decoded body)."""
    resp = fetch(url, policy, **kwargs)
    if resp.status >= 400:
        raise FetchError("http_error", f"HTTP {resp.status}", resp.status, resp.body[:500].decode("utf-8", "replace"))
    return resp.status, resp.json()
