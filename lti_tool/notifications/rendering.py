"""Emails in the reader's language, plain text and HTML (no outside images), with the signed
one-click unsubscribe link and the RFC 8058 headers. No Flask: the worker renders.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

import jinja2
from babel.support import NullTranslations, Translations

from ..core.config import PROJECT_ROOT
from .messages import Text, describe
from .tokens import unsubscribe_token

CATALOGUE = Path(__file__).resolve().parent / "translations"
LOCALES = ("ru", "en")
# Headers are not folded at 78: Python's folding of non-ASCII headers into encoded words loses the
# space at a fold ("Тьюториал «…»" arrived as "Тьюториал«…»"); RFC 5322 allows 998. Bodies are
# quoted-printable, whose lines stay short whatever this limit.
EMAIL_POLICY = policy.default.clone(max_line_length=998)


@dataclass
class Translator:
    """The notifications catalogue of one language, as `messages.describe` takes it."""

    locale: str
    catalogue: NullTranslations

    def gettext(self, message: str) -> str:
        return self.catalogue.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.catalogue.ngettext(singular, plural, n)


@lru_cache(maxsize=None)
def translator(locale: str | None) -> Translator:
    """Russian unless the person's LTI locale says English (English needs no catalogue)."""
    lang = (locale or "ru").replace("_", "-").split("-")[0].lower()
    lang = lang if lang in LOCALES else "ru"
    catalogue = Translations.load(str(CATALOGUE), [lang]) if lang != "en" else NullTranslations()
    return Translator(lang, catalogue)


@lru_cache(maxsize=None)
def _environment(lang: str) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(PROJECT_ROOT / "templates")), autoescape=True,
                             extensions=["jinja2.ext.i18n"])
    env.install_gettext_translations(translator(lang).catalogue, newstyle=True)
    return env


@dataclass
class Recipient:
    person_id: int
    name: str
    email: str
    locale: str | None


def tool_host(base_url: str) -> str:
    return urlparse(base_url).hostname or "tutornet.invalid"


def compose(notice: dict, to: Recipient, *, base_url: str, secret: str, sender: str,
            open_url: str | None = None) -> tuple[EmailMessage, Text]:
    """The email of one notification (dict: id, kind, params, idempotency_key) to one person."""
    tr = translator(to.locale)
    text = describe(notice["kind"], notice.get("params") or {}, tr)
    token = unsubscribe_token(secret, to.person_id, notice["kind"])
    links = {"open": open_url or f"{base_url}/notifications/open/{notice['id']}",
             "unsubscribe": f"{base_url}/notifications/unsubscribe/{token}",
             "settings": f"{base_url}/notifications/preferences"}
    return _message([text], to, tr, links, sender=sender, base_url=base_url,
                    key=notice["idempotency_key"]), text


def compose_digest(notices: list[dict], to: Recipient, *, base_url: str, secret: str, sender: str,
                   day: str) -> EmailMessage:
    """One email with every notification of the day (the person chose the daily digest)."""
    tr = translator(to.locale)
    texts = [describe(n["kind"], n.get("params") or {}, tr) for n in notices]
    token = unsubscribe_token(secret, to.person_id, None)
    links = {"open": f"{base_url}/notifications/", "unsubscribe": f"{base_url}/notifications/unsubscribe/{token}",
             "settings": f"{base_url}/notifications/preferences"}
    title = tr.ngettext("%(num)d new notification", "%(num)d new notifications", len(texts)) % {"num": len(texts)}
    return _message(texts, to, tr, links, sender=sender, base_url=base_url, key=f"digest|{to.person_id}|{day}",
                    subject=title)


def _message(texts: list[Text], to: Recipient, tr: Translator, links: dict, *, sender: str, base_url: str,
             key: str, subject: str | None = None) -> EmailMessage:
    context = {"texts": texts, "name": to.name, "links": links, "lang": tr.locale}
    message = EmailMessage(policy=EMAIL_POLICY)
    message["Subject"] = subject or texts[0].title
    message["From"] = sender
    message["To"] = formataddr((to.name, to.email))
    message["Date"] = format_datetime(_now())
    # The same notification always carries the same Message-ID: a copy re-sent after a crash is
    # recognisable as the same message.
    message["Message-ID"] = f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{tool_host(base_url)}>"
    message["List-Unsubscribe"] = f"<{links['unsubscribe']}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message["Content-Language"] = tr.locale
    env = _environment(tr.locale)
    message.set_content(env.get_template("notifications/email.txt.html").render(**context), cte="quoted-printable")
    message.add_alternative(env.get_template("notifications/email.html").render(**context), subtype="html",
                            cte="quoted-printable")
    return message


def _now():
    from ..core.clock import utcnow

    return utcnow()
