"""The one HTTP client for URLs a platform hands the tool (OpenID configuration, registration
endpoint, key sets, token endpoint, NRPS, AGS), in the web app and in the sync worker.

What it guarantees, whatever the URL says:
- https only; plain http only in development (TUTORNET_DEV) and only to loopback addresses;
- the host is one the caller allows (the platform's registered hosts, the issuer's host);
- every address the host resolves to passes `addresses.refusal` (no private, loopback, link-local,
  shared, metadata, multicast or reserved address, nor one hidden in an IPv6 translation form),
  and the connection goes to the address that was checked: the pool is pinned to it, TLS still
  sends the host name (SNI) and checks the certificate against it; names are resolved again at
  most every `reresolve_seconds`, and a changed answer is checked again (no DNS rebinding);
- redirects are followed only for GET/HEAD within the same origin, at most three;
- a total deadline per request, including a peer that drips one byte at a time: every socket
  read and write waits at most for what is left of the deadline;
- a size limit (no compressed answers: they could inflate past it), JSON content types on
  request, and exceptions whose messages never carry the peer's body.
Connections are kept alive per origin (the worker sends thousands of scores through one pool).
Proxy variables of the environment are not used: the guard must see the address it connects to.
"""
from __future__ import annotations

import json as jsonlib
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, replace
from urllib.parse import urlencode, urljoin

import requests.certs
import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import (ConnectTimeoutError, EmptyPoolError, HTTPError, NewConnectionError, ProtocolError,
                                SSLError)
from urllib3.exceptions import TimeoutError as Urllib3Timeout

from . import addresses
from .addresses import IPNetwork, Target, UrlProblem, hosts_of, parse_address

__all__ = ["OutboundClient", "Policy", "Response", "OutboundError", "UrlRefused", "AddressRefused",
           "ResolutionFailed", "ConnectFailed", "TlsFailed", "DeadlineExceeded", "RedirectRefused",
           "TooLarge", "UnexpectedContent", "HttpStatusError", "hosts_of", "policy_from_config"]

USER_AGENT = "TutorNet/1.0 (LTI tool)"
MAX_REDIRECTS = 3
MAX_POOLS = 64
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
EXPLANATION_FIELDS = ("error", "error_description", "message", "detail")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


# --- errors: `reason` is a stable code for pages and logs; messages name hosts, never bodies ---

class OutboundError(Exception):
    """A request the guard refused or that failed; safe to show (no peer body in it)."""

    reason = "error"
    transient = False  # worth retrying later (timeouts, unreachable hosts, 5xx)

    def __init__(self, message: str, *, host: str = "", status: int | None = None, reason: str | None = None):
        super().__init__(message)
        self.host = host
        self.status = status
        if reason:
            self.reason = reason


class UrlRefused(OutboundError):
    """The URL is malformed, not https, or its host is not one the caller allows."""

    reason = "bad_url"


class AddressRefused(OutboundError):
    """The host resolves to an address the tool must not reach (private, loopback, metadata …)."""

    reason = "private_address"


class ResolutionFailed(OutboundError):
    """The host name does not resolve (or not in time)."""

    reason = "dns"
    transient = True


class ConnectFailed(OutboundError):
    """No connection, or it broke before a complete answer."""

    reason = "unreachable"
    transient = True


class TlsFailed(ConnectFailed):
    """The TLS handshake or the certificate check failed."""

    reason = "tls"


class DeadlineExceeded(OutboundError):
    """No complete answer within the total deadline."""

    reason = "timeout"
    transient = True


class RedirectRefused(OutboundError):
    """A redirect to another origin (or too many redirects)."""

    reason = "redirect"


class TooLarge(OutboundError):
    """The answer is larger than the limit."""

    reason = "too_large"


class UnexpectedContent(OutboundError, ValueError):
    """The answer is not what the caller asked for (content type, JSON, encoding); a ValueError
    too, like a JSON decoding error."""

    reason = "content_type"


class HttpStatusError(OutboundError):
    """The peer answered with an error status (raised by `Response.raise_for_status`)."""

    reason = "http_error"
    explanation = ""  # the peer's JSON explanation (Response.explanation), safe to show

    def __init__(self, message: str, *, host: str = "", status: int | None = None, reason: str | None = None):
        super().__init__(message, host=host, status=status, reason=reason)
        self.transient = status is not None and (status >= 500 or status in (408, 429))


# --- policy ---

@dataclass(frozen=True)
class Policy:
    """What the guard allows and how long it waits.

    `dev`: http and loopback addresses are allowed (TUTORNET_DEV on a developer's machine).
    `trusted_networks`: private ranges the operator declared safe (OUTBOUND_TRUSTED_NETWORKS).
    `total_timeout`: wall-clock seconds for a whole request (redirects, body included);
    `connect_timeout`/`read_timeout` bound one connect and one wait for bytes within it.
    """

    dev: bool = False
    trusted_networks: tuple[IPNetwork, ...] = ()
    total_timeout: float = 5.0
    connect_timeout: float = 5.0
    read_timeout: float = 5.0
    max_bytes: int = 1024 * 1024
    reresolve_seconds: float = 60.0

    def allows(self, ip) -> str | None:
        """None when a connection to `ip` is allowed, else the reason it is not."""
        return addresses.refusal(ip, allow_loopback=self.dev, trusted=self.trusted_networks)


def policy_from_config(config: Mapping, **overrides) -> Policy:
    """The policy of the app's or worker's settings (DEV_MODE, OUTBOUND_* keys)."""
    policy = Policy(
        dev=bool(config.get("DEV_MODE")),
        trusted_networks=addresses.parse_networks(config.get("OUTBOUND_TRUSTED_NETWORKS")),
        total_timeout=float(config.get("OUTBOUND_TIMEOUT", 5.0)),
        connect_timeout=float(config.get("OUTBOUND_CONNECT_TIMEOUT", 5.0)),
        read_timeout=float(config.get("OUTBOUND_READ_TIMEOUT", 5.0)),
        max_bytes=int(config.get("OUTBOUND_MAX_BYTES", 1024 * 1024)),
        reresolve_seconds=float(config.get("OUTBOUND_RERESOLVE_SECONDS", 60.0)),
    )
    return replace(policy, **overrides)


# --- the response ---

class Response:
    """A complete, bounded answer. Reads like `requests.Response` where the callers need it."""

    __slots__ = ("status_code", "reason", "headers", "content", "url", "host")

    def __init__(self, status_code: int, reason: str, headers, content: bytes, url: str, host: str):
        self.status_code, self.reason, self.headers = status_code, reason, headers
        self.content, self.url, self.host = content, url, host

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower case ('' when absent)."""
        return (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self):
        """The body as JSON, or UnexpectedContent('invalid_json')."""
        try:
            return jsonlib.loads(self.content)
        except (UnicodeDecodeError, ValueError) as exc:
            raise UnexpectedContent(f"{self.host} answered something that is not JSON", host=self.host,
                                    status=self.status_code, reason="invalid_json") from exc

    def raise_for_status(self) -> Response:
        """Self when 2xx, else HttpStatusError naming the status (its `explanation`: the JSON
        error fields of the answer, if any)."""
        if not self.ok:
            error = HttpStatusError(f"{self.host} answered HTTP {self.status_code}", host=self.host,
                                    status=self.status_code)
            error.explanation = self.explanation()
            raise error
        return self

    def explanation(self) -> str:
        """The peer's own words about an error, from the usual fields of a JSON answer (OAuth's
        error and error_description, message, detail), without control characters and cut short;
        '' when the answer is not such JSON. Never the raw body: it may be any page."""
        try:
            body = self.json()
        except ValueError:
            return ""
        if not isinstance(body, dict):
            return ""
        parts = [_CONTROL.sub("", str(body[k]))[:200] for k in EXPLANATION_FIELDS
                 if isinstance(body.get(k), str | int | float) and not isinstance(body.get(k), bool) and body[k] != ""]
        return " — ".join(p for p in parts if p.strip())


def is_json_type(media_type: str) -> bool:
    """application/json or a structured +json type (JWKS, NRPS, AGS media types)."""
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))


# --- sockets that honour the request's total deadline ---

_deadline = threading.local()


def _time_left() -> float | None:
    at = getattr(_deadline, "at", None)
    if at is None:
        return None
    left = at - time.monotonic()
    if left <= 0:
        raise TimeoutError("the request's total deadline has passed")
    return left


class _DeadlineMixin:
    """Before each blocking socket call, shorten the socket timeout to what is left of the
    request's deadline: a peer dripping one byte every few seconds restarts no clock."""

    def _clamp(self) -> None:
        left = _time_left()
        if left is not None:
            current = self.gettimeout()
            if current is None or current > left:
                self.settimeout(left)

    def recv_into(self, buffer, nbytes=0, flags=0):
        self._clamp()
        return super().recv_into(buffer, nbytes, flags)

    def recv(self, bufsize, flags=0):
        self._clamp()
        return super().recv(bufsize, flags)

    def send(self, data, flags=0):
        self._clamp()
        return super().send(data, flags)

    def sendall(self, data, flags=0):
        self._clamp()
        return super().sendall(data, flags)


class _DeadlineSocket(_DeadlineMixin, socket.socket):
    pass


class _DeadlineSSLSocket(_DeadlineMixin, ssl.SSLSocket):
    pass


class _PinnedMixin:
    """A connection that never resolves names: it connects to the address the guard checked."""

    def __init__(self, *args, pinned_address: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.pinned_address = pinned_address

    def _new_conn(self) -> socket.socket:
        ip = parse_address(self.pinned_address)
        timeout = self.timeout if isinstance(self.timeout, int | float) else None
        sock = _DeadlineSocket(socket.AF_INET6 if ip.version == 6 else socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(timeout)
            sock._clamp()
            sock.connect((str(ip), self.port))
        except TimeoutError as exc:
            sock.close()
            raise ConnectTimeoutError(self, f"connection to {self.host} timed out") from exc
        except OSError as exc:
            sock.close()
            raise NewConnectionError(self, f"connection to {self.host} failed: {exc.strerror or exc}") from exc
        return sock


class _PinnedHTTPConnection(_PinnedMixin, HTTPConnection):
    pass


class _PinnedHTTPSConnection(_PinnedMixin, HTTPSConnection):
    pass


class _PinnedHTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _PinnedHTTPConnection


class _PinnedHTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _PinnedHTTPSConnection


@dataclass
class _Pinned:
    pool: urllib3.HTTPConnectionPool
    address: str
    checked_at: float


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for `host` (TCP)."""
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


_resolver_threads = ThreadPoolExecutor(max_workers=4, thread_name_prefix="outbound-dns")


# --- the client ---

class OutboundClient:
    """Guarded, pooled HTTP to platform URLs; thread-safe; one per process is enough.

    `resolver(host, port) -> [address, …]` is the guard's seam for name resolution (tests feed
    it answers that point at private addresses); `ca_certs` a CA bundle (default: certifi's);
    `pool_size`: connections kept per origin (the worker's concurrency per platform);
    `clock`: monotonic seconds (re-resolution interval).
    """

    def __init__(self, policy: Policy | None = None, *, resolver: Callable[[str, int], list[str]] | None = None,
                 ca_certs: str | None = None, pool_size: int = 4, user_agent: str = USER_AGENT,
                 clock: Callable[[], float] = time.monotonic):
        self.policy = policy or Policy()
        self.resolver = resolver or system_resolver
        self.pool_size = max(1, pool_size)
        self.user_agent = user_agent
        self.clock = clock
        self.resolutions = 0  # names resolved and checked (tests, benchmarks)
        self._ssl = ssl.create_default_context(cafile=ca_certs or requests.certs.where())
        self._ssl.sslsocket_class = _DeadlineSSLSocket
        self._pools: dict[tuple[str, str, int], _Pinned] = {}
        self._lock = threading.Lock()
        self._targets: dict[str, Target] = {}

    # public API

    def request(self, method: str, url: str, *, allowed_hosts: Iterable[str], headers: Mapping | None = None,
                body: bytes | None = None, json=None, form: Mapping | None = None, expect_json: bool = False,
                timeout: float | None = None, max_bytes: int | None = None, repeatable: bool = False) -> Response:
        """Send one request under the guard and return the whole answer (any status).

        `allowed_hosts`: the hosts this URL may name (`hosts_of(...)` of the registration).
        `expect_json`: a 2xx answer must have a JSON content type (UnexpectedContent otherwise).
        `repeatable`: the request may be sent again on a fresh connection when a kept-alive one
        was dropped before any answer (GET and HEAD always may).
        """
        method = method.upper()
        headers = dict(headers or {})
        if json is not None:
            body = jsonlib.dumps(json).encode()
            headers.setdefault("Content-Type", "application/json")
        elif form is not None:
            body = urlencode(form).encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        allowed = frozenset(allowed_hosts)
        deadline = time.monotonic() + (timeout if timeout is not None else self.policy.total_timeout)
        limit = max_bytes if max_bytes is not None else self.policy.max_bytes
        target = self._target(url, allowed)
        origin = target.origin
        for _hop in range(MAX_REDIRECTS + 1):
            response = self._send(target, url, method, headers, body, deadline, limit,
                                  repeatable or method in ("GET", "HEAD"))
            location = response.headers.get("Location")
            if response.status_code not in REDIRECT_STATUSES or not location or method not in ("GET", "HEAD"):
                break
            url = urljoin(url, location)
            try:
                target = self._target(url, allowed)
            except UrlRefused as exc:
                raise RedirectRefused(f"{target.host} redirects to an address the tool does not fetch",
                                      host=target.host) from exc
            if target.origin != origin:
                raise RedirectRefused(f"{origin[1]} redirects to another site", host=origin[1])
        else:
            raise RedirectRefused(f"{target.host} redirects too many times", host=target.host)
        if expect_json and response.ok and not is_json_type(response.content_type):
            raise UnexpectedContent(f"{target.host} answered {response.content_type or 'no content type'}, "
                                    "not JSON", host=target.host, status=response.status_code)
        return response

    def get_json(self, url: str, *, allowed_hosts: Iterable[str], headers: Mapping | None = None, **kwargs):
        """GET a JSON document: the decoded body of a 2xx JSON answer, else an OutboundError."""
        headers = {"Accept": "application/json", **(headers or {})}
        response = self.request("GET", url, allowed_hosts=allowed_hosts, headers=headers, expect_json=True,
                                **kwargs)
        return response.raise_for_status().json()

    def vet(self, url: str, *, allowed_hosts: Iterable[str], resolve: bool = True) -> None:
        """Check `url` as a request would, without sending anything: scheme, host on the list and
        (when `resolve`) every address of the host. Raises like `request`; ResolutionFailed when
        the name does not resolve, which a caller registering a URL for later may accept."""
        target = self._target(url, frozenset(allowed_hosts))
        literal = target.ip_literal
        if literal is not None or resolve:
            self._checked_address(target, time.monotonic() + self.policy.total_timeout)

    def close(self) -> None:
        """Close every kept-alive connection."""
        with self._lock:
            pinned, self._pools = list(self._pools.values()), {}
        for entry in pinned:
            entry.pool.close()

    # the guard

    def _target(self, url: str, allowed: frozenset[str]) -> Target:
        target = self._targets.get(url)
        if target is None:
            try:
                target = addresses.parse_target(url)
            except UrlProblem as exc:
                raise UrlRefused(str(exc), reason=exc.reason) from exc
            if len(self._targets) > 4096:
                self._targets.clear()
            self._targets[url] = target
        if target.host not in allowed:
            raise UrlRefused(f"{target.host} is not a host of this platform", host=target.host,
                             reason="host_not_allowed")
        if target.scheme == "http" and not self.policy.dev:
            raise UrlRefused(f"{target.host}: only https addresses are fetched", host=target.host,
                             reason="not_https")
        return target

    def _checked_address(self, target: Target, deadline: float) -> str:
        """Resolve `target.host` and check every address; the first one is the one to use."""
        literal = target.ip_literal
        if literal is not None:
            found = [str(literal)]
        else:
            left = deadline - time.monotonic()
            future = _resolver_threads.submit(self.resolver, target.host, target.port)
            try:
                found = list(future.result(timeout=max(left, 0.001)))
            except FutureTimeout as exc:
                raise ResolutionFailed(f"{target.host} did not resolve in time", host=target.host) from exc
            except (OSError, UnicodeError) as exc:
                raise ResolutionFailed(f"{target.host} does not resolve", host=target.host) from exc
        if not found:
            raise ResolutionFailed(f"{target.host} does not resolve", host=target.host)
        self.resolutions += 1
        for text in found:
            ip = parse_address(text)
            reason = self.policy.allows(ip)
            if reason is not None:
                raise AddressRefused(f"{target.host} resolves to a {reason.replace('_', '-')} address, "
                                     "which the tool does not reach", host=target.host, reason="private_address")
            if target.scheme == "http" and not (addresses.embedded_ipv4(ip) or ip).is_loopback:
                raise UrlRefused(f"{target.host}: plain http is allowed only to this machine (development)",
                                 host=target.host, reason="not_https")
        return str(parse_address(found[0]))

    def _pool(self, target: Target, deadline: float) -> urllib3.HTTPConnectionPool:
        """The kept-alive pool of the origin, pinned to a checked address; re-checked after
        `reresolve_seconds` (a changed answer gets a new pool, checked like the first)."""
        key = target.origin
        entry = self._pools.get(key)
        now = self.clock()
        if entry is not None and now - entry.checked_at < self.policy.reresolve_seconds:
            return entry.pool
        address = self._checked_address(target, deadline)
        retired = None
        with self._lock:
            entry = self._pools.get(key)
            if entry is not None and entry.address == address:
                entry.checked_at = now
                return entry.pool
            retired = self._pools.pop(key, None)
            while len(self._pools) >= MAX_POOLS:
                retired_old = self._pools.pop(next(iter(self._pools)))
                retired_old.pool.close()
            entry = self._pools[key] = _Pinned(self._new_pool(target, address), address, now)
        if retired is not None:
            retired.pool.close()
        return entry.pool

    def _new_pool(self, target: Target, address: str) -> urllib3.HTTPConnectionPool:
        common = {"maxsize": self.pool_size, "block": True, "retries": False, "pinned_address": address}
        if target.scheme == "https":
            # The pool keeps the host *name*: SNI and the certificate check use it; the
            # connection goes to `address` only.
            return _PinnedHTTPSPool(target.host, target.port, ssl_context=self._ssl, cert_reqs="CERT_REQUIRED",
                                    **common)
        return _PinnedHTTPPool(target.host, target.port, **common)

    # one exchange

    def _send(self, target: Target, url: str, method: str, headers: dict, body: bytes | None, deadline: float,
              limit: int, repeatable: bool) -> Response:
        sent_headers = {"User-Agent": self.user_agent, "Accept-Encoding": "identity", **headers}
        previous, _deadline.at = getattr(_deadline, "at", None), deadline
        try:
            raw = self._open(target, method, sent_headers, body, deadline, repeatable)
            return self._complete(raw, target, url, limit)
        except ProtocolError as exc:
            raise ConnectFailed(f"{target.host} broke the connection", host=target.host) from exc
        except EmptyPoolError as exc:
            raise DeadlineExceeded(f"{target.host}: no free connection in time", host=target.host) from exc
        except NewConnectionError as exc:  # before ConnectTimeoutError: it is a subclass
            raise ConnectFailed(f"{target.host} is not reachable", host=target.host) from exc
        except (Urllib3Timeout, TimeoutError) as exc:
            raise DeadlineExceeded(f"{target.host} did not answer in time", host=target.host) from exc
        except SSLError as exc:
            raise TlsFailed(f"{target.host}: the TLS connection or its certificate is not valid",
                            host=target.host) from exc
        except HTTPError as exc:
            raise ConnectFailed(f"{target.host}: the request failed", host=target.host) from exc
        finally:
            _deadline.at = previous

    def _open(self, target: Target, method: str, headers: dict, body: bytes | None, deadline: float,
              repeatable: bool):
        """Send and read the status line and headers; a kept-alive connection the peer dropped
        before any answer is replaced once when the request is repeatable."""
        for attempt in (1, 2):
            pool = self._pool(target, deadline)
            left = deadline - time.monotonic()
            if left <= 0:
                raise DeadlineExceeded(f"{target.host} did not answer in time", host=target.host)
            try:
                return pool.urlopen(
                    method, target.path, body=body, headers=headers, retries=False, redirect=False,
                    timeout=urllib3.Timeout(connect=min(self.policy.connect_timeout, left),
                                            read=min(self.policy.read_timeout, left)),
                    pool_timeout=left, preload_content=False, decode_content=False)
            except ProtocolError as exc:
                if attempt == 2 or not repeatable:
                    raise ConnectFailed(f"{target.host} closed the connection without an answer",
                                        host=target.host) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _complete(self, raw, target: Target, url: str, limit: int) -> Response:
        """Read the whole body within the size limit; the connection goes back to the pool only
        when the answer was read to its end."""
        try:
            encoding = (raw.headers.get("Content-Encoding") or "identity").strip().lower()
            if encoding != "identity":
                raise UnexpectedContent(f"{target.host} sent a compressed answer", host=target.host,
                                        status=raw.status, reason="encoding")
            length = raw.headers.get("Content-Length")
            if length and length.strip().isdigit() and int(length) > limit:
                raise TooLarge(f"{target.host} answered more than {limit} bytes", host=target.host,
                               status=raw.status)
            chunks, size = [], 0
            while True:
                chunk = raw.read(min(65536, limit + 1 - size))
                if not chunk:
                    break
                size += len(chunk)
                if size > limit:
                    raise TooLarge(f"{target.host} answered more than {limit} bytes", host=target.host,
                                   status=raw.status)
                chunks.append(chunk)
        except BaseException:
            raw.close()
            raw.release_conn()
            raise
        raw.release_conn()
        return Response(raw.status, raw.reason or "", raw.headers, b"".join(chunks), url, target.host)
