"""Reading the map: the filtered list, the topic × provider matrix, cluster and organization pages.

Each function issues a fixed handful of queries whatever the size of the map (no N+1): the list
pages ids first and then loads one page with its providers eagerly.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from ..core.reference import Organization, Person, Topic
from ..core.numbers import natural_key, natural_sorted
from .catalog import FORMS
from .models import Cluster, InternshipSite, Offering, cluster_organization, cluster_person
from .search_text import like_pattern

PER_PAGE = 50


@dataclass
class OfferingFilter:
    """What the list is narrowed to; empty values mean no restriction."""

    topic_id: int | None = None
    form: str | None = None
    organization_id: int | None = None
    cluster_id: int | None = None
    municipality: str | None = None
    delivery: str | None = None
    q: str | None = None

    def active(self) -> dict:
        """The set filters as query-string arguments of the list page."""
        names = {"topic_id": "topic", "organization_id": "organization", "cluster_id": "cluster"}
        return {names.get(k, k): v for k, v in self.__dict__.items() if v not in (None, "")}


@dataclass
class Page:
    """One page of a list."""

    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _filtered(network_id: int, year_id: int, flt: OfferingFilter):
    """SELECT of matching offering ids (with the joins the filters need)."""
    query = (
        sa.select(Offering.id)
        .join(Topic, Topic.id == Offering.topic_id)
        .outerjoin(Person, Person.id == Offering.person_id)
        .outerjoin(InternshipSite, InternshipSite.id == Offering.internship_site_id)
        .where(Offering.network_id == network_id, Offering.year_id == year_id, Offering.retired_at.is_(None))
    )
    if flt.topic_id:
        query = query.where(Offering.topic_id == flt.topic_id)
    if flt.form:
        query = query.where(Offering.form == flt.form)
    if flt.delivery:
        query = query.where(Offering.delivery == flt.delivery)
    if flt.organization_id:
        oid = flt.organization_id
        query = query.where(sa.or_(Offering.organization_id == oid, Person.organization_id == oid,
                                   InternshipSite.organization_id == oid))
    if flt.municipality:
        # OR of plain IN tests (one provider is set at a time): PostgreSQL plans a COALESCE join badly.
        org_ids = sa.select(Organization.id).where(Organization.network_id == network_id,
                                                   Organization.municipality == flt.municipality)
        query = query.where(sa.or_(Offering.organization_id.in_(org_ids), Person.organization_id.in_(org_ids),
                                   InternshipSite.organization_id.in_(org_ids)))
    if flt.cluster_id:
        members = sa.select(cluster_person.c.person_id).where(cluster_person.c.cluster_id == flt.cluster_id)
        orgs = sa.select(cluster_organization.c.organization_id).where(
            cluster_organization.c.cluster_id == flt.cluster_id)
        query = query.where(sa.or_(Offering.cluster_id == flt.cluster_id, Offering.person_id.in_(members),
                                   Offering.organization_id.in_(orgs)))
    if flt.q and flt.q.strip():
        query = query.where(Offering.search_text.like(like_pattern(flt.q), escape="\\"))
    return query.order_by(Topic.name, Offering.form, Offering.id)


def _with_providers(query):
    return query.options(
        joinedload(Offering.topic),
        joinedload(Offering.person).joinedload(Person.organization),
        joinedload(Offering.organization),
        joinedload(Offering.cluster),
        joinedload(Offering.internship_site).joinedload(InternshipSite.organization),
    )


def list_offerings(session: Session, network_id: int, year_id: int, flt: OfferingFilter | None = None,
                   page: int = 1, per_page: int = PER_PAGE) -> Page:
    """One page of the year's offerings matching `flt`, ordered by topic and form (three queries)."""
    flt = flt or OfferingFilter()
    ids_query = _filtered(network_id, year_id, flt)
    total = session.scalar(sa.select(sa.func.count()).select_from(ids_query.order_by(None).subquery()))
    page = max(1, min(page, max(1, -(-total // per_page))))
    ids = list(session.scalars(ids_query.limit(per_page).offset((page - 1) * per_page)))
    rows = session.scalars(_with_providers(sa.select(Offering).where(Offering.id.in_(ids)))).unique()
    by_id = {o.id: o for o in rows}
    return Page([by_id[i] for i in ids], total, page, per_page)


def filter_choices(session: Session, network_id: int) -> dict:
    """Options of the list's filters: topics, organizations, clusters, municipalities."""
    orgs = natural_sorted(session.execute(sa.select(Organization.id, Organization.name, Organization.municipality).where(
        Organization.network_id == network_id, Organization.retired_at.is_(None))).all(), lambda o: o.name)
    return {
        "topics": [tuple(r) for r in session.execute(sa.select(Topic.id, Topic.name).where(
            Topic.network_id == network_id, Topic.retired_at.is_(None)).order_by(Topic.name))],
        "organizations": [(o.id, o.name) for o in orgs],
        "municipalities": sorted({o.municipality for o in orgs if o.municipality}),
        "clusters": [tuple(r) for r in session.execute(sa.select(Cluster.id, Cluster.name).where(
            Cluster.network_id == network_id, Cluster.retired_at.is_(None)).order_by(Cluster.name))],
    }


@dataclass
class MatrixRow:
    """A topic's support in the year: offerings per form and distinct providers per kind."""

    topic: Topic
    by_form: dict = field(default_factory=lambda: defaultdict(int))
    by_kind: dict = field(default_factory=lambda: defaultdict(int))
    total: int = 0

    @property
    def providers(self) -> int:
        return sum(self.by_kind.values())

    @property
    def is_gap(self) -> bool:
        """No provider at all: the methodist must find one."""
        return self.total == 0


def topic_matrix(session: Session, network_id: int, year_id: int) -> list[MatrixRow]:
    """The topic × provider matrix ("карта"): every active topic, including those with no provider."""
    rows = {t.id: MatrixRow(t) for t in session.scalars(sa.select(Topic).where(
        Topic.network_id == network_id, Topic.retired_at.is_(None)).order_by(Topic.name))}
    kind = sa.case((Offering.person_id.is_not(None), "person"), (Offering.organization_id.is_not(None), "organization"),
                   (Offering.cluster_id.is_not(None), "cluster"), else_="internship_site")
    provider = sa.func.coalesce(Offering.person_id, Offering.organization_id, Offering.cluster_id,
                                Offering.internship_site_id)
    base = sa.select(Offering.topic_id).where(Offering.network_id == network_id, Offering.year_id == year_id,
                                              Offering.retired_at.is_(None))
    for topic_id, form, count in session.execute(
            base.add_columns(Offering.form, sa.func.count()).group_by(Offering.topic_id, Offering.form)):
        if topic_id in rows:
            rows[topic_id].by_form[form] += count
            rows[topic_id].total += count
    for topic_id, kind_value, count in session.execute(
            base.add_columns(kind, sa.func.count(sa.distinct(provider))).group_by(Offering.topic_id, kind)):
        if topic_id in rows:
            rows[topic_id].by_kind[kind_value] += count
    return list(rows.values())


def matrix_forms() -> list[str]:
    """Form codes in their usual progression (the matrix's columns)."""
    return list(FORMS)


def organization_page(session: Session, org: Organization, year_id: int | None) -> dict:
    """An organization's tutors, clusters, internship sites and the year's offerings it stands behind."""
    people = list(session.scalars(sa.select(Person).where(
        Person.organization_id == org.id, Person.retired_at.is_(None)).order_by(Person.full_name)))
    sites = list(session.scalars(sa.select(InternshipSite).options(joinedload(InternshipSite.topic)).where(
        InternshipSite.organization_id == org.id, InternshipSite.retired_at.is_(None))
        .order_by(InternshipSite.year_id.desc())))
    clusters = list(session.scalars(sa.select(Cluster).join(cluster_organization).where(
        cluster_organization.c.organization_id == org.id, Cluster.retired_at.is_(None)).order_by(Cluster.name)))
    offerings = list_offerings(session, org.network_id, year_id, OfferingFilter(organization_id=org.id),
                               per_page=500).items if year_id else []
    return {"organization": org, "tutors": [p for p in people if p.is_tutor],
            "staff_count": len(people), "sites": sites, "clusters": clusters, "offerings": offerings}


def cluster_page(session: Session, cluster: Cluster, year_id: int | None) -> dict:
    """A cluster's members, coordinator and the year's offerings of the cluster and its members."""
    session.scalars(sa.select(Cluster).where(Cluster.id == cluster.id).options(
        selectinload(Cluster.organizations), selectinload(Cluster.people).joinedload(Person.organization),
        joinedload(Cluster.topic), joinedload(Cluster.coordinator))).all()
    offerings = list_offerings(session, cluster.network_id, year_id, OfferingFilter(cluster_id=cluster.id),
                               per_page=500).items if year_id else []
    return {"cluster": cluster, "organizations": natural_sorted(cluster.organizations, lambda o: o.name),
            "people": sorted(cluster.people, key=lambda p: p.full_name), "offerings": offerings}


def organizations_for_map(session: Session, network_id: int) -> list[Organization]:
    """Active organizations by municipality and name (with or without coordinates)."""
    return sorted(session.scalars(sa.select(Organization).where(
        Organization.network_id == network_id, Organization.retired_at.is_(None))),
        key=lambda o: (o.municipality or "", natural_key(o.name)))


def list_people(session: Session, network_id: int, tutors_only: bool = False, q: str | None = None,
                contacts: bool = True) -> list[Person]:
    """People of the network with their organizations; `q` matches names case-insensitively in Python
    (and emails with `contacts`: otherwise a search would confirm addresses one cannot see)."""
    query = sa.select(Person).options(joinedload(Person.organization)).where(
        Person.network_id == network_id, Person.retired_at.is_(None)).order_by(Person.full_name)
    if tutors_only:
        query = query.where(Person.is_tutor.is_(True))
    people = list(session.scalars(query))
    if q:
        from .search_text import fold
        wanted = fold(q)
        people = [p for p in people if wanted in fold(f"{p.full_name} {(p.email or '') if contacts else ''}")]
    return people


def list_clusters(session: Session, network_id: int) -> list[Cluster]:
    """Active clusters with topic, coordinator and member counts loaded (three queries)."""
    return list(session.scalars(sa.select(Cluster).options(
        joinedload(Cluster.topic), joinedload(Cluster.coordinator), selectinload(Cluster.organizations),
        selectinload(Cluster.people)).where(Cluster.network_id == network_id, Cluster.retired_at.is_(None))
        .order_by(Cluster.name)))
