"""Why a registration or a key set check failed, in words an LMS administrator can act on."""
from __future__ import annotations

from flask_babel import gettext as _

from ..core.outbound import HttpStatusError, OutboundError
from .dynreg import InvalidConfiguration


def fetch_problem(exc: OutboundError, *, registering: bool = False) -> str:
    """A sentence for a refused or failed request to a platform URL (never the platform's page)."""
    if isinstance(exc, HttpStatusError) and registering and exc.status in (401, 403):
        return _("The platform refused the registration token (HTTP %(status)s). Start the registration "
                 "again from the LMS: a registration token is valid once and for one hour.", status=exc.status)
    if isinstance(exc, HttpStatusError):
        return _("The platform answered with an error (HTTP %(status)s). %(detail)s",
                 status=exc.status, detail=exc.explanation)
    texts = {
        "bad_url": _("The address is not a valid URL."),
        "not_https": _("Only https:// addresses are accepted."),
        "host_not_allowed": _("The address is not on the platform's own host; TutorNet does not connect there."),
        "private_address": _("The address points to a private or local network; TutorNet does not "
                             "connect there."),
        "dns": _("The platform's host name could not be resolved."),
        "too_large": _("The platform's answer is too large."),
        "timeout": _("The platform did not answer in time. Try again later."),
        "unreachable": _("The platform could not be reached. Try again later."),
        "tls": _("The platform's TLS certificate is not valid for its address."),
        "redirect": _("The platform redirected to another address; TutorNet does not follow such redirects."),
        "invalid_json": _("The platform's answer is not valid JSON."),
        "content_type": _("The platform's answer is not JSON."),
        "encoding": _("The platform's answer is compressed; TutorNet accepts only uncompressed answers."),
    }
    return texts.get(exc.reason, _("The platform could not be reached. Try again later."))


def config_problem(exc: InvalidConfiguration) -> str:
    """A sentence for an unusable platform configuration or registration answer."""
    if exc.reason == "missing":
        return _("The platform's configuration lacks a required field: %(field)s.", field=exc.detail)
    texts = {
        "not_object": _("The platform's configuration is not a JSON object."),
        "issuer_mismatch": _("The platform's issuer is not on the host its configuration came from "
                             "(%(detail)s).", detail=exc.detail),
        "bad_endpoint": _("An endpoint of the platform is not an https:// address on the issuer's own host "
                          "(%(detail)s).", detail=exc.detail),
        "too_long": _("A field of the platform's configuration is too long (%(detail)s).", detail=exc.detail),
        "auth_method": _("The platform does not support signed client assertions (private_key_jwt)."),
        "bad_response": _("The platform's answer to the registration is not usable (%(detail)s).",
                          detail=exc.detail),
    }
    return texts.get(exc.reason, _("The platform's configuration is not valid."))
