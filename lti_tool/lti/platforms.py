"""Platform registrations and deployments: create, enable/disable, import pylti1p3 JSON configs.

Plain functions over a `Session` (they add and flush; the caller commits), used by the CLI, the
admin console and dynamic registration.
"""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

import sqlalchemy as sa
from flask import has_app_context
from flask_babel import gettext as _
from sqlalchemy.orm import Session, selectinload

from ..core.accounts import Network
from ..core.networks import ensure_network
from ..web.pages import forget_platform_origins
from .models import Deployment, Platform

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
DEMO_NETWORK = ("demo", "Демонстрационная сеть")


def _origin(url: str | None) -> str | None:
    parts = urlparse(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else None


def platform_origins(session: Session, network_id: int | None) -> list[str]:
    """Origins of the enabled platforms (issuer and login URL) that serve `network_id` (through the
    platform or one of its deployments), or every network's with None: the pages' CSP."""
    query = sa.select(Platform.issuer, Platform.auth_login_url).where(Platform.enabled.is_(True))
    if network_id is not None:
        query = query.where(sa.or_(Platform.network_id == network_id, Platform.id.in_(
            sa.select(Deployment.platform_id).where(Deployment.network_id == network_id))))
    return [o for row in session.execute(query) for o in map(_origin, row) if o]


def issuer_networks(session: Session, issuer: str) -> set[int]:
    """The networks whose platforms use `issuer`."""
    return set(session.scalars(sa.select(Platform.network_id).where(Platform.issuer == issuer).distinct()))


def issuer_taken_message() -> str:
    """The one refusal for an issuer or client id this network may not register."""
    return _("This platform cannot be registered in your network. If your LMS is already connected to "
             "TutorNet in another network, ask that network's administrator for an approval code.")


def registrations_changed() -> None:
    """This process's pages name the new platform origins at once (other processes within
    LTI_REGISTRATION_CACHE_SECONDS)."""
    if has_app_context():
        forget_platform_origins()


class RegistrationError(ValueError):
    """A registration that cannot be saved; `message` is translated and shown as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def validate_url(value: str | None, field: str, required: bool = True) -> str | None:
    """An absolute https URL (http only on loopback, for development and the demo LMS)."""
    if not value:
        if required:
            raise RegistrationError(_("The field %(field)s is required.", field=field))
        return None
    parsed = urlparse(value.strip())
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise RegistrationError(_("%(field)s must be an absolute URL: %(value)s", field=field, value=value))
    if parsed.scheme == "http" and parsed.hostname not in LOOPBACK_HOSTS:
        raise RegistrationError(_("%(field)s must use https: %(value)s", field=field, value=value))
    return value.strip()


def _validate_key_set(key_set) -> dict | None:
    if key_set is None:
        return None
    if isinstance(key_set, str):
        try:
            key_set = json.loads(key_set)
        except ValueError:
            key_set = None
    if not isinstance(key_set, dict) or not isinstance(key_set.get("keys"), list) or not key_set["keys"]:
        raise RegistrationError(_("key_set must be a JWKS: an object with a non-empty \"keys\" list."))
    return key_set


def create_platform(session: Session, *, network_id: int, issuer: str, client_id: str, auth_login_url: str,
                    auth_token_url: str, key_set_url: str | None = None, key_set: dict | None = None,
                    auth_audience: str | None = None, deployment_ids=(), name: str | None = None,
                    product_family: str | None = None, product_version: str | None = None,
                    registered_by: str = "manual", shared_issuer_approved: bool = False) -> Platform:
    """Register a platform (issuer + client_id) with its deployments in `network_id`.

    An issuer belongs to the network that registered it first: another network's registration of
    it is refused unless that network approved it (`shared_issuer_approved`: its invitation code
    came with the request, or the operator registers it). The refusal reads the same whether the
    issuer or the client id is taken, so it confirms nothing about other networks.
    """
    issuer = (issuer or "").strip()
    client_id = (client_id or "").strip()
    if not issuer:
        raise RegistrationError(_("The field %(field)s is required.", field="issuer"))
    if not client_id:
        raise RegistrationError(_("The field %(field)s is required.", field="client_id"))
    if session.get(Network, network_id) is None:
        raise RegistrationError(_("Network %(id)s does not exist.", id=network_id))
    key_set = _validate_key_set(key_set)
    if not key_set_url and not key_set:
        raise RegistrationError(_("Give the platform's key_set_url (or a static key_set)."))
    existing = session.scalar(sa.select(Platform).where(Platform.issuer == issuer, Platform.client_id == client_id))
    if existing is not None and existing.network_id == network_id:
        raise RegistrationError(
            _("The platform %(issuer)s with client_id %(client_id)s is already registered.",
              issuer=issuer, client_id=client_id)
        )
    if existing is not None or (issuer_networks(session, issuer) - {network_id} and not shared_issuer_approved):
        raise RegistrationError(issuer_taken_message())
    platform = Platform(
        network_id=network_id, issuer=issuer, client_id=client_id, name=name or issuer,
        auth_login_url=validate_url(auth_login_url, "auth_login_url"),
        auth_token_url=validate_url(auth_token_url, "auth_token_url"),
        auth_audience=auth_audience or None,
        key_set_url=validate_url(key_set_url, "key_set_url", required=False),
        key_set=key_set, product_family=product_family, product_version=product_version,
        registered_by=registered_by, enabled=True,
    )
    session.add(platform)
    session.flush()
    for deployment_id in deployment_ids:
        add_deployment(session, platform, deployment_id)
    registrations_changed()
    return platform


def set_platform_enabled(session: Session, platform_id: int, enabled: bool) -> Platform:
    """Enable or disable a platform: a disabled platform's logins and launches are refused."""
    platform = session.get(Platform, platform_id)
    if platform is None:
        raise RegistrationError(_("Platform %(id)s does not exist.", id=platform_id))
    platform.enabled = bool(enabled)
    session.flush()
    registrations_changed()
    return platform


def add_deployment(session: Session, platform: Platform, deployment_id: str, network_id: int | None = None) -> Deployment:
    """Add (or return the existing) deployment; it joins the platform's network unless told."""
    deployment_id = str(deployment_id).strip()
    if not deployment_id:
        raise RegistrationError(_("The field %(field)s is required.", field="deployment_id"))
    existing = session.scalar(
        sa.select(Deployment).where(Deployment.platform_id == platform.id, Deployment.deployment_id == deployment_id)
    )
    if existing is not None:
        return existing
    deployment = Deployment(platform_id=platform.id, deployment_id=deployment_id,
                            network_id=network_id or platform.network_id, enabled=True)
    session.add(deployment)
    session.flush()
    return deployment


def import_lti_config(session: Session, path) -> list[Platform]:
    """Import a pylti1p3 JSON tool config; idempotent (existing registrations are updated).

    Each entry may carry `network_slug`/`network_name` (ignored by pylti1p3); without them the
    platforms join the demo network («Демонстрационная сеть», slug `demo`). Existing platforms
    keep their network and enabled flag; their URLs are updated and missing deployments added.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RegistrationError(_("Cannot read the LTI config %(path)s: %(error)s", path=path, error=exc)) from exc
    if not isinstance(data, dict):
        raise RegistrationError(_("The LTI config must be a JSON object keyed by issuer."))
    platforms = []
    for issuer, entries in data.items():
        for entry in entries if isinstance(entries, list) else [entries]:
            platforms.append(_import_entry(session, issuer, entry))
    return platforms


def _import_entry(session: Session, issuer: str, entry: dict) -> Platform:
    if not isinstance(entry, dict):
        raise RegistrationError(_("The LTI config must be a JSON object keyed by issuer."))
    client_id = str(entry.get("client_id") or "")
    platform = session.scalar(sa.select(Platform).where(Platform.issuer == issuer, Platform.client_id == client_id))
    deployments = [str(d) for d in entry.get("deployment_ids") or []]
    if platform is None:
        network = ensure_network(session, entry.get("network_slug") or DEMO_NETWORK[0],
                                 entry.get("network_name") or DEMO_NETWORK[1])
        return create_platform(
            session, network_id=network.id, issuer=issuer, client_id=client_id,
            auth_login_url=entry.get("auth_login_url"), auth_token_url=entry.get("auth_token_url"),
            key_set_url=entry.get("key_set_url"), key_set=entry.get("key_set"),
            auth_audience=entry.get("auth_audience"), deployment_ids=deployments,
            name=entry.get("name"), registered_by="config", shared_issuer_approved=True,  # the operator's file
        )
    platform.auth_login_url = validate_url(entry.get("auth_login_url"), "auth_login_url")
    platform.auth_token_url = validate_url(entry.get("auth_token_url"), "auth_token_url")
    platform.key_set_url = validate_url(entry.get("key_set_url"), "key_set_url", required=False)
    platform.key_set = _validate_key_set(entry.get("key_set"))
    platform.auth_audience = entry.get("auth_audience") or None
    for deployment_id in deployments:
        add_deployment(session, platform, deployment_id)
    session.flush()
    return platform


def list_platforms(session: Session) -> list[Platform]:
    """Every registration with its deployments, by issuer."""
    return list(
        session.scalars(
            sa.select(Platform).options(selectinload(Platform.deployments)).order_by(Platform.issuer, Platform.client_id)
        )
    )
