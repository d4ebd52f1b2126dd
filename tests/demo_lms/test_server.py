"""The demo LMS's server (cheroot) as the tests and benchmarks rely on it, over raw sockets:
connections are reused, closed when asked, request bodies arrive whole (Content-Length, chunked,
100-continue), and stopping the server ends kept-alive connections."""
from __future__ import annotations

import json
import socket
import threading

import pytest

from demo_lms.server import make_server


def _app(environ, start_response):
    body = environ["wsgi.input"].read()
    data = json.dumps({"method": environ["REQUEST_METHOD"], "path": environ["PATH_INFO"],
                       "query": environ["QUERY_STRING"], "body": body.decode(),
                       "agent": environ.get("HTTP_USER_AGENT"), "ctype": environ.get("CONTENT_TYPE")}).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


@pytest.fixture
def server():
    srv = make_server("127.0.0.1", 0, _app)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def _read_response(f) -> tuple[int, dict, bytes]:
    status = f.readline()
    assert status, "connection closed"
    headers = {}
    while (line := f.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode().partition(":")
        headers[name.strip().lower()] = value.strip()
    body = f.read(int(headers.get("content-length", 0)))
    return int(status.split()[1]), headers, body


def _connect(srv):
    sock = socket.create_connection(("127.0.0.1", srv.server_port), timeout=5)
    return sock, sock.makefile("rb")


def test_requests_share_one_connection_until_the_client_asks_to_close(server):
    sock, f = _connect(server)
    sock.sendall(b"GET /a?x=1 HTTP/1.1\r\nHost: t\r\nUser-Agent: one\r\n\r\n"
                 b"POST /b%20c HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello")
    code, headers, body = _read_response(f)
    assert code == 200 and "connection" not in headers
    assert json.loads(body) == {"method": "GET", "path": "/a", "query": "x=1", "body": "", "agent": "one",
                                "ctype": None}
    code, _, body = _read_response(f)
    assert json.loads(body)["path"] == "/b c" and json.loads(body)["body"] == "hello"
    sock.sendall(b"GET /last HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    code, headers, body = _read_response(f)
    assert json.loads(body)["path"] == "/last"
    assert f.read() == b""  # the server closed it


def test_chunked_body_and_expect_continue(server):
    sock, f = _connect(server)
    sock.sendall(b"POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                 b"4\r\nabcd\r\n3;ext=1\r\nefg\r\n0\r\n\r\n")
    assert json.loads(_read_response(f)[2])["body"] == "abcdefg"
    sock.sendall(b"POST /d HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
    assert f.readline().startswith(b"HTTP/1.1 100")
    assert f.readline() == b"\r\n"
    sock.sendall(b"ok")
    assert json.loads(_read_response(f)[2])["body"] == "ok"


def test_malformed_request_gets_400_and_close(server):
    sock, f = _connect(server)
    sock.sendall(b"NONSENSE\r\n\r\n")
    code, _, _ = _read_response(f)
    assert code == 400


def test_stopping_the_server_ends_kept_alive_connections():
    srv = make_server("127.0.0.1", 0, _app)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    sock, f = _connect(srv)
    sock.sendall(b"GET /x HTTP/1.1\r\nHost: t\r\n\r\n")
    assert _read_response(f)[0] == 200
    srv.shutdown()
    srv.server_close()
    try:
        sock.sendall(b"GET /x HTTP/1.1\r\nHost: t\r\n\r\n")
        assert f.readline() == b""  # no answer from a stopped LMS
    except OSError:
        pass  # reset: no answer either


def test_a_process_that_never_stops_its_lms_still_exits():
    """The server's threads are daemons: a script or test that forgets stop() does not hang."""
    import subprocess
    import sys

    script = ("import threading, urllib.request\n"
              "from demo_lms.server import make_server\n"
              "srv = make_server('127.0.0.1', 0, lambda e, s: (s('200 OK', [('Content-Length', '2')]), [b'ok'])[1])\n"
              "threading.Thread(target=srv.serve_forever, daemon=True).start()\n"
              "print(urllib.request.urlopen(f'http://127.0.0.1:{srv.server_port}/').read().decode())\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stdout.strip()) == (0, "ok"), done.stderr
