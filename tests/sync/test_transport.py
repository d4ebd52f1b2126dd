"""The worker's transport (the guarded client of lti_tool/core/outbound.py, as sync/http.py builds it)
against a scripted loopback server: connections reused, chunked and close-delimited bodies, 1xx
skipped, a connection the server dropped while idle retried only for repeatable requests, timeouts
and refused connections as transient errors, TLS certificates verified."""
from __future__ import annotations

import socket
import threading
import time
from dataclasses import replace

import pytest

from lti_tool.core.outbound import ConnectFailed, DeadlineExceeded, OutboundClient, TlsFailed
from sync.http import worker_policy
from sync.settings import sync_settings

HOSTS = {"127.0.0.1", "localhost"}


def client(pool_size: int = 4, **policy) -> OutboundClient:
    """The worker's client with development settings (plain http on loopback), 2 s timeouts."""
    settings = sync_settings({"DEV_MODE": True, "SYNC_CONNECT_TIMEOUT": 2.0, "SYNC_READ_TIMEOUT": 2.0})
    base = worker_policy(settings)
    return OutboundClient(replace(base, **policy), pool_size=pool_size, user_agent="test-agent")


def send(wire: OutboundClient, method: str, url: str, body: bytes, headers: dict, repeatable: bool = False):
    return wire.request(method, url, allowed_hosts=HOSTS, body=body, headers=headers, repeatable=repeatable)


class Scripted:
    """Answers each request on a connection with the next reply of `replies` (bytes, or None to
    close the connection without answering); counts accepted connections."""

    def __init__(self, replies: list):
        self.replies, self.connections, self.requests = list(replies), 0, []
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def serve(self, conn):
        f = conn.makefile("rb")
        while True:
            head = []
            while (line := f.readline()) not in (b"\r\n", b""):
                head.append(line)
            if not head:
                break
            length = next((int(h.split(b":")[1]) for h in head if h.lower().startswith(b"content-length")), 0)
            self.requests.append((head[0], f.read(length)))
            reply = self.replies.pop(0)
            if reply is None:
                break
            if callable(reply):
                reply(conn)
                continue
            conn.sendall(reply)
            if b"Connection: close" in reply or b"Content-Length" not in reply and b"chunked" not in reply:
                break
        conn.close()

    def stop(self):
        self.sock.close()


@pytest.fixture
def scripted():
    servers = []

    def make(replies):
        servers.append(Scripted(replies))
        return servers[-1]

    yield make
    for s in servers:
        s.stop()


OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


def test_one_connection_for_many_requests_with_chunked_and_interim_answers(scripted):
    srv = scripted([OK, b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 409 Conflict\r\nTransfer-Encoding: chunked\r\n"
                        b"Retry-After: 3\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", OK])
    wire = client()
    first = send(wire, "POST", srv.url + "/a/scores", b'{"x":1}', {"Content-Type": "application/json"})
    second = send(wire, "POST", srv.url + "/a/scores", b"{}", {})
    third = send(wire, "GET", srv.url + "/b?c=d", None, {})
    assert (first.status_code, first.content) == (200, b"ok")
    assert (second.status_code, second.text, second.headers.get("retry-after")) == (409, "hello world", "3")
    assert third.status_code == 200 and srv.connections == 1
    line, body = srv.requests[0]
    assert line == b"POST /a/scores HTTP/1.1\r\n" and body == b'{"x":1}'
    assert srv.requests[2][0] == b"GET /b?c=d HTTP/1.1\r\n"


def test_connection_close_and_close_delimited_bodies_open_new_connections(scripted):
    srv = scripted([b"HTTP/1.1 500 Oops\r\nConnection: close\r\nContent-Length: 4\r\n\r\noops",
                    b"HTTP/1.0 200 OK\r\n\r\nuntil the end", OK])
    wire = client()
    assert send(wire, "POST", srv.url + "/s", b"1", {}).reason == "Oops"
    assert send(wire, "POST", srv.url + "/s", b"2", {}).content == b"until the end"
    assert send(wire, "POST", srv.url + "/s", b"3", {}).status_code == 200
    assert srv.connections == 3


def test_idle_connection_closed_by_the_server_is_not_reused(scripted):
    srv = scripted([OK, OK])
    wire = client()
    assert send(wire, "POST", srv.url + "/s", b"1", {}).status_code == 200
    srv.replies.insert(0, None)  # the server now drops the connection instead of answering
    with pytest.raises(ConnectFailed) as info:
        send(wire, "POST", srv.url + "/s", b"2", {}, repeatable=False)
    assert info.value.transient
    assert send(wire, "POST", srv.url + "/s", b"3", {}).status_code == 200  # fresh connection


def test_repeatable_request_is_sent_again_on_a_fresh_connection(scripted):
    srv = scripted([OK, None, OK])
    wire = client()
    assert send(wire, "POST", srv.url + "/s", b"1", {}).status_code == 200
    again = send(wire, "POST", srv.url + "/s", b"2", {}, repeatable=True)
    assert again.status_code == 200 and srv.connections == 2
    assert [body for _, body in srv.requests] == [b"1", b"2", b"2"]


def test_no_answer_is_a_timeout(scripted):
    srv = scripted([lambda conn: time.sleep(1.5)])
    wire = client(connect_timeout=1.0, read_timeout=0.3)
    with pytest.raises(DeadlineExceeded) as info:
        send(wire, "POST", srv.url + "/s", b"1", {})
    assert info.value.transient


def test_refused_connection_is_a_connection_error():
    sock = socket.create_server(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    with pytest.raises(ConnectFailed) as info:
        send(client(1), "POST", f"http://127.0.0.1:{port}/s", b"", {})
    assert info.value.transient


def test_https_certificates_are_verified(tmp_path):
    """A server with a certificate nobody vouches for is refused (scores never go to an impostor)."""
    import datetime
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .sign(key, hashes.SHA256()))
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def serve():
        conn, _ = server.accept()
        try:
            context.wrap_socket(conn, server_side=True).recv(1)
        except (OSError, ssl.SSLError):
            pass
        conn.close()

    threading.Thread(target=serve, daemon=True).start()
    try:
        with pytest.raises(TlsFailed, match="TLS"):
            send(client(1), "POST", f"https://localhost:{port}/s", b"", {})
    finally:
        server.close()
