"""Who the report covers: its filters, and the roster a response rate is measured against."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..core.courses import Course, Enrollment, ResourceLink
from ..core.reference import Organization, Person
from ..resource_map.models import Cluster, cluster_organization, cluster_person
from .models import Survey, SurveyResponse


@dataclass(frozen=True)
class Filters:
    """The report's filters (None = everyone)."""

    organization_id: int | None = None
    cluster_id: int | None = None
    role: str | None = None

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.organization_id, self.cluster_id, self.role))


def group_filter(model, survey: Survey, filters: Filters) -> list:
    """WHERE clauses for the survey and the filters on a table carrying a response's group columns
    (organization, cluster, role): SurveyResponse itself, or the report's tally."""
    clauses = [model.survey_id == survey.id]
    if filters.organization_id is not None:
        clauses.append(model.organization_id == filters.organization_id)
    if filters.cluster_id is not None:
        orgs = sa.select(cluster_organization.c.organization_id).where(cluster_organization.c.cluster_id == filters.cluster_id)
        clauses.append(sa.or_(model.cluster_id == filters.cluster_id, model.organization_id.in_(orgs)))
    if filters.role is not None:
        clauses.append(model.role == filters.role)
    return clauses


def response_filter(survey: Survey, filters: Filters) -> list:
    """WHERE clauses on SurveyResponse for the survey and the filters."""
    return group_filter(SurveyResponse, survey, filters)


def roster_size(session: Session, survey: Survey, filters: Filters = Filters()) -> int:
    """Who was asked: learners of the course(s) the survey is placed in, else the network's people."""
    course_ids = list(session.scalars(
        sa.select(ResourceLink.course_id).join(Course, Course.id == ResourceLink.course_id)
        .where(ResourceLink.target_kind == "survey", ResourceLink.target_id == survey.id,
               Course.network_id == survey.network_id).distinct()))
    people = sa.select(Person.user_id).where(Person.network_id == survey.network_id, Person.retired_at.is_(None))
    if filters.organization_id is not None:
        people = people.where(Person.organization_id == filters.organization_id)
    if filters.cluster_id is not None:
        orgs = sa.select(cluster_organization.c.organization_id).where(cluster_organization.c.cluster_id == filters.cluster_id)
        members = sa.select(cluster_person.c.person_id).where(cluster_person.c.cluster_id == filters.cluster_id)
        people = people.where(sa.or_(Person.organization_id.in_(orgs), Person.id.in_(members)))
    if filters.role is not None:
        people = people.where(Person.is_tutor.is_(filters.role == "tutor"))
    if not course_ids:
        return session.scalar(sa.select(sa.func.count()).select_from(people.subquery())) or 0
    rows = session.execute(sa.select(Enrollment.user_id, Enrollment.lti_roles)
                           .where(Enrollment.course_id.in_(course_ids), Enrollment.status == "active")).all()
    learners = {user_id for user_id, roles in rows if _is_learner(roles)}
    if filters.active:
        learners &= set(session.scalars(people.where(Person.user_id.in_(learners))))
    return len(learners)


def _is_learner(roles) -> bool:
    """An LTI membership role list naming Learner (instructors are not asked)."""
    return any(str(role).rsplit("#", 1)[-1].rsplit("/", 1)[-1] == "Learner" for role in roles or ())


def filter_choices(session: Session, survey: Survey) -> dict:
    """Organizations with responses and the network's clusters, for the filter form."""
    orgs = session.execute(sa.select(Organization.id, Organization.number, Organization.name)
                           .where(Organization.id.in_(sa.select(SurveyResponse.organization_id)
                                                      .where(SurveyResponse.survey_id == survey.id)))
                           .order_by(Organization.name)).all()
    clusters = session.execute(sa.select(Cluster.id, Cluster.name).where(Cluster.network_id == survey.network_id,
                                                                          Cluster.retired_at.is_(None))
                               .order_by(Cluster.name)).all()
    return {"organizations": [(i, f"{num} {name}".strip() if num else name) for i, num, name in orgs],
            "clusters": [tuple(c) for c in clusters]}
