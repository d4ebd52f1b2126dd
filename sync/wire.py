"""Lean keep-alive HTTP/1.1 for the score hot path: a few syscalls and no per-request objects.

`requests` spends about half a millisecond of CPU per request (prepared request, hooks, adapter,
urllib3's connection checks, `email` header parsing); at thousands of scores a drain that is most
of the worker's CPU. Score POSTs go through this instead: persistent connections per origin,
request heads built from pre-encoded parts, responses parsed by hand (status line, headers,
Content-Length, chunked or close-delimited bodies). Everything else the worker sends (tokens, line
items, rosters) keeps using `requests`.

Failures raise subclasses of `requests.ConnectionError` / `requests.Timeout`, so callers treat
them like any other failed request. A request that meets a connection the server closed while it
was idle is sent again once on a fresh connection, only when the caller says repeating it is
harmless (a score carries its timestamp: a repeat meets 409).
"""
from __future__ import annotations

import select
import socket
import ssl
import threading
from collections import deque
from json import loads
from urllib.parse import urlsplit

import requests
import requests.certs

MAX_LINE = 65536
MAX_HEADERS = 200


class WireError(requests.ConnectionError):
    """The connection failed or the answer was not HTTP."""


class WireTimeout(requests.Timeout):
    """No connection or no answer within the timeout."""


class StaleConnection(WireError):
    """A reused connection turned out closed before any answer byte arrived."""


class Reply:
    """The parts of `requests.Response` the worker reads: status, headers, body."""

    __slots__ = ("status_code", "reason", "headers", "content")

    def __init__(self, status_code: int, reason: str, headers: "Headers", content: bytes):
        self.status_code, self.reason, self.headers, self.content = status_code, reason, headers, content

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self):
        return loads(self.content)


class Headers(dict):
    """Response headers by lowercased name (the last value of a repeated header wins)."""

    def get(self, name: str, default=None):
        return dict.get(self, name.lower(), default)

    def __getitem__(self, name: str) -> str:
        return dict.__getitem__(self, name.lower())

    def __contains__(self, name) -> bool:
        return dict.__contains__(self, name.lower())


class Origin:
    """Idle connections to one scheme://host:port, handed to one thread at a time."""

    def __init__(self, scheme: str, host: str, port: int, user_agent: str, keep: int):
        self.scheme, self.host, self.port, self.keep = scheme, host, port, keep
        default = 443 if scheme == "https" else 80
        host_header = host if port == default else f"{host}:{port}"
        self.fixed = f"Host: {host_header}\r\nUser-Agent: {user_agent}\r\nAccept: */*\r\n"
        self.idle: deque = deque()
        # The CA bundle `requests` verifies with (certifi), so scores trust what tokens trust.
        self.tls = ssl.create_default_context(cafile=requests.certs.where()) if scheme == "https" else None

    def connect(self, timeout: tuple[float, float]) -> "Connection":
        try:
            sock = socket.create_connection((self.host, self.port), timeout=timeout[0])
        except socket.timeout as exc:
            raise WireTimeout(f"connect to {self.host}:{self.port} timed out") from exc
        except OSError as exc:
            raise WireError(f"connect to {self.host}:{self.port} failed: {exc}") from exc
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.tls is not None:
            try:
                sock = self.tls.wrap_socket(sock, server_hostname=self.host)
            except (OSError, ssl.SSLError) as exc:
                sock.close()
                raise WireError(f"TLS with {self.host}:{self.port} failed: {exc}") from exc
        return Connection(sock)

    def take(self) -> "Connection | None":
        """An idle connection that the server has not closed meanwhile, or None."""
        while True:
            try:
                conn = self.idle.pop()
            except IndexError:
                return None
            if conn.alive():
                return conn
            conn.close()

    def give_back(self, conn: "Connection") -> None:
        if len(self.idle) < self.keep:
            self.idle.append(conn)
        else:
            conn.close()


class Connection:
    __slots__ = ("sock", "rfile")

    def __init__(self, sock: socket.socket):
        self.sock, self.rfile = sock, sock.makefile("rb")

    def alive(self) -> bool:
        """False when the server closed the idle connection (readable at EOF, or an error)."""
        try:
            readable, _, _ = select.select([self.sock], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable  # an idle keep-alive connection has nothing to read

    def close(self) -> None:
        try:
            self.rfile.close()
            self.sock.close()
        except OSError:
            pass


class KeepAlive:
    """Persistent HTTP/1.1 connections per origin, shared by threads (one request per connection
    at a time). Not a general client: no redirects, proxies or compression (the worker never asks
    for them)."""

    def __init__(self, pool_size: int, user_agent: str):
        self.pool_size, self.user_agent = max(pool_size, 1), user_agent
        self.origins: dict[tuple[str, str, int], Origin] = {}
        self.paths: dict[str, tuple[Origin, str]] = {}
        self.lock = threading.Lock()

    def _target(self, url: str) -> tuple[Origin, str]:
        hit = self.paths.get(url)
        if hit is not None:
            return hit
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise WireError(f"not an http(s) URL: {url}")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        key = (parts.scheme, parts.hostname, port)
        with self.lock:
            origin = self.origins.get(key)
            if origin is None:
                origin = self.origins[key] = Origin(parts.scheme, parts.hostname, port, self.user_agent,
                                                    self.pool_size)
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            if len(self.paths) < 10000:
                self.paths[url] = (origin, path)
        return origin, path

    def request(self, method: str, url: str, body: bytes, headers: str, timeout: tuple[float, float],
                repeatable: bool = False) -> Reply:
        """Send `method url` with `headers` (ready "Name: value\\r\\n" lines) and `body`.

        `repeatable`: the request may be sent twice without harm (then a stale idle connection
        is retried once on a new one)."""
        origin, path = self._target(url)
        head = (f"{method} {path} HTTP/1.1\r\n{origin.fixed}{headers}Content-Length: {len(body)}\r\n\r\n"
                .encode("latin-1"))
        conn = origin.take()
        if conn is not None:
            try:
                return self._exchange(origin, conn, head + body, timeout, method)
            except StaleConnection:
                if not repeatable:
                    raise
        return self._exchange(origin, origin.connect(timeout), head + body, timeout, method)

    def _exchange(self, origin: Origin, conn: Connection, data: bytes, timeout: tuple[float, float],
                  method: str) -> Reply:
        try:
            conn.sock.settimeout(timeout[1])
            conn.sock.sendall(data)
            reply, keep = read_reply(conn.rfile, method)
        except WireError:  # StaleConnection included
            conn.close()
            raise
        except socket.timeout as exc:
            conn.close()
            raise WireTimeout(f"no answer within {timeout[1]:g} s") from exc
        except (OSError, ValueError) as exc:
            conn.close()
            raise WireError(f"request failed: {type(exc).__name__}: {exc}") from exc
        if keep:
            origin.give_back(conn)
        else:
            conn.close()
        return reply


def read_reply(rfile, method: str) -> tuple[Reply, bool]:
    """Read one response (skipping 1xx); returns it and whether the connection stays usable."""
    first = True
    while True:
        line = rfile.readline(MAX_LINE + 1)
        if not line:
            if first:
                raise StaleConnection("the server closed the connection without answering")
            raise WireError("the server closed the connection mid-answer")
        first = False
        version, _, rest = line.decode("latin-1").rstrip("\r\n").partition(" ")
        code_text, _, reason = rest.partition(" ")
        if not version.startswith("HTTP/") or not code_text.isdigit():
            raise WireError(f"not an HTTP status line: {line[:80]!r}")
        code = int(code_text)
        headers = _read_headers(rfile)
        if 100 <= code < 200:
            continue
        break
    conn_tokens = headers.get("connection", "").lower()
    keep = "close" not in conn_tokens and (version != "HTTP/1.0" or "keep-alive" in conn_tokens)
    if method == "HEAD" or code in (204, 304):
        body = b""
    elif "chunked" in headers.get("transfer-encoding", "").lower():
        body = _read_chunked(rfile)
    elif "content-length" in headers:
        length = int(headers["content-length"])
        body = rfile.read(length) if length else b""
        if len(body) != length:
            raise WireError("the server closed the connection mid-body")
    else:  # delimited by the end of the connection
        body, keep = rfile.read(), False
    return Reply(code, reason, headers, body), keep


def _read_headers(rfile) -> Headers:
    headers = Headers()
    for _ in range(MAX_HEADERS):
        line = rfile.readline(MAX_LINE + 1)
        if line in (b"\r\n", b"\n"):
            return headers
        if not line:
            raise WireError("the server closed the connection mid-headers")
        name, sep, value = line.decode("latin-1").partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    raise WireError("too many response headers")


def _read_chunked(rfile) -> bytes:
    parts = []
    while True:
        size_line = rfile.readline(MAX_LINE + 1)
        if not size_line:
            raise WireError("the server closed the connection mid-body")
        size = int(size_line.split(b";", 1)[0].strip(), 16)
        if size == 0:
            _read_headers(rfile)  # trailers, up to the blank line
            return b"".join(parts)
        chunk = rfile.read(size)
        if len(chunk) != size or rfile.read(2) != b"\r\n":
            raise WireError("malformed chunked body")
        parts.append(chunk)
