"""What several events views share: going back with a rule's message, the event form's choices."""
from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, url_for
from sqlalchemy.orm import selectinload

from ..core.numbers import natural_sorted
from ..core.reference import Organization, Topic
from ..core.school_years import current_year
from ..resource_map.models import Cluster, Offering
from ..web.extensions import db
from . import services
from .services import EventError


def fail(exc: EventError, event_id: int | None = None):
    """Roll back, show the rule's message, go back to the event (or the list)."""
    db.session.rollback()
    flash(str(exc.message), "error")
    return redirect(url_for("events.detail", event_id=event_id) if event_id else url_for("events.index"))


def reference_choices(network_id: int, event=None):
    """Topics, years, live organizations, the offerings of the event's year (else of the current
    and later years) and live clusters of the network, for the event form's choices."""
    years = services.network_years(db.session, network_id)
    current = current_year(db.session, network_id)
    if event is not None:
        year_ids = [event.year_id]
    else:
        year_ids = [y.id for y in years if current is None or y.starts_on >= current.starts_on]
    linked = event.offering_id if event is not None else None
    offerings = db.session.scalars(
        sa.select(Offering).where(Offering.network_id == network_id, Offering.year_id.in_(year_ids),
                                  sa.or_(Offering.retired_at.is_(None), Offering.id == linked))
        .join(Topic, Topic.id == Offering.topic_id).order_by(Offering.year_id.desc(), Topic.name, Offering.id)
        .options(selectinload(Offering.topic), selectinload(Offering.person),
                 selectinload(Offering.organization), selectinload(Offering.cluster)))
    clusters = db.session.scalars(sa.select(Cluster).where(Cluster.network_id == network_id,
                                                           Cluster.retired_at.is_(None)).order_by(Cluster.name))
    topics = db.session.scalars(sa.select(Topic).where(Topic.network_id == network_id).order_by(Topic.name))
    orgs = natural_sorted(db.session.scalars(sa.select(Organization).where(
        Organization.network_id == network_id, Organization.retired_at.is_(None))), lambda o: o.name)
    return list(topics), years, orgs, list(offerings), list(clusters)
