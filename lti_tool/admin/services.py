"""Storing a dynamic registration and adding platforms by hand (add/flush; the view commits)."""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..core.accounts import Network
from ..lti import platforms
from ..lti.models import Platform
from . import invitations
from .dynreg import PlatformConfiguration, RegistrationResult
from .fetch import FetchError, Policy, fetch_json


class JoinRefused(Exception):
    """The invitation code is unknown, used, revoked or expired."""


@dataclass(frozen=True)
class NetworkChoice:
    """Where a newly registered platform goes: a new network (named) or one it is invited to."""

    mode: str  # "new" | "join"
    name: str = ""
    code: str = ""


@dataclass(frozen=True)
class SavedRegistration:
    platform: Platform
    network: Network
    updated: bool
    new_network: bool


def check_choice(session: Session, choice: NetworkChoice) -> None:
    """Refuse a join before anything is sent to the platform (the code is consumed on save)."""
    if choice.mode == "join" and invitations.find_usable(session, choice.code) is None:
        raise JoinRefused()


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
        product_version=config.product_version, registered_by="dynamic")
    if invitation is not None:
        invitation.used_by_platform_id = platform.id
    session.flush()
    return SavedRegistration(platform, network, False, invitation is None)


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


def load_jwks(url: str | None, text: str | None, policy: Policy) -> dict | None:
    """Validate the key set of a hand-added platform: fetched (guarded) from `url`, or pasted."""
    if url:
        try:
            _status, data = fetch_json(url, policy, headers={"Accept": "application/json"})
        except FetchError as exc:
            raise InvalidKeySet(exc.reason) from exc
        check_jwks(data)
        return None
    try:
        return check_jwks(json.loads(text or ""))
    except ValueError as exc:
        raise InvalidKeySet("not JSON") from exc


def add_platform(session: Session, network_id: int, fields: dict, key_set: dict | None) -> Platform:
    """Create a hand-entered registration in the actor's network (RegistrationError on conflict)."""
    deployments = tuple(d.strip() for d in (fields.get("deployment_ids") or "").replace(",", " ").split() if d)
    return platforms.create_platform(
        session, network_id=network_id, issuer=fields["issuer"].strip(), client_id=fields["client_id"].strip(),
        auth_login_url=fields["auth_login_url"].strip(), auth_token_url=fields["auth_token_url"].strip(),
        key_set_url=(fields.get("key_set_url") or "").strip() or None, key_set=key_set,
        auth_audience=(fields.get("auth_audience") or "").strip() or None, deployment_ids=deployments,
        name=(fields.get("name") or "").strip() or None, registered_by="manual")
