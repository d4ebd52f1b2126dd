"""Real loopback servers that misbehave the way a hostile or broken platform does: they drip
bytes, redirect elsewhere, send too much, drop kept-alive connections; one speaks TLS with a
certificate of a private CA for a chosen host name. Used by tests/core/test_outbound.py and the
security reproductions.
"""
from __future__ import annotations

import datetime as dt
import gzip
import http.server
import json
import ssl
import threading
import time
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


class Recorder:
    """What a server saw: connections accepted, requests (method, path, headers), TLS names."""

    def __init__(self):
        self.connections = 0
        self.requests: list[tuple[str, str, dict]] = []
        self.drips_finished = 0  # drips that went to their last byte (the client waited it out)
        self.drips_ended = 0  # drips over, finished or cut off by the client
        self.server_names: list[str | None] = []
        self.lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    wbufsize = 65536  # one write per answer (no 40 ms Nagle pause between headers and body)

    def setup(self):
        super().setup()
        with self.server.recorder.lock:
            self.server.recorder.connections += 1
        self.served_here = 0

    def log_message(self, *args):
        pass

    def answer(self, status: int, body: bytes = b"", content_type: str = "application/json", **headers):
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def drip(self, data: bytes, every: float, pieces: int | None = None) -> None:
        """Send `data` in `pieces` (default: byte by byte), `every` seconds apart."""
        pieces = pieces or len(data)
        size = -(-len(data) // pieces)
        rec = self.server.recorder
        self.close_connection = True
        try:
            for start in range(0, len(data), size):
                self.wfile.write(data[start:start + size])
                self.wfile.flush()
                time.sleep(every)
            with rec.lock:
                rec.drips_finished += 1
        except OSError:
            pass
        finally:
            with rec.lock:
                rec.drips_ended += 1

    def do_GET(self):  # noqa: C901 - one branch per misbehaviour reads best as a table
        rec = self.server.recorder
        with rec.lock:
            rec.requests.append((self.command, self.path, dict(self.headers)))
        self.served_here += 1
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        path = self.path.split("?", 1)[0]
        port = self.server.server_address[1]
        custom = self.server.routes.get(path)
        if custom is not None:
            custom(self)
        elif path == "/json":
            self.answer(200, json.dumps({"ok": True, "host": self.headers.get("Host")}).encode())
        elif path == "/jwks":
            self.answer(200, b'{"keys": []}', "application/jwk-set+json")
        elif path == "/html":
            self.answer(200, b"<html>secret internal page</html>", "text/html")
        elif path == "/bad-json":
            self.answer(200, b"<html>secret internal page</html>", "application/json")
        elif path == "/error":
            self.answer(500, b"database password is hunter2", "text/plain")
        elif path == "/big":
            self.answer(200, b'"' + b"a" * 300_000 + b'"')
        elif path == "/big-unsized":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b'"' + b"a" * 300_000 + b'"')
            self.close_connection = True
        elif path == "/gzip":
            self.answer(200, gzip.compress(b'"' + b"a" * 300_000 + b'"'), Content_Encoding="gzip")
        elif path == "/redirect-here":
            self.answer(302, b"", "", Location="/json")
        elif path == "/redirect-loop":
            self.answer(302, b"", "", Location="/redirect-loop")
        elif path == "/redirect-other-host":
            self.answer(302, b"", "", Location=f"{self.server.scheme}://localhost:{port}/json")
        elif path == "/redirect-metadata":
            self.answer(302, b"", "", Location="http://169.254.169.254/latest/meta-data/")
        elif path == "/drip-body":
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n")
            self.wfile.flush()
            self.drip(b'"' + b"a" * 38 + b'"', 0.25)
        elif path == "/drip-headers":
            self.drip(b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 40 + b"\r\nContent-Length: 2\r\n\r\n{}", 0.25)
        elif path == "/drop-second":
            if self.served_here > 1:  # a kept-alive connection the peer drops on its next request
                self.close_connection = True
                self.connection.shutdown(2)
                return
            self.answer(200, b'{"ok": true}')
        else:
            self.answer(404, b'{"error": "not found"}')

    do_POST = do_GET


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, tls: ssl.SSLContext | None = None):
        super().__init__(("127.0.0.1", 0), Handler)
        self.recorder = Recorder()
        self.routes = {}  # path -> handler(Handler): behaviours a test adds
        self.scheme = "https" if tls else "http"
        if tls is not None:
            tls.sni_callback = self._sni
            self.socket = tls.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    def _sni(self, sslobj, server_name, context):
        self.recorder.server_names.append(server_name)

    def finish_request(self, request, client_address):
        if isinstance(request, ssl.SSLSocket):
            try:
                request.do_handshake()
            except (ssl.SSLError, OSError):
                return  # a client that refused our certificate
        super().finish_request(request, client_address)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


def make_ca_and_certificate(folder: Path, host: str) -> tuple[Path, ssl.SSLContext]:
    """A private CA (its certificate file, for the client) and a server context whose
    certificate names only `host` (not 127.0.0.1)."""
    now = dt.datetime.now(dt.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "TutorNet test CA")])
    ca_cert = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
               .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
               .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                            content_commitment=False, key_encipherment=False,
                                            data_encipherment=False, key_agreement=False,
                                            encipher_only=False, decipher_only=False), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
               .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    ca_file = folder / "ca.pem"
    ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_file, key_file = folder / "server.pem", folder / "server.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return ca_file, context
