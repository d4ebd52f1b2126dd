"""Editing the network's reference data from the resource map: years, topics, organizations, people.

The map's own entries (clusters, internship sites, offerings) are edited in `map_entries`.

Plain functions on a `Session` and plain values, scoped by network: they add and flush, the view
(or the import, or the CLI) commits. Messages of `ValidationError` are shown to the user as is.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ..core.clock import utcnow
from ..core.reference import AcademicYear, Organization, Person, Topic
from ..core.school_years import current_year  # noqa: F401  (the map's pages and other areas import it here)
from ..core.numbers import natural_sorted
from .catalog import ORGANIZATION_KINDS, SEED_TOPICS_RU
from .models import Cluster, InternshipSite, Offering
from .search_text import fold, refresh_search_text
from .validation import ValidationError, get_in_network, required

PROVIDER_KINDS = ("person", "organization", "cluster", "internship_site")
SITE_STATUSES = ("applied", "active", "closed")
PROVIDER_MODELS = {"person": Person, "organization": Organization, "cluster": Cluster,
                   "internship_site": InternshipSite}


def retire(session: Session, row) -> None:
    """Hide a row from new choices while keeping everything that points at it."""
    if row.retired_at is None:
        row.retired_at = utcnow()
        session.flush()


def restore(session: Session, row) -> None:
    """Undo `retire`."""
    row.retired_at = None
    session.flush()


# --- academic years ---------------------------------------------------------------------------

def list_years(session: Session, network_id: int) -> list[AcademicYear]:
    """The network's years, latest first."""
    return list(session.scalars(sa.select(AcademicYear).where(AcademicYear.network_id == network_id)
                                .order_by(AcademicYear.starts_on.desc())))


def save_year(session: Session, network_id: int, year: AcademicYear | None = None, *, title: str,
              starts_on: date | None, ends_on: date | None, is_current: bool = False) -> AcademicYear:
    """Create or update a year; titles are unique in the network; one year is current."""
    title = required(title, _("Enter the year's title, e.g. 2025/2026."), "title")
    if not starts_on or not ends_on or ends_on <= starts_on:
        raise ValidationError(_("The year must end after it starts."), "ends_on")
    clash = session.scalar(sa.select(AcademicYear.id).where(
        AcademicYear.network_id == network_id, AcademicYear.title == title))
    if clash and (year is None or clash != year.id):
        raise ValidationError(_("The year %(title)s already exists.", title=title), "title")
    if year is None:
        year = AcademicYear(network_id=network_id)
        session.add(year)
    year.title, year.starts_on, year.ends_on = title, starts_on, ends_on
    session.flush()
    if is_current:
        set_current_year(session, network_id, year)
    return year


def set_current_year(session: Session, network_id: int, year: AcademicYear) -> None:
    """Make `year` the current one (the default of every page)."""
    session.execute(sa.update(AcademicYear).where(AcademicYear.network_id == network_id)
                    .values(is_current=AcademicYear.id == year.id))
    session.flush()
    session.refresh(year)


# --- topics -----------------------------------------------------------------------------------

def list_topics(session: Session, network_id: int, include_retired: bool = False) -> list[Topic]:
    """Topics by name."""
    query = sa.select(Topic).where(Topic.network_id == network_id).order_by(Topic.name)
    if not include_retired:
        query = query.where(Topic.retired_at.is_(None))
    return list(session.scalars(query))


def find_topic(session: Session, network_id: int, name: str) -> Topic | None:
    """The topic named `name` (case-insensitive), retired ones included."""
    wanted = fold(name)
    return next((t for t in list_topics(session, network_id, True) if fold(t.name) == wanted), None)


def save_topic(session: Session, network_id: int, topic: Topic | None = None, *, name: str,
               description: str | None = None) -> Topic:
    """Create or rename a topic; names are unique in the network regardless of case."""
    name = required(name, _("Enter the topic's name."), "name")
    clash = find_topic(session, network_id, name)
    if clash is not None and clash is not topic:
        raise ValidationError(_("The topic «%(name)s» already exists.", name=clash.name), "name")
    if topic is None:
        topic = Topic(network_id=network_id)
        session.add(topic)
    topic.name, topic.description = name, (description or "").strip() or None
    session.flush()
    refresh_search_text(session, network_id, Offering.topic_id == topic.id)
    return topic


def seed_topics(session: Session, network_id: int) -> int:
    """Add the domain's standard topics the network does not have yet; return how many were added."""
    existing = {fold(t.name) for t in list_topics(session, network_id, True)}
    added = [Topic(network_id=network_id, name=name) for name in SEED_TOPICS_RU if fold(name) not in existing]
    session.add_all(added)
    session.flush()
    return len(added)


# --- organizations and people -----------------------------------------------------------------

def save_organization(session: Session, network_id: int, org: Organization | None = None, *, name: str,
                      kind: str = "kindergarten", number: str | None = None, municipality: str | None = None,
                      address: str | None = None, latitude: float | None = None,
                      longitude: float | None = None) -> Organization:
    """Create or update an organization; coordinates are both given or both empty."""
    name = required(name, _("Enter the organization's name."), "name")
    if kind not in ORGANIZATION_KINDS:
        raise ValidationError(_("Unknown kind of organization."), "kind")
    if (latitude is None) != (longitude is None):
        raise ValidationError(_("Give both latitude and longitude, or neither."), "latitude")
    if latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValidationError(_("Coordinates are out of range."), "latitude")
    if org is None:
        org = Organization(network_id=network_id)
        session.add(org)
    org.name, org.kind = name, kind
    org.number = (number or "").strip() or None
    org.municipality = (municipality or "").strip() or None
    org.address = (address or "").strip() or None
    org.latitude, org.longitude = latitude, longitude
    session.flush()
    refresh_search_text(session, network_id, _offerings_of_organization(org.id))
    return org


def save_person(session: Session, network_id: int, person: Person | None = None, *, full_name: str,
                email: str | None = None, organization_id: int | None = None, position: str | None = None,
                is_tutor: bool = False, experience_years: int | None = None) -> Person:
    """Create or update a person; emails are unique in the network (they link LTI users)."""
    full_name = required(full_name, _("Enter the person's full name."), "full_name")
    email = (email or "").strip().lower() or None
    if email and ("@" not in email or " " in email):
        raise ValidationError(_("The email address is not valid."), "email")
    if email:
        clash = session.scalar(sa.select(Person.id).where(
            Person.network_id == network_id, sa.func.lower(Person.email) == email))
        if clash and (person is None or clash != person.id):
            raise ValidationError(_("Another person already has the email %(email)s.", email=email), "email")
    if organization_id is not None and get_in_network(session, Organization, network_id, organization_id) is None:
        raise ValidationError(_("Choose an organization of this network."), "organization_id")
    if experience_years is not None and not 0 <= experience_years <= 70:
        raise ValidationError(_("Experience must be between 0 and 70 years."), "experience_years")
    if person is None:
        person = Person(network_id=network_id)
        session.add(person)
    person.full_name, person.email, person.organization_id = full_name, email, organization_id
    person.position = (position or "").strip() or None
    person.is_tutor, person.experience_years = bool(is_tutor), experience_years
    session.flush()
    refresh_search_text(session, network_id, Offering.person_id == person.id)
    return person


def _offerings_of_organization(org_id: int):
    site_ids = sa.select(InternshipSite.id).where(InternshipSite.organization_id == org_id)
    return sa.or_(Offering.organization_id == org_id, Offering.internship_site_id.in_(site_ids))


def list_people_choices(session: Session, network_id: int) -> list[tuple[int, str]]:
    """(id, "name (organization)") of active people, tutors first, for select boxes."""
    rows = session.execute(
        sa.select(Person.id, Person.full_name, Organization.name, Person.is_tutor)
        .outerjoin(Organization, Organization.id == Person.organization_id)
        .where(Person.network_id == network_id, Person.retired_at.is_(None))
        .order_by(Person.is_tutor.desc(), Person.full_name)).all()
    return [(pid, f"{name} ({org})" if org else name) for pid, name, org, _t in rows]


def provider_choices(session: Session, network_id: int, year_id: int | None) -> dict[str, list]:
    """Possible providers grouped by kind, values "kind:id" (the offering form's select)."""
    def rows(query):
        return session.execute(query).all()
    active = lambda m: m.retired_at.is_(None)  # noqa: E731
    sites = rows(sa.select(InternshipSite.id, Organization.name, Topic.name)
                 .join(Organization, Organization.id == InternshipSite.organization_id)
                 .join(Topic, Topic.id == InternshipSite.topic_id)
                 .where(InternshipSite.network_id == network_id, InternshipSite.year_id == year_id,
                        active(InternshipSite)))
    tutors = rows(sa.select(Person.id, Person.full_name).where(
        Person.network_id == network_id, active(Person), Person.is_tutor.is_(True)).order_by(Person.full_name))
    orgs = natural_sorted(rows(sa.select(Organization.id, Organization.name).where(
        Organization.network_id == network_id, active(Organization))), lambda o: o[1])
    clusters = rows(sa.select(Cluster.id, Cluster.name).where(
        Cluster.network_id == network_id, active(Cluster)).order_by(Cluster.name))
    return {
        _("Tutors"): [(f"person:{i}", n) for i, n in tutors],
        _("Organizations"): [(f"organization:{i}", n) for i, n in orgs],
        _("Clusters"): [(f"cluster:{i}", n) for i, n in clusters],
        _("Internship sites"): [(f"internship_site:{i}", f"{o} — {t}") for i, o, t in sites],
    }
