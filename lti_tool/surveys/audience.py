"""Who a survey asks (its audience), who sees it, and the response rate measured against it.

An audience is a set of tool roles (teacher, tutor, methodist, admin) and, optionally,
organizations and clusters. A person belongs to it when one of her audience roles is chosen (staff
roles dominate: `core.member_roles.audience_roles`) and — when organizations or clusters are
chosen — she works in one of the organizations, or belongs to one of the clusters (as a member or
through her organization). People outside it do not see the survey and cannot answer it.

The response rate is the share of the audience that answered: named surveys by their responses,
anonymous ones by their participation rows (which say *that* a person answered, never what).
Everything is computed from the network's people loaded once (five queries), whatever the number
of surveys or people.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from ..core.ids import ForeignId, owned_ids
from ..core.member_roles import ROLES, audience_roles, member_roles
from ..core.reference import Organization, Person
from ..core.numbers import natural_sorted
from ..resource_map.models import Cluster, cluster_organization, cluster_person
from .models import Survey, SurveyParticipation, SurveyResponse
from .roster import Filters
from .errors import SurveyError


@dataclass(frozen=True)
class Audience:
    """The roles, organizations and clusters a survey asks (empty sets of places = everywhere)."""

    roles: frozenset[str]
    organization_ids: frozenset[int] = frozenset()
    cluster_ids: frozenset[int] = frozenset()


def audience_of(survey: Survey) -> Audience:
    """The survey's audience as plain values."""
    return Audience(frozenset(survey.audience_roles or ()), frozenset(o.id for o in survey.audience_organizations),
                    frozenset(c.id for c in survey.audience_clusters))


def set_audience(session: Session, survey: Survey, roles, organization_ids=(), cluster_ids=()) -> Survey:
    """Change who the survey asks; answers already given stay (the rate counts the new audience).

    Raises SurveyError("no_audience") without a role, ("bad_audience") for a place of another network.
    """
    roles = [r for r in ROLES if r in set(roles or ())]
    if not roles:
        raise SurveyError("no_audience")
    organizations = _in_network(session, Organization, survey.network_id, organization_ids)
    clusters = _in_network(session, Cluster, survey.network_id, cluster_ids)
    survey.audience_roles = roles
    survey.audience_organizations, survey.audience_clusters = organizations, clusters
    session.flush()
    return survey


def _in_network(session: Session, model, network_id: int, ids) -> list:
    try:
        wanted = owned_ids(session, model, network_id, ids or (), field="audience")
    except ForeignId:
        raise SurveyError("bad_audience") from None
    if not wanted:
        return []
    return list(session.scalars(sa.select(model).where(model.id.in_(wanted))))


@dataclass
class People:
    """The network's active people as audiences see them: roles, organization, clusters."""

    roles: dict[int, frozenset[str]]
    organization: dict[int, int | None]
    clusters: dict[int, set[int]] = field(default_factory=dict)  # own cluster memberships
    cluster_orgs: dict[int, set[int]] = field(default_factory=dict)  # cluster -> member organizations

    def in_cluster(self, person_id: int, cluster_id: int) -> bool:
        """A member herself, or working in a member organization."""
        return (cluster_id in self.clusters.get(person_id, ())
                or self.organization.get(person_id) in self.cluster_orgs.get(cluster_id, ()))


def load_people(session: Session, network_id: int, person_ids=None, extra_roles=()) -> People:
    """The people (all active ones, or `person_ids`) with their audience roles; `extra_roles` are the
    asking person's launch roles, added to what is stored (a launch outside any course stores none)."""
    stored = member_roles(session, network_id, person_ids, fallback=not extra_roles)
    query = sa.select(Person.id, Person.organization_id).where(Person.network_id == network_id,
                                                              Person.retired_at.is_(None))
    if person_ids is not None:
        query = query.where(Person.id.in_(list(person_ids)))
    organization = dict(session.execute(query).all())
    roles = {pid: audience_roles(set(stored.get(pid, ())) | set(extra_roles)) for pid in organization}
    clusters: dict[int, set[int]] = defaultdict(set)
    members = sa.select(cluster_person.c.person_id, cluster_person.c.cluster_id).join(
        Cluster, Cluster.id == cluster_person.c.cluster_id).where(Cluster.network_id == network_id)
    if person_ids is not None:
        members = members.where(cluster_person.c.person_id.in_(list(person_ids)))
    for person_id, cluster_id in session.execute(members):
        clusters[person_id].add(cluster_id)
    cluster_orgs: dict[int, set[int]] = defaultdict(set)
    for cluster_id, org_id in session.execute(
            sa.select(cluster_organization.c.cluster_id, cluster_organization.c.organization_id)
            .join(Cluster, Cluster.id == cluster_organization.c.cluster_id).where(Cluster.network_id == network_id)):
        cluster_orgs[cluster_id].add(org_id)
    return People(roles, organization, dict(clusters), dict(cluster_orgs))


def matches(people: People, audience: Audience, person_id: int) -> bool:
    """Whether one loaded person belongs to the audience."""
    if not people.roles.get(person_id, frozenset()) & audience.roles:
        return False
    if not audience.organization_ids and not audience.cluster_ids:
        return True
    return (people.organization.get(person_id) in audience.organization_ids
            or any(people.in_cluster(person_id, c) for c in audience.cluster_ids))


def members(people: People, audience: Audience, filters: Filters = Filters()) -> set[int]:
    """The loaded people in the audience, narrowed by the report's filters."""
    return {pid for pid in people.roles if matches(people, audience, pid) and _passes(people, pid, filters)}


def _passes(people: People, person_id: int, filters: Filters) -> bool:
    if filters.organization_id is not None and people.organization.get(person_id) != filters.organization_id:
        return False
    if filters.cluster_id is not None and not people.in_cluster(person_id, filters.cluster_id):
        return False
    if filters.role is not None and (("tutor" in people.roles[person_id]) != (filters.role == "tutor")):
        return False
    return True


def includes(session: Session, survey: Survey, person_id: int, extra_roles=()) -> bool:
    """Whether the person (with her launch roles) is asked by the survey."""
    people = load_people(session, survey.network_id, [person_id], extra_roles)
    return matches(people, audience_of(survey), person_id)


@dataclass(frozen=True)
class Rate:
    """How many of the people asked answered."""

    answered: int
    asked: int

    @property
    def rate(self) -> float | None:
        return self.answered / self.asked if self.asked else None


def respondents(session: Session, surveys: list[Survey]) -> dict[int, set[int]]:
    """{survey id: ids of the people who answered}: responses of named surveys, participation rows
    of anonymous ones (two queries for any number of surveys)."""
    result: dict[int, set[int]] = {s.id: set() for s in surveys}
    named = [s.id for s in surveys if not s.anonymous]
    anonymous = [s.id for s in surveys if s.anonymous]
    if named:
        for survey_id, person_id in session.execute(
                sa.select(SurveyResponse.survey_id, SurveyResponse.person_id)
                .where(SurveyResponse.survey_id.in_(named), SurveyResponse.person_id.is_not(None))):
            result[survey_id].add(person_id)
    if anonymous:
        for survey_id, person_id in session.execute(
                sa.select(SurveyParticipation.survey_id, SurveyParticipation.person_id)
                .where(SurveyParticipation.survey_id.in_(anonymous))):
            result[survey_id].add(person_id)
    return result


def rates(session: Session, network_id: int, surveys: list[Survey], filters: Filters = Filters()) -> dict[int, Rate]:
    """{survey id: Rate} — the audience answered ÷ the audience, for several surveys at once."""
    if not surveys:
        return {}
    _load_audiences(session, surveys)
    people = load_people(session, network_id)
    answered = respondents(session, surveys)
    result = {}
    for survey in surveys:
        asked = members(people, audience_of(survey), filters)
        result[survey.id] = Rate(len(asked & answered[survey.id]), len(asked))
    return result


def visible_to(session: Session, network_id: int, person_id: int, surveys: list[Survey], extra_roles=()) -> list[Survey]:
    """The surveys among `surveys` whose audience holds the person (teachers outside do not see them)."""
    if not surveys:
        return []
    _load_audiences(session, surveys)
    people = load_people(session, network_id, [person_id], extra_roles)
    return [s for s in surveys if matches(people, audience_of(s), person_id)]


def _load_audiences(session: Session, surveys: list[Survey]) -> None:
    """Load the surveys' audience organizations and clusters in two queries (not two per survey)."""
    session.scalars(sa.select(Survey).where(Survey.id.in_([s.id for s in surveys]))
                    .options(selectinload(Survey.audience_organizations), selectinload(Survey.audience_clusters))).all()


def place_choices(session: Session, network_id: int) -> dict[str, list[tuple[int, str]]]:
    """The network's active organizations and clusters an audience can name (two queries)."""
    orgs = session.execute(sa.select(Organization.id, Organization.number, Organization.name)
                           .where(Organization.network_id == network_id, Organization.retired_at.is_(None))
                           .order_by(Organization.name)).all()
    clusters = session.execute(sa.select(Cluster.id, Cluster.name).where(Cluster.network_id == network_id,
                                                                          Cluster.retired_at.is_(None))
                               .order_by(Cluster.name)).all()
    return {"organizations": natural_sorted(((i, f"{num} {name}".strip() if num and num not in name else name)
                                             for i, num, name in orgs), lambda o: o[1]),
            "clusters": [(i, name) for i, name in clusters]}
