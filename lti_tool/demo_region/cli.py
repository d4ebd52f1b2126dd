"""`flask demo region`: generate a region-sized network (sizes, seed and the LMS as options)."""
from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import click
from flask.cli import with_appcontext

from . import Sizes, generate, lms


def _size_options(command):
    """One option per field of `Sizes` (--teachers 20000, --upcoming-share 0.15 …)."""
    for f in reversed(dataclasses.fields(Sizes)):
        kind = float if f.type == "float" else int
        command = click.option(f"--{f.name.replace('_', '-')}", f.name, type=kind, default=f.default,
                               show_default=True)(command)
    return command


@click.command("region")
@_size_options
@click.option("--scale", type=float, default=1.0, show_default=True, help="Multiply every count (0.1: a tenth).")
@click.option("--seed", type=int, default=26, show_default=True)
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="The generation day (default: today).")
@click.option("--slug", default="region", show_default=True, help="The new network's slug (must be free).")
@click.option("--issuer", default="https://lms.region.example", show_default=True,
              help="The LMS: its issuer URL (a demo LMS: http://127.0.0.1:PORT).")
@click.option("--client-id", default="tutornet-demo", show_default=True)
@click.option("--deployment-id", default="1", show_default=True)
@click.option("--manifest", type=click.Path(dir_okay=False, writable=True),
              help="Write what a demo LMS needs to mirror the region (roster, event links) as JSON.")
@with_appcontext
def region_command(scale: float, seed: int, today, slug: str, issuer: str, client_id: str, deployment_id: str,
                   manifest: str | None, **counts) -> None:
    """Generate a region-sized network in the database (PostgreSQL: bulk COPY) and print timings."""
    from ..web.extensions import db

    sizes = Sizes(**counts)
    if scale != 1.0:
        sizes = sizes.scaled(scale)
    try:
        region = generate(db.session, sizes=sizes, seed=seed, today=today.date() if today else date.today(),
                          slug=slug, issuer=issuer, client_id=client_id, deployment_id=deployment_id, echo=click.echo)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    if manifest:
        Path(manifest).write_text(json.dumps(lms.manifest(region), ensure_ascii=False), encoding="utf-8")
        click.echo(f"LMS manifest: {manifest}")
