"""Email out through one SMTP server named by one URL (`SMTP_URL`), or nowhere.

    smtp://host:25                       plain (a relay on the same host or network)
    smtp+starttls://user:pass@host:587   STARTTLS, then AUTH
    smtps://user:pass@host:465           implicit TLS, then AUTH
    ...?from=TutorNet%20<noreply@example.org>&timeout=20&verify=0

User and password are percent-decoded (a password with "@" is written %40). `verify=0` accepts a
self-signed certificate (a test relay only). Without SMTP_URL (the embedded default) nothing is
sent: the worker keeps each message in the outbox, where the admin console shows it.
"""
from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr
from urllib.parse import parse_qs, unquote, urlparse

SCHEMES = {"smtp": (25, None), "smtp+starttls": (587, "starttls"), "smtps": (465, "tls")}


class SmtpConfigError(ValueError):
    """SMTP_URL cannot be understood (the worker refuses to start sending)."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str | None  # None | "starttls" | "tls"
    username: str | None
    password: str | None
    sender: str
    timeout: float
    verify: bool


def parse_smtp_url(url: str | None, default_sender: str) -> SmtpSettings | None:
    """The settings of SMTP_URL, or None when it is empty (keep messages, send nothing)."""
    if not url:
        return None
    parsed = urlparse(url)
    if parsed.scheme not in SCHEMES or not parsed.hostname:
        raise SmtpConfigError("SMTP_URL must look like smtp://, smtp+starttls:// or smtps://host[:port]")
    port, security = SCHEMES[parsed.scheme]
    query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
    sender = query.get("from") or default_sender
    if "@" not in parseaddr(sender)[1]:
        raise SmtpConfigError("the sender address (?from=) is not an email address")
    return SmtpSettings(host=parsed.hostname, port=parsed.port or port, security=security,
                        username=unquote(parsed.username) if parsed.username else None,
                        password=unquote(parsed.password) if parsed.password else None, sender=sender,
                        timeout=float(query.get("timeout", 20)), verify=query.get("verify", "1") != "0")


class Mailer:
    """One SMTP connection for a batch of messages (opened on first send, closed by `close`)."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self._conn: smtplib.SMTP | None = None

    def _context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if not self.settings.verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.security == "tls":
            conn = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=self._context())
        else:
            conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            if s.security == "starttls":
                conn.starttls(context=self._context())
        if s.username:
            conn.login(s.username, s.password or "")
        return conn

    def send(self, message: EmailMessage) -> None:
        """Send one message; raises smtplib/OS errors (the caller retries later)."""
        if self._conn is None:
            self._conn = self._connect()
        try:
            self._conn.send_message(message)
        except smtplib.SMTPServerDisconnected:
            # A server that closed an idle connection: one reconnect, then errors go up.
            self._conn = self._connect()
            self._conn.send_message(message)

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self._conn = None
