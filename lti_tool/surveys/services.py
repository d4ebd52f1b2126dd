"""Surveys: loading rows of a network, lifecycle (open/close, dates), lists for teachers and staff.

Builder operations live in `builder.py`, answering in `answering.py`, the analytical report in
`reports.py`, competence dynamics in `dynamics.py`, the needs profile in `needs.py`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from ..core.clock import as_utc, utcnow
from ..core.reference import Topic
from .audience import visible_to
from .errors import SurveyError  # noqa: F401  (raised here; views import it from services)
from .models import KINDS, Survey, SurveyDraft, SurveyParticipation, SurveyResponse
from .needs import needs_profile, needs_profiles  # noqa: F401  (the route planner imports them from here)
from .signals import survey_opened


def is_accepting(survey: Survey, now: datetime | None = None) -> bool:
    """Open, and now within [opens_at, closes_at)."""
    now = now or utcnow()
    if survey.status != "open":
        return False
    if survey.opens_at is not None and now < as_utc(survey.opens_at):
        return False
    return not (survey.closes_at is not None and now >= as_utc(survey.closes_at))


def create_survey(session: Session, network_id: int, title: str, kind: str = "needs", *,
                  year_id: int | None = None, description: str | None = None, anonymous: bool = False,
                  allow_edit_until_close: bool = False, audience_roles: list[str] | None = None) -> Survey:
    """A new draft survey with one empty section, asking the kind's default audience."""
    from .models import DEFAULT_AUDIENCE, SurveySection

    if kind not in KINDS:
        raise SurveyError("bad_kind")
    survey = Survey(network_id=network_id, title=title.strip() or "—", kind=kind, year_id=year_id,
                    description=description, anonymous=anonymous,
                    allow_edit_until_close=allow_edit_until_close and not anonymous,
                    audience_roles=list(audience_roles or DEFAULT_AUDIENCE[kind]))
    survey.sections.append(SurveySection(title="", position=0))
    session.add(survey)
    session.flush()
    return survey


def set_status(session: Session, survey: Survey, status: str) -> None:
    """Open (publish), close or reopen a survey; a survey without questions cannot open."""
    if status not in ("open", "closed"):
        raise SurveyError("bad_status")
    if status == "open" and not survey.questions:
        raise SurveyError("no_questions")
    was = survey.status
    survey.status = status
    session.flush()
    if status == "open" and was != "open":
        survey_opened.send(session, survey_id=survey.id)


def response_count(session: Session, survey_id: int) -> int:
    """Submitted responses of a survey."""
    return session.scalar(sa.select(sa.func.count()).where(SurveyResponse.survey_id == survey_id)) or 0


def has_responses(session: Session, survey_id: int) -> bool:
    """True once anyone has submitted (structure is then frozen: edits make a new version)."""
    return session.scalar(sa.select(SurveyResponse.id).where(SurveyResponse.survey_id == survey_id).limit(1)) is not None


def has_submitted(session: Session, survey: Survey, person_id: int) -> bool:
    """Whether the person has submitted (via the participation row for anonymous surveys)."""
    if survey.anonymous:
        row = sa.select(SurveyParticipation.person_id).where(
            SurveyParticipation.survey_id == survey.id, SurveyParticipation.person_id == person_id)
    else:
        row = sa.select(SurveyResponse.id).where(SurveyResponse.survey_id == survey.id,
                                                 SurveyResponse.person_id == person_id)
    return session.scalar(row) is not None


@dataclass(frozen=True)
class TeacherItem:
    """A survey in a teacher's list: can they answer, have they submitted, is a draft waiting."""

    survey: Survey
    accepting: bool
    submitted: bool
    has_draft: bool


def surveys_for_person(session: Session, network_id: int, person_id: int, extra_roles=()) -> list[TeacherItem]:
    """Open surveys of the person's audience to answer and the ones she submitted, newest first.

    `extra_roles`: the roles of her launch (added to what is stored about her).
    """
    surveys = session.scalars(sa.select(Survey).where(Survey.network_id == network_id, Survey.status != "draft")
                              .order_by(Survey.created_at.desc(), Survey.id.desc())).all()
    named = set(session.scalars(sa.select(SurveyResponse.survey_id).where(SurveyResponse.person_id == person_id)))
    anonymous = set(session.scalars(sa.select(SurveyParticipation.survey_id)
                                    .where(SurveyParticipation.person_id == person_id)))
    drafts = set(session.scalars(sa.select(SurveyDraft.survey_id).where(SurveyDraft.person_id == person_id)))
    asked = {s.id for s in visible_to(session, network_id, person_id, [s for s in surveys if is_accepting(s)],
                                      extra_roles)}
    items = []
    for survey in surveys:
        submitted = survey.id in (anonymous if survey.anonymous else named)
        accepting = is_accepting(survey)
        if submitted or (accepting and survey.id in asked):
            items.append(TeacherItem(survey, accepting, submitted, survey.id in drafts))
    return items


def surveys_for_staff(session: Session, network_id: int) -> list[tuple[Survey, int]]:
    """Every survey of the network with its response count."""
    counts = (sa.select(SurveyResponse.survey_id, sa.func.count().label("n"))
              .group_by(SurveyResponse.survey_id).subquery())
    rows = session.execute(
        sa.select(Survey, sa.func.coalesce(counts.c.n, 0)).outerjoin(counts, counts.c.survey_id == Survey.id)
        .where(Survey.network_id == network_id).order_by(Survey.created_at.desc(), Survey.id.desc())
        .options(selectinload(Survey.audience_organizations), selectinload(Survey.audience_clusters)))
    return [(s, n) for s, n in rows]


def active_topics(session: Session, network_id: int) -> list[Topic]:
    """The network's topics that a topic matrix lists (not retired), by name."""
    return list(session.scalars(sa.select(Topic).where(Topic.network_id == network_id, Topic.retired_at.is_(None))
                                .order_by(Topic.name)))
