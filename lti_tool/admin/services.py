"""Storing a dynamic registration and adding platforms by hand (add/flush; the view commits)."""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..core.accounts import Network
from ..core.addresses import hosts_of
from ..core.clock import utcnow
from ..core.outbound import OutboundClient, OutboundError, ResolutionFailed
from ..lti import platforms
from ..lti.models import Platform
from . import invitations
from .dynreg import PlatformConfiguration, RegistrationResult


class JoinRefused(Exception):
    """The invitation code is unknown, used, revoked or expired."""


class TooManyNetworks(Exception):
    """More new networks through dynamic registration in the last hour than the operator allows."""


class ApprovalNeeded(Exception):
    """A re-registration would change an existing platform's keys or endpoints, and no invitation
    code of that platform's network came with it."""


@dataclass(frozen=True)
class NetworkChoice:
    """Where a newly registered platform goes: a new network (named) or one it is invited to."""

    mode: str  # "new" | "join"
    name: str = ""
    code: str = ""
    new_per_hour: int | None = None  # REGISTRATION_NEW_NETWORKS_PER_HOUR (None: no limit)
    hold_new: bool = False  # REGISTRATION_REQUIRES_APPROVAL: a new network's platform starts disabled


@dataclass(frozen=True)
class SavedRegistration:
    platform: Platform
    network: Network
    updated: bool
    new_network: bool


def check_choice(session: Session, choice: NetworkChoice) -> None:
    """Refuse a join with an unusable code, or a new network past the hourly limit, before anything
    is sent to the platform (the code is consumed on save)."""
    if choice.mode == "join" and invitations.find_usable(session, choice.code) is None:
        raise JoinRefused()
    if choice.mode != "join" and choice.new_per_hour is not None \
            and new_networks_last_hour(session) >= choice.new_per_hour:
        raise TooManyNetworks()


def new_networks_last_hour(session: Session) -> int:
    """Networks that dynamic registration created in the last hour (the whole tool: every process
    counts the same rows, and rotating addresses does not help)."""
    return session.scalar(sa.select(sa.func.count(sa.distinct(Network.id))).join(
        Platform, Platform.network_id == Network.id).where(
        Platform.registered_by == "dynamic", Network.created_at >= utcnow() - timedelta(hours=1))) or 0


def new_network(session: Session, name: str) -> Network:
    """A network of its own for a newly registered platform."""
    network = Network(name=(name.strip() or "TutorNet")[:255], slug=f"lms-{secrets.token_hex(5)}")
    session.add(network)
    session.flush()
    return network


def save_registration(session: Session, config: PlatformConfiguration, result: RegistrationResult,
                      choice: NetworkChoice) -> SavedRegistration:
    """Create or update the platform of (issuer, client_id) and its deployment, in the caller's
    transaction. An existing registration keeps its network: the platform, not the person on
    the registration page, says which registration it is."""
    platform = session.scalars(sa.select(Platform).where(
        Platform.issuer == config.issuer, Platform.client_id == result.client_id)).first()
    if platform is not None:
        if _changes_trust(platform, config) and not _approved(session, platform, choice):
            raise ApprovalNeeded()
        platform.auth_login_url = config.authorization_endpoint
        platform.auth_token_url = config.token_endpoint
        platform.key_set_url = config.jwks_uri
        platform.auth_audience = config.authorization_server
        platform.product_family = config.product_family
        platform.product_version = config.product_version
        known = {d.deployment_id for d in platform.deployments}
        if result.deployment_id and result.deployment_id not in known:
            platforms.add_deployment(session, platform, result.deployment_id)
        session.flush()
        platforms.registrations_changed()
        return SavedRegistration(platform, session.get(Network, platform.network_id), True, False)
    invitation = None
    if choice.mode == "join":
        invitation = invitations.consume(session, choice.code)
        if invitation is None:
            raise JoinRefused()
        network = session.get(Network, invitation.network_id)
    else:
        network = new_network(session, choice.name or config.display_name)
    platform = platforms.create_platform(
        session, network_id=network.id, issuer=config.issuer, client_id=result.client_id,
        auth_login_url=config.authorization_endpoint, auth_token_url=config.token_endpoint,
        key_set_url=config.jwks_uri, auth_audience=config.authorization_server,
        deployment_ids=(result.deployment_id,) if result.deployment_id else (),
        name=config.display_name, product_family=config.product_family,
        product_version=config.product_version, registered_by="dynamic",
        # The configuration and every endpoint came from the issuer's own host (the outbound guard
        # binds them to it), with a registration token the platform issued: the platform itself asks,
        # so it may join another network too. Accounts stay apart: they are keyed by network.
        shared_issuer_approved=True)
    if invitation is not None:
        invitation.used_by_platform_id = platform.id
    elif choice.hold_new:
        platform.enabled = False  # launches wait until the operator enables it (`flask lti platforms enable`)
    session.flush()
    return SavedRegistration(platform, network, False, invitation is None)


def _changes_trust(platform: Platform, config: PlatformConfiguration) -> bool:
    """True when the registration would change what the tool trusts: the key set that signs
    launches, where users log in, where tokens come from."""
    return ((platform.key_set_url, platform.auth_login_url, platform.auth_token_url, platform.auth_audience)
            != (config.jwks_uri, config.authorization_endpoint, config.token_endpoint, config.authorization_server))


def _approved(session: Session, platform: Platform, choice: NetworkChoice) -> bool:
    """The platform's own network approved the change: an unused invitation code of that network
    came with the registration (it is consumed)."""
    if choice.mode != "join":
        return False
    invitation = invitations.find_usable(session, choice.code)
    if invitation is None or invitation.network_id != platform.network_id:
        return False
    used = invitations.consume(session, choice.code)
    if used is None:  # used meanwhile by another registration
        return False
    used.used_by_platform_id = platform.id
    return True


class InvalidKeySet(Exception):
    """The JWKS is not reachable or not a JSON Web Key Set with RSA keys."""


def check_jwks(data: object) -> dict:
    """Return `data` if it is a JWKS with at least one usable public key."""
    keys = data.get("keys") if isinstance(data, dict) else None
    if not isinstance(keys, list) or not keys:
        raise InvalidKeySet("no keys")
    for key in keys:
        if not isinstance(key, dict) or not key.get("kty"):
            raise InvalidKeySet("a key without kty")
        if key["kty"] == "RSA" and not (key.get("n") and key.get("e")):
            raise InvalidKeySet("an RSA key without n/e")
    return data


URL_FIELDS = ("issuer", "auth_login_url", "auth_token_url", "key_set_url")


class EndpointRefused(Exception):
    """A URL of the form that the outbound guard refuses; `field` names it, `error` says why."""

    def __init__(self, field: str, error: OutboundError):
        super().__init__(f"{field}: {error}")
        self.field, self.error = field, error


def check_urls(client: OutboundClient, fields: dict) -> None:
    """Refuse a hand-added platform whose URLs point at addresses the tool must not reach
    (private, loopback, link-local, metadata …): the token URL would get the tool's signed
    assertions, the key set URL a fetch at every unknown key. A name that does not resolve
    yet is accepted: its addresses are checked again whenever the tool connects."""
    for name in URL_FIELDS:
        value = (fields.get(name) or "").strip()
        if not value:
            continue
        try:
            client.vet(value, allowed_hosts=hosts_of(value))
        except ResolutionFailed:
            continue
        except OutboundError as exc:
            raise EndpointRefused(name, exc) from exc


def load_jwks(url: str | None, text: str | None, client: OutboundClient) -> dict | None:
    """Validate the key set of a hand-added platform: fetched (guarded) from `url`, or pasted."""
    if url:
        try:
            data = client.get_json(url, allowed_hosts=hosts_of(url))
        except OutboundError as exc:
            raise InvalidKeySet(exc.reason) from exc
        check_jwks(data)
        return None
    try:
        return check_jwks(json.loads(text or ""))
    except ValueError as exc:
        raise InvalidKeySet("not JSON") from exc


def add_platform(session: Session, network_id: int, fields: dict, key_set: dict | None) -> Platform:
    """Create a hand-entered registration in the actor's network (RegistrationError on conflict).

    An issuer another network uses needs that network's approval: one of its invitation codes in
    `approval_code` (consumed)."""
    deployments = tuple(d.strip() for d in (fields.get("deployment_ids") or "").replace(",", " ").split() if d)
    issuer = fields["issuer"].strip()
    owners = platforms.issuer_networks(session, issuer) - {network_id}
    approved = False
    code = (fields.get("approval_code") or "").strip()
    if owners and code:
        invitation = invitations.find_usable(session, code)
        if invitation is not None and invitation.network_id in owners:
            approved = invitations.consume(session, code) is not None
    return platforms.create_platform(session, shared_issuer_approved=approved,
                                     **_platform_fields(network_id, issuer, fields, key_set, deployments))


def _platform_fields(network_id: int, issuer: str, fields: dict, key_set, deployments) -> dict:
    return dict(
        network_id=network_id, issuer=issuer, client_id=fields["client_id"].strip(),
        auth_login_url=fields["auth_login_url"].strip(), auth_token_url=fields["auth_token_url"].strip(),
        key_set_url=(fields.get("key_set_url") or "").strip() or None, key_set=key_set,
        auth_audience=(fields.get("auth_audience") or "").strip() or None, deployment_ids=deployments,
        name=(fields.get("name") or "").strip() or None, registered_by="manual")
