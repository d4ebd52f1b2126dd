"""Opening the next school year: create it, start its resource map from this year's offerings (the
methodist reviews which go forward), and start its surveys from the templates or last year's surveys.

Everything happens in the caller's transaction: a bad title or date refuses the whole opening.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ..core.reference import AcademicYear
from ..core.school_years import current_year, next_year_dates, school_year_of
from ..resource_map.map_entries import copy_year_forward, copyable_offerings
from ..resource_map.models import Offering
from ..resource_map.services import save_year, set_current_year
from ..resource_map.validation import ValidationError
from ..surveys.builder import copy_survey
from ..surveys.models import Survey
from ..surveys.templates_ru import TEMPLATES

# The templates a new year usually starts with: needs, the start-of-year self-assessment, resources.
USUAL_TEMPLATES = ("needs", "self_assessment_start", "resource")


@dataclass
class Review:
    """What opening the next year would do, for the methodist to check and narrow."""

    source: AcademicYear | None
    title: str
    starts_on: date
    ends_on: date
    existing: AcademicYear | None  # a year of that title exists already
    offerings: list[Offering] = field(default_factory=list)  # the source year's offerings that can go forward
    surveys: list[Survey] = field(default_factory=list)  # the source year's surveys that can be run again


def review(session: Session, network_id: int, today: date) -> Review:
    """The next year after the current one (or the school year holding today when there is none)."""
    source = current_year(session, network_id)
    title, starts, ends = next_year_dates(source) if source else school_year_of(today)
    existing = session.scalar(sa.select(AcademicYear).where(AcademicYear.network_id == network_id,
                                                            AcademicYear.title == title))
    if source is None:
        return Review(None, title, starts, ends, existing)
    surveys = list(session.scalars(sa.select(Survey).where(Survey.network_id == network_id, Survey.year_id == source.id,
                                                           Survey.status != "draft")
                                   .order_by(Survey.created_at, Survey.id)))
    return Review(source, title, starts, ends, existing, copyable_offerings(session, network_id, source.id), surveys)


@dataclass
class Opened:
    """The new year and what it was started with."""

    year: AcademicYear
    offerings: int
    surveys: list[Survey]


def open_year(session: Session, network_id: int, *, title: str, starts_on: date | None, ends_on: date | None,
              source_id: int | None = None, offering_ids=(), templates=(), survey_ids=(),
              make_current: bool = True) -> Opened:
    """Create the year; copy the chosen offerings of `source_id` (dates shifted), make surveys from
    the chosen templates and copies of the chosen surveys (as drafts of the new year, no dates).

    Raises resource_map's ValidationError (a title in use, dates in the wrong order, an unknown
    template or a survey of another year).
    """
    unknown = [key for key in templates if key not in TEMPLATES]
    if unknown:
        raise ValidationError(_("Choose surveys from the offered templates."), "templates")
    if source_id is not None:
        year = copy_year_forward(session, network_id, source_id, title, starts_on, ends_on, offering_ids=offering_ids)
        source = session.get(AcademicYear, source_id)
    else:
        year, source = save_year(session, network_id, title=title, starts_on=starts_on, ends_on=ends_on), None
    copied = session.scalar(sa.select(sa.func.count()).where(Offering.year_id == year.id)) or 0
    surveys = [TEMPLATES[key](session, network_id, year.id) for key in templates]
    surveys += [_run_again(session, survey, source, year) for survey in _surveys(session, network_id, source, survey_ids)]
    if make_current:
        set_current_year(session, network_id, year)
    session.flush()
    return Opened(year, copied, surveys)


def _surveys(session: Session, network_id: int, source: AcademicYear | None, survey_ids) -> list[Survey]:
    ids = {int(i) for i in survey_ids or ()}
    if not ids:
        return []
    rows = list(session.scalars(sa.select(Survey).where(Survey.id.in_(ids), Survey.network_id == network_id,
                                                        Survey.year_id == (source.id if source else None))
                                .order_by(Survey.created_at, Survey.id)))
    if len(rows) != len(ids):
        raise ValidationError(_("Choose surveys of the year being closed."), "survey_ids")
    return rows


def _run_again(session: Session, survey: Survey, source: AcademicYear | None, year: AcademicYear) -> Survey:
    """A draft copy for the new year: same questions, codes and audience; the year in its title moved on."""
    title = survey.title.replace(source.title, year.title) if source else survey.title
    copy, _mapping = copy_survey(session, survey, new_version=False, title=title)
    copy.year_id, copy.opens_at, copy.closes_at = year.id, None, None
    return copy


def provider_name(offering: Offering) -> str:
    """Who provides an offering: the tutor's, organization's, cluster's or internship site's name."""
    if offering.person is not None:
        return offering.person.full_name
    if offering.organization is not None:
        return offering.organization.name
    if offering.cluster is not None:
        return offering.cluster.name
    return offering.internship_site.organization.name
