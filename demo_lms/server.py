"""A threaded HTTP/1.1 WSGI server with keep-alive, for the demo LMS in tests and by hand.

werkzeug's development server closes every connection after one response (``Connection:
close``), so each request of a client costs a TCP handshake, an ``accept``, a new thread and a
10 ms drain of the socket; at thousands of score POSTs a second that was half of the LMS's CPU.
This server keeps connections open (a thread per connection, as Moodle's web server keeps a
worker per connection), parses the request head with plain ``readline`` calls and writes each
response with one ``sendall``.

It is small on purpose: request bodies are read whole (up to ``MAX_BODY``; Content-Length or
chunked, ``Expect: 100-continue`` honoured), responses are buffered whole (the demo LMS answers
small pages and JSON documents), no TLS. Stopping it closes the kept-alive connections too: a
stopped LMS answers nobody.
"""
from __future__ import annotations

import io
import socket
import socketserver
import sys
import threading
import time
from email.utils import formatdate
from typing import Any, Callable
from urllib.parse import unquote_to_bytes

MAX_LINE = 65536
MAX_HEADERS = 200
MAX_BODY = 16 * 1024 * 1024
IDLE_SECONDS = 75.0  # like nginx's keepalive_timeout
NO_BODY = frozenset((204, 304))


class BadRequest(Exception):
    def __init__(self, status: str, detail: str):
        super().__init__(detail)
        self.status = status


class _Handler(socketserver.StreamRequestHandler):
    """One connection: requests in turn until the client closes, asks to close, or idles out."""

    timeout = IDLE_SECONDS
    server: "KeepAliveServer"

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection, True)

    def finish(self) -> None:
        self.server.track(self.connection, False)
        try:
            super().finish()
        except OSError:
            pass

    def handle(self) -> None:
        try:
            while self.handle_one():
                pass
        except (OSError, ValueError):  # the client went away, idled out, or the server stopped
            pass

    def handle_one(self) -> bool:
        line = self.rfile.readline(MAX_LINE + 1)
        while line in (b"\r\n", b"\n"):  # stray line ends between requests are allowed (RFC 9112 §2.2)
            line = self.rfile.readline(MAX_LINE + 1)
        if not line:
            return False
        try:
            method, target, version, headers = self.read_head(line)
            body = self.read_body(headers, version)
        except BadRequest as exc:
            self.send_raw(exc.status, [("Content-Type", "text/plain; charset=utf-8")], str(exc).encode(), False)
            return False
        keep = self.keep_alive(version, headers)
        environ = self.environ(method, target, version, headers, body)
        return self.run_app(environ, method, version, keep)

    def read_head(self, line: bytes) -> tuple[str, str, str, list[tuple[str, str]]]:
        if len(line) > MAX_LINE:
            raise BadRequest("414 URI Too Long", "request line too long")
        parts = line.decode("latin-1").rstrip("\r\n").split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            raise BadRequest("400 Bad Request", "malformed request line")
        headers = []
        for _ in range(MAX_HEADERS):
            raw = self.rfile.readline(MAX_LINE + 1)
            if raw in (b"\r\n", b"\n"):
                return parts[0], parts[1], parts[2], headers
            if not raw or len(raw) > MAX_LINE:
                raise BadRequest("400 Bad Request", "malformed headers")
            name, sep, value = raw.decode("latin-1").partition(":")
            if not sep or not name or name != name.strip():
                raise BadRequest("400 Bad Request", "malformed header line")
            headers.append((name, value.strip()))
        raise BadRequest("431 Request Header Fields Too Large", "too many headers")

    def read_body(self, headers: list[tuple[str, str]], version: str) -> bytes:
        lower = {name.lower(): value for name, value in headers}
        chunked = "chunked" in lower.get("transfer-encoding", "").lower()
        length = lower.get("content-length")
        if not chunked and not length:
            return b""
        if lower.get("expect", "").lower() == "100-continue" and version == "HTTP/1.1":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        if chunked:
            return self.read_chunked()
        if not length.isdigit():
            raise BadRequest("400 Bad Request", "bad Content-Length")
        if int(length) > MAX_BODY:
            raise BadRequest("413 Content Too Large", "request body too large")
        body = self.rfile.read(int(length))
        if len(body) != int(length):
            raise BadRequest("400 Bad Request", "request body shorter than Content-Length")
        return body

    def read_chunked(self) -> bytes:
        parts, total = [], 0
        while True:
            size_line = self.rfile.readline(MAX_LINE + 1)
            try:
                size = int(size_line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise BadRequest("400 Bad Request", "malformed chunk size") from None
            if size == 0:
                while self.rfile.readline(MAX_LINE + 1) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(parts)
            total += size
            if total > MAX_BODY:
                raise BadRequest("413 Content Too Large", "request body too large")
            parts.append(self.rfile.read(size))
            self.rfile.readline(MAX_LINE + 1)

    @staticmethod
    def keep_alive(version: str, headers: list[tuple[str, str]]) -> bool:
        tokens = ",".join(v for n, v in headers if n.lower() == "connection").lower()
        if version == "HTTP/1.0":
            return "keep-alive" in tokens
        return "close" not in tokens

    def environ(self, method: str, target: str, version: str, headers: list[tuple[str, str]],
                body: bytes) -> dict[str, Any]:
        path, _, query = target.partition("?")
        if path.startswith(("http://", "https://")):  # absolute form: keep the path only
            path = "/" + path.split("/", 3)[3] if path.count("/") >= 3 else "/"
        host, port = self.server.server_address[:2]
        env: dict[str, Any] = {
            "REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
            "QUERY_STRING": query, "REQUEST_URI": target, "RAW_URI": target, "SERVER_NAME": host,
            "SERVER_PORT": str(port), "SERVER_PROTOCOL": version, "REMOTE_ADDR": self.client_address[0],
            "REMOTE_PORT": str(self.client_address[1]), "wsgi.version": (1, 0), "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr, "wsgi.multithread": True,
            "wsgi.multiprocess": False, "wsgi.run_once": False, "CONTENT_LENGTH": str(len(body)) if body else "",
        }
        for name, value in headers:
            key = name.upper().replace("-", "_")
            if "_" in name or key in ("CONTENT_LENGTH", "TRANSFER_ENCODING"):
                continue  # underscores would alias dashes (header smuggling); the body is already read
            if key == "CONTENT_TYPE":
                env[key] = value
                continue
            key = "HTTP_" + key
            env[key] = f"{env[key]},{value}" if key in env else value
        return env

    def run_app(self, environ: dict[str, Any], method: str, version: str, keep: bool) -> bool:
        started: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info=None) -> Callable:
            if exc_info and started:
                raise exc_info[1].with_traceback(exc_info[2])
            started[:] = [status, headers]
            return chunks.append

        chunks: list[bytes] = []
        try:
            result = self.server.app(environ, start_response)
            try:
                for chunk in result:
                    if chunk:
                        chunks.append(chunk)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        except Exception:  # noqa: BLE001 - a broken view must not kill the connection thread silently
            import traceback

            traceback.print_exc(file=sys.stderr)
            self.send_raw("500 Internal Server Error", [("Content-Type", "text/plain; charset=utf-8")],
                          b"Internal Server Error", False)
            return False
        status, headers = started
        body = b"".join(chunks)
        code = int(status[:3])
        names = {name.lower() for name, _ in headers}
        if "content-length" not in names and code not in NO_BODY and code >= 200 and method != "HEAD":
            headers = [*headers, ("Content-Length", str(len(body)))]
        elif "content-length" not in names and method == "HEAD":
            keep = False  # the length of what GET would send is unknown: end the message by closing
        if "connection" in names:
            keep = keep and "close" not in ",".join(v for n, v in headers if n.lower() == "connection").lower()
        self.send_raw(status, headers, b"" if method == "HEAD" or code in NO_BODY else body, keep, version)
        if self.server.access_log:
            sys.stderr.write(f'{self.client_address[0]} - - [{_date()}] "{method} {environ["REQUEST_URI"]} '
                             f'{version}" {code} -\n')
        return keep

    def send_raw(self, status: str, headers: list[tuple[str, str]], body: bytes, keep: bool,
                 version: str = "HTTP/1.1") -> None:
        lines = [f"HTTP/1.1 {status}\r\nServer: demo-lms\r\nDate: {_date()}\r\n"]
        lines += [f"{name}: {value}\r\n" for name, value in headers]
        names = {name.lower() for name, _ in headers}
        if "content-length" not in names and body:
            lines.append(f"Content-Length: {len(body)}\r\n")
        if not keep:
            lines.append("Connection: close\r\n")
        elif version == "HTTP/1.0":
            lines.append("Connection: keep-alive\r\n")
        lines.append("\r\n")
        self.connection.sendall("".join(lines).encode("latin-1") + body)


_date_cache: tuple[int, str] = (0, "")


def _date() -> str:
    """The Date header, formatted once a second."""
    global _date_cache
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache = (now, formatdate(now, usegmt=True))
    return _date_cache[1]


class KeepAliveServer(socketserver.ThreadingTCPServer):
    """``make_server``-like: ``server_port``, ``serve_forever``, ``shutdown``, ``server_close``."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, host: str, port: int, app: Callable, access_log: bool = False):
        self.app, self.access_log = app, access_log
        self._connections: set[socket.socket] = set()
        self._conn_lock = threading.Lock()
        super().__init__((host, port), _Handler)

    @property
    def server_port(self) -> int:
        return self.server_address[1]

    def track(self, conn: socket.socket, opened: bool) -> None:
        with self._conn_lock:
            (self._connections.add if opened else self._connections.discard)(conn)

    def server_close(self) -> None:
        """Stop listening and end every open connection (their threads then finish)."""
        super().server_close()
        with self._conn_lock:
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def make_server(host: str, port: int, app: Callable, access_log: bool = False) -> KeepAliveServer:
    """A bound server (``port`` 0 = a free one); run it with ``serve_forever()``."""
    return KeepAliveServer(host, port, app, access_log)
