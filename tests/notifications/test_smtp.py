"""SMTP_URL: schemes, ports, login, sender; a login against a real server that requires it."""
from __future__ import annotations

import datetime
import ssl
from email.message import EmailMessage

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from lti_tool.notifications.smtp import Mailer, SmtpConfigError, parse_smtp_url

from .smtp_server import Inbox, free_port


def test_schemes_ports_and_login():
    plain = parse_smtp_url("smtp://relay.local", "TutorNet <noreply@tool.test>")
    assert (plain.host, plain.port, plain.security, plain.username) == ("relay.local", 25, None, None)
    starttls = parse_smtp_url("smtp+starttls://mail%40school.ru:p%40ss@smtp.school.ru", "x <a@b.c>")
    assert (starttls.port, starttls.security, starttls.username, starttls.password) == (
        587, "starttls", "mail@school.ru", "p@ss")
    tls = parse_smtp_url("smtps://u:p@smtp.school.ru:2465?from=ИМЦ%20<imc@school.ru>&timeout=3", "x <a@b.c>")
    assert (tls.port, tls.security, tls.sender, tls.timeout) == (2465, "tls", "ИМЦ <imc@school.ru>", 3.0)
    assert parse_smtp_url("", "x <a@b.c>") is None
    for bad in ("http://smtp.school.ru", "smtp://", "smtp://h?from=nobody"):
        with pytest.raises(SmtpConfigError):
            parse_smtp_url(bad, "x <a@b.c>")


class Accounts:
    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == b"imc" and auth_data.password == b"secret"
        return AuthResult(success=ok, handled=False)


def tls_context(tmp_path) -> ssl.SSLContext:
    """A server context with a fresh self-signed certificate for 127.0.0.1."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    return context


def test_starttls_and_login_to_a_server_that_requires_both(tmp_path):
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=Accounts(), auth_required=True,
                            tls_context=tls_context(tmp_path), require_starttls=True)
    controller.start()
    try:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "imc@school.ru", "t@school.ru", "Проверка"
        message.set_content("текст")
        plain = Mailer(parse_smtp_url(f"smtp://imc:secret@127.0.0.1:{port}", "x <imc@school.ru>"))
        with pytest.raises(Exception, match="AUTH"):
            plain.send(message)  # the server refuses AUTH before TLS
        plain.close()
        # A self-signed certificate is refused unless verify=0 says so.
        checked = Mailer(parse_smtp_url(f"smtp+starttls://imc:secret@127.0.0.1:{port}", "x <imc@school.ru>"))
        with pytest.raises(ssl.SSLError):
            checked.send(message)
        checked.close()
        wrong = Mailer(parse_smtp_url(f"smtp+starttls://imc:wrong@127.0.0.1:{port}?verify=0", "x <imc@school.ru>"))
        with pytest.raises(Exception, match="535|[Aa]uthentication"):
            wrong.send(message)
        wrong.close()
        right = Mailer(parse_smtp_url(f"smtp+starttls://imc:secret@127.0.0.1:{port}?verify=0", "x <imc@school.ru>"))
        right.send(message)
        right.close()
        assert [m["Subject"] for m in inbox.to("t@school.ru")] == ["Проверка"]
    finally:
        controller.stop()
