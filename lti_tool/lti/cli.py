"""`flask lti …`: platform registrations, config import and tool key rotation from the shell."""
from __future__ import annotations

import json
from datetime import timedelta

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from ..core.accounts import Network
from ..web.extensions import db
from . import tool_keys
from .platforms import (
    RegistrationError,
    add_deployment,
    create_platform,
    import_lti_config,
    list_platforms,
    set_platform_enabled,
)

lti = AppGroup("lti", help="LTI registrations and tool keys.")
keys_cli = AppGroup("keys", help="The tool's signing keys.")
platforms_cli = AppGroup("platforms", help="Registered LMS platforms.")
lti.add_command(keys_cli)
lti.add_command(platforms_cli)


def _commit_or_fail(action):
    """Run `action`, commit, and turn a RegistrationError into one clear error line."""
    try:
        result = action()
        db.session.commit()
        return result
    except RegistrationError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc


@lti.command("import-config")
@click.argument("path", required=False)
def import_config(path: str | None) -> None:
    """Import a pylti1p3 JSON config (default: LTI_CONFIG) into the database; idempotent."""
    path = path or current_app.config["LTI_CONFIG"]
    platforms = _commit_or_fail(lambda: import_lti_config(db.session, path))
    for platform in platforms:
        click.echo(f"{platform.id}\t{platform.issuer}\t{platform.client_id}\t"
                   f"deployments={','.join(d.deployment_id for d in platform.deployments)}")


@keys_cli.command("rotate")
@click.option("--overlap-days", type=int, default=7, show_default=True,
              help="How long the previous key stays published.")
def rotate(overlap_days: int) -> None:
    """Start signing with a new key; the old one stays in the JWKS for the overlap."""
    key = tool_keys.rotate_keys(db.session, overlap=timedelta(days=overlap_days))
    db.session.commit()
    click.echo(f"New signing key {key.kid}; previous keys published for {overlap_days} more days.")


@keys_cli.command("list")
def list_keys() -> None:
    """Every key: kid, created, and whether it signs, is published, or is gone."""
    signing = tool_keys.signing_key(db.session)
    published = {k.kid for k in tool_keys.published_keys(db.session)}
    db.session.commit()
    for key in tool_keys.all_keys(db.session):
        state = "signing" if key.kid == signing.kid else "published" if key.kid in published else "withdrawn"
        until = f" until {key.published_until:%Y-%m-%d %H:%M}" if key.published_until and state == "published" else ""
        click.echo(f"{key.kid}\t{key.created_at:%Y-%m-%d %H:%M}\t{state}{until}")


@platforms_cli.command("list")
def platforms_list() -> None:
    """Registered platforms with their deployments."""
    for p in list_platforms(db.session):
        deployments = ",".join(d.deployment_id + ("" if d.enabled else "(off)") for d in p.deployments)
        click.echo(f"{p.id}\t{'enabled' if p.enabled else 'DISABLED'}\t{p.issuer}\t{p.client_id}\t"
                   f"network={p.network_id}\tdeployments={deployments}\t{p.name or ''}")


def _network_id(value: str) -> int:
    network = db.session.scalar(sa.select(Network).where(
        Network.id == int(value) if value.isdigit() else Network.slug == value))
    if network is None:
        raise click.ClickException(f"Network {value!r} does not exist.")
    return network.id


@platforms_cli.command("add")
@click.option("--network", "network", required=True, help="Network id or slug the deployments join.")
@click.option("--issuer", required=True)
@click.option("--client-id", required=True)
@click.option("--auth-login-url", required=True)
@click.option("--auth-token-url", required=True)
@click.option("--key-set-url")
@click.option("--key-set", help="A static JWKS as JSON (when the platform has no JWKS URL).")
@click.option("--auth-audience")
@click.option("--deployment-id", "deployment_ids", multiple=True)
@click.option("--name")
def platforms_add(network, issuer, client_id, auth_login_url, auth_token_url, key_set_url, key_set, auth_audience,
                  deployment_ids, name) -> None:
    """Register a platform (the fields of lti_config.json)."""
    try:
        key_set_value = json.loads(key_set) if key_set else None
    except ValueError as exc:
        raise click.ClickException("--key-set is not valid JSON.") from exc
    platform = _commit_or_fail(lambda: create_platform(
        db.session, network_id=_network_id(network), issuer=issuer, client_id=client_id,
        auth_login_url=auth_login_url, auth_token_url=auth_token_url, key_set_url=key_set_url,
        key_set=key_set_value, auth_audience=auth_audience, deployment_ids=deployment_ids, name=name,
        shared_issuer_approved=True))  # the operator may give an issuer to several networks
    click.echo(f"Platform {platform.id} registered: {platform.issuer} {platform.client_id}")


@platforms_cli.command("add-deployment")
@click.argument("platform_id", type=int)
@click.argument("deployment_id")
@click.option("--network", help="Network id or slug (default: the platform's).")
def platforms_add_deployment(platform_id: int, deployment_id: str, network: str | None) -> None:
    """Enable a deployment of a registered platform (e.g. one its launches were refused for)."""
    from .models import Platform

    platform = db.session.get(Platform, platform_id)
    if platform is None:
        raise click.ClickException(f"Platform {platform_id} does not exist.")
    network_id = _network_id(network) if network else None
    deployment = _commit_or_fail(lambda: add_deployment(db.session, platform, deployment_id, network_id))
    click.echo(f"Deployment {deployment.deployment_id} of platform {platform_id} in network {deployment.network_id}.")


@platforms_cli.command("disable")
@click.argument("platform_id", type=int)
def platforms_disable(platform_id: int) -> None:
    """Refuse every login and launch from this platform."""
    _commit_or_fail(lambda: set_platform_enabled(db.session, platform_id, False))
    click.echo(f"Platform {platform_id} disabled.")


@platforms_cli.command("enable")
@click.argument("platform_id", type=int)
def platforms_enable(platform_id: int) -> None:
    """Accept logins and launches from this platform again."""
    _commit_or_fail(lambda: set_platform_enabled(db.session, platform_id, True))
    click.echo(f"Platform {platform_id} enabled.")
