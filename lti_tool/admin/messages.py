"""Why a registration or a key set check failed, in words an LMS administrator can act on."""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

from .dynreg import InvalidConfiguration
from .fetch import FetchError, Policy


def fetch_policy() -> Policy:
    """The guard's policy from the app config (DEV_MODE relaxes it for loopback development)."""
    config = current_app.config
    return Policy(dev=bool(config.get("DEV_MODE")), timeout=float(config.get("ADMIN_FETCH_TIMEOUT", 5.0)),
                  max_bytes=int(config.get("ADMIN_FETCH_MAX_BYTES", 64 * 1024)))


def fetch_problem(exc: FetchError, *, registering: bool = False) -> str:
    """A sentence for a refused or failed fetch."""
    if exc.reason == "http_error" and registering and exc.status in (401, 403):
        return _("The platform refused the registration token (HTTP %(status)s). Start the registration "
                 "again from the LMS: a registration token is valid once and for one hour.", status=exc.status)
    if exc.reason == "http_error":
        detail = " ".join(exc.body.split())[:300]
        return _("The platform answered with an error (HTTP %(status)s). %(detail)s",
                 status=exc.status, detail=detail)
    texts = {
        "bad_url": _("The address is not a valid URL."),
        "not_https": _("Only https:// addresses are accepted."),
        "private_address": _("The address points to a private or local network; TutorNet does not "
                             "connect there."),
        "dns": _("The platform's host name could not be resolved."),
        "too_large": _("The platform's answer is too large."),
        "timeout": _("The platform did not answer in time. Try again later."),
        "unreachable": _("The platform could not be reached. Try again later."),
        "redirect": _("The platform redirected to another address; TutorNet does not follow such redirects."),
        "invalid_json": _("The platform's answer is not valid JSON."),
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
        "bad_endpoint": _("An endpoint of the platform is not an https:// address (%(detail)s).",
                          detail=exc.detail),
        "auth_method": _("The platform does not support signed client assertions (private_key_jwt)."),
        "bad_response": _("The platform's answer to the registration is not usable (%(detail)s).",
                          detail=exc.detail),
    }
    return texts.get(exc.reason, _("The platform's configuration is not valid."))
