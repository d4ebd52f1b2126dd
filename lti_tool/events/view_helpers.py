"""What several events views share: going back with a rule's message, the event form's choices."""
from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, url_for

from ..core.reference import Organization, Topic
from ..core.numbers import natural_sorted
from ..web.extensions import db
from . import services
from .services import EventError


def fail(exc: EventError, event_id: int | None = None):
    """Roll back, show the rule's message, go back to the event (or the list)."""
    db.session.rollback()
    flash(str(exc.message), "error")
    return redirect(url_for("events.detail", event_id=event_id) if event_id else url_for("events.index"))


def reference_choices(network_id: int):
    """Topics, years and live organizations of the network, for the event form's choices."""
    topics = db.session.scalars(sa.select(Topic).where(Topic.network_id == network_id).order_by(Topic.name))
    orgs = natural_sorted(db.session.scalars(sa.select(Organization).where(
        Organization.network_id == network_id, Organization.retired_at.is_(None))), lambda o: o.name)
    return list(topics), services.network_years(db.session, network_id), orgs
