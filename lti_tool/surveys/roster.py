"""The report's filters (organization, cluster, role) and their choices.

Who was asked — the roster a response rate divides by — is the survey's audience (`audience.py`).
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..core.reference import Organization
from ..core.numbers import natural_sorted
from ..resource_map.models import Cluster, cluster_organization
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


def filter_choices(session: Session, survey: Survey) -> dict:
    """Organizations with responses and the network's clusters, for the filter form."""
    orgs = session.execute(sa.select(Organization.id, Organization.number, Organization.name)
                           .where(Organization.id.in_(sa.select(SurveyResponse.organization_id)
                                                      .where(SurveyResponse.survey_id == survey.id)))
                           .order_by(Organization.name)).all()
    clusters = session.execute(sa.select(Cluster.id, Cluster.name).where(Cluster.network_id == survey.network_id,
                                                                          Cluster.retired_at.is_(None))
                               .order_by(Cluster.name)).all()
    return {"organizations": natural_sorted(((i, f"{num} {name}".strip() if num else name) for i, num, name in orgs),
                                            lambda o: o[1]),
            "clusters": [tuple(c) for c in clusters]}
