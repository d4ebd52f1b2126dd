"""Editing the map itself: clusters, internship sites, offerings, and copying a year forward.

The same conventions as `services` (add and flush, the caller commits).
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, selectinload

from ..core.reference import AcademicYear, Organization, Person, Topic
from .catalog import DELIVERY, FORMS
from .models import Cluster, InternshipSite, Offering
from .search_text import refresh_search_text
from .signals import offering_created
from .services import PROVIDER_KINDS, PROVIDER_MODELS, SITE_STATUSES, save_year
from .validation import ValidationError, get_in_network, required


def _topic(session: Session, network_id: int, topic_id, allow_retired: bool = False) -> Topic:
    topic = get_in_network(session, Topic, network_id, topic_id)
    if topic is None or (topic.retired_at is not None and not allow_retired):
        raise ValidationError(_("Choose a topic of this network."), "topic_id")
    return topic


def _members(session: Session, model, network_id: int, ids) -> list:
    ids = {int(i) for i in ids or ()}
    if not ids:
        return []
    rows = list(session.scalars(sa.select(model).where(model.network_id == network_id, model.id.in_(ids))))
    if len(rows) != len(ids):
        raise ValidationError(_("Some chosen members do not belong to this network."), "members")
    return rows


def save_cluster(session: Session, network_id: int, cluster: Cluster | None = None, *, name: str,
                 topic_id: int | None = None, coordinator_id: int | None = None,
                 description: str | None = None, organization_ids=(), person_ids=()) -> Cluster:
    """Create or update a methodological cluster with its member organizations and people."""
    name = required(name, _("Enter the cluster's name."), "name")
    topic = _topic(session, network_id, topic_id, allow_retired=cluster is not None) if topic_id else None
    coordinator = get_in_network(session, Person, network_id, coordinator_id) if coordinator_id else None
    if coordinator_id and coordinator is None:
        raise ValidationError(_("Choose a coordinator of this network."), "coordinator_id")
    organizations = _members(session, Organization, network_id, organization_ids)
    people = _members(session, Person, network_id, person_ids)
    if coordinator is not None and coordinator not in people:
        people.append(coordinator)  # the coordinator is a member by definition
    if cluster is None:
        cluster = Cluster(network_id=network_id)
        session.add(cluster)
    cluster.name, cluster.topic, cluster.coordinator = name, topic, coordinator
    cluster.description = (description or "").strip() or None
    cluster.organizations, cluster.people = organizations, people
    session.flush()
    refresh_search_text(session, network_id, Offering.cluster_id == cluster.id)
    return cluster


def save_internship_site(session: Session, network_id: int, site: InternshipSite | None = None, *,
                         organization_id: int, topic_id: int, year_id: int,
                         status: str = "active") -> InternshipSite:
    """Give an organization the status of internship site on a topic for a year."""
    org = get_in_network(session, Organization, network_id, organization_id)
    if org is None:
        raise ValidationError(_("Choose an organization of this network."), "organization_id")
    topic = _topic(session, network_id, topic_id, allow_retired=site is not None)
    if get_in_network(session, AcademicYear, network_id, year_id) is None:
        raise ValidationError(_("Choose a year of this network."), "year_id")
    if status not in SITE_STATUSES:
        raise ValidationError(_("Unknown status."), "status")
    if site is None:
        site = InternshipSite(network_id=network_id)
        session.add(site)
    site.organization, site.topic, site.year_id, site.status = org, topic, int(year_id), status
    session.flush()
    refresh_search_text(session, network_id, Offering.internship_site_id == site.id)
    return site


def save_offering(session: Session, network_id: int, offering: Offering | None = None, *, year_id: int,
                  topic_id: int, form: str, provider_kind: str, provider_id: int, title: str | None = None,
                  description: str | None = None, capacity: int | None = None, schedule: str | None = None,
                  starts_on: date | None = None, ends_on: date | None = None,
                  delivery: str = "in_person") -> Offering:
    """Create or update an entry of the map: one provider × topic × form × year."""
    if get_in_network(session, AcademicYear, network_id, year_id) is None:
        raise ValidationError(_("Choose a year of this network."), "year_id")
    topic = _topic(session, network_id, topic_id, allow_retired=offering is not None)
    if form not in FORMS:
        raise ValidationError(_("Choose a form of support."), "form")
    if delivery not in DELIVERY:
        raise ValidationError(_("Choose in person, online or mixed."), "delivery")
    if provider_kind not in PROVIDER_KINDS:
        raise ValidationError(_("Choose who provides the support."), "provider_kind")
    provider = get_in_network(session, PROVIDER_MODELS[provider_kind], network_id, provider_id)
    if provider is None:
        raise ValidationError(_("Choose a provider of this network."), "provider_id")
    if capacity is not None and capacity < 0:
        raise ValidationError(_("Capacity cannot be negative."), "capacity")
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError(_("The end date is before the start date."), "ends_on")
    created = offering is None
    if offering is None:
        offering = Offering(network_id=network_id)
        session.add(offering)
    offering.year_id, offering.topic, offering.form, offering.delivery = int(year_id), topic, form, delivery
    for kind in PROVIDER_KINDS:
        setattr(offering, f"{kind}_id", provider.id if kind == provider_kind else None)
    offering.title = (title or "").strip() or None
    offering.description = (description or "").strip() or None
    offering.schedule = (schedule or "").strip() or None
    offering.capacity, offering.starts_on, offering.ends_on = capacity, starts_on, ends_on
    session.flush()
    refresh_search_text(session, network_id, Offering.id == offering.id)
    if created:
        offering_created.send(session, offering_id=offering.id)
    return offering


def provider_kind_of(offering: Offering) -> str:
    """Which of the four provider columns is set."""
    return next(kind for kind in PROVIDER_KINDS if getattr(offering, f"{kind}_id") is not None)


def _shift(value: date | None, years: int) -> date | None:
    if value is None:
        return None
    try:
        return value.replace(year=value.year + years)
    except ValueError:  # 29 February
        return value.replace(year=value.year + years, day=28)


def copy_year_forward(session: Session, network_id: int, from_year_id: int, to_title: str,
                      starts_on: date, ends_on: date, offering_ids=None) -> AcademicYear:
    """Start a new year's map from an existing one: its active sites and offerings, dates shifted.

    Retired offerings, closed or retired sites and offerings of retired topics or providers stay
    behind; with `offering_ids`, only those of the chosen offerings are copied (the review step of
    opening a new school year).
    """
    source = get_in_network(session, AcademicYear, network_id, from_year_id)
    if source is None:
        raise ValidationError(_("Choose a year of this network."), "from_year_id")
    target = save_year(session, network_id, title=to_title, starts_on=starts_on, ends_on=ends_on)
    shift = starts_on.year - source.starts_on.year
    site_map: dict[int, InternshipSite] = {}
    sites = session.scalars(sa.select(InternshipSite).where(
        InternshipSite.network_id == network_id, InternshipSite.year_id == source.id,
        InternshipSite.retired_at.is_(None), InternshipSite.status != "closed"))
    for site in sites:
        site_map[site.id] = InternshipSite(network_id=network_id, organization_id=site.organization_id,
                                           topic_id=site.topic_id, year_id=target.id, status=site.status)
    session.add_all(site_map.values())
    session.flush()
    copies = []
    for old in copyable_offerings(session, network_id, source.id, offering_ids):
        if old.internship_site_id is not None and old.internship_site_id not in site_map:
            continue
        new_site = site_map[old.internship_site_id] if old.internship_site_id else None
        copies.append(Offering(
            network_id=network_id, year_id=target.id, topic_id=old.topic_id, form=old.form,
            person_id=old.person_id, organization_id=old.organization_id, cluster_id=old.cluster_id,
            internship_site_id=new_site.id if new_site else None, title=old.title,
            description=old.description, capacity=old.capacity, schedule=old.schedule,
            starts_on=_shift(old.starts_on, shift), ends_on=_shift(old.ends_on, shift),
            delivery=old.delivery, search_text=old.search_text))
    session.add_all(copies)
    session.flush()
    return target


def copyable_offerings(session: Session, network_id: int, year_id: int, offering_ids=None) -> list[Offering]:
    """The year's offerings a new year can start from: active, on an active topic, with an active
    provider (a site neither retired nor closed); only `offering_ids` when given. By topic and title."""
    query = (sa.select(Offering).join(Topic, Topic.id == Offering.topic_id)
             .options(selectinload(Offering.person), selectinload(Offering.organization),
                      selectinload(Offering.cluster),
                      selectinload(Offering.internship_site).selectinload(InternshipSite.organization),
                      selectinload(Offering.topic))
             .where(Offering.network_id == network_id, Offering.year_id == year_id,
                    Offering.retired_at.is_(None), Topic.retired_at.is_(None))
             .order_by(Topic.name, Offering.title, Offering.id))
    if offering_ids is not None:
        query = query.where(Offering.id.in_([int(i) for i in offering_ids]))
    return [o for o in session.scalars(query) if _provider_active(o)]


def _provider_active(offering: Offering) -> bool:
    if offering.internship_site_id is not None:
        site = offering.internship_site
        return site.retired_at is None and site.status != "closed"
    provider = offering.person or offering.organization or offering.cluster
    return provider is not None and provider.retired_at is None
