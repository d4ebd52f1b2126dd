"""A person's own surveys: what she answered this year, her answers, and her competence dynamics.

For her "my year" page (lti_tool/pathways). Anonymous surveys are listed as answered, with no
answers: nothing in the database says which response is hers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from statistics import fmean

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..core.reference import Topic
from .answering import ordered_questions
from .dynamics import Change, ratings
from .models import TEXT_TYPES, Survey, SurveyAnswer, SurveyOption, SurveyParticipation, SurveyResponse


@dataclass(frozen=True)
class Answered:
    """A survey she submitted: when (None for anonymous ones, whose time is not kept per person)."""

    survey: Survey
    submitted_at: datetime | None


def answered_surveys(session: Session, network_id: int, person_id: int, year_id: int | None) -> list[Answered]:
    """The surveys of the year (or without a year) she has submitted, named and anonymous; two queries."""
    in_year = sa.or_(Survey.year_id == year_id, Survey.year_id.is_(None)) if year_id else sa.true()
    named = session.execute(
        sa.select(Survey, SurveyResponse.submitted_at).join(SurveyResponse, SurveyResponse.survey_id == Survey.id)
        .where(Survey.network_id == network_id, SurveyResponse.person_id == person_id, in_year)).all()
    anonymous = session.scalars(
        sa.select(Survey).join(SurveyParticipation, SurveyParticipation.survey_id == Survey.id)
        .where(Survey.network_id == network_id, SurveyParticipation.person_id == person_id, in_year)).all()
    items = [Answered(s, at) for s, at in named] + [Answered(s, None) for s in anonymous]
    return sorted(items, key=lambda a: (a.survey.created_at, a.survey.id))


@dataclass
class MyAnswer:
    """A question and her answer in words."""

    question: str
    answer: str
    section: str = ""


def my_answers(session: Session, survey: Survey, person_id: int) -> list[MyAnswer] | None:
    """Her answers to a named survey in page order (None if she has not answered or it is anonymous)."""
    if survey.anonymous:
        return None
    response_id = session.scalar(sa.select(SurveyResponse.id).where(SurveyResponse.survey_id == survey.id,
                                                                    SurveyResponse.person_id == person_id))
    if response_id is None:
        return None
    rows = session.execute(
        sa.select(SurveyAnswer.question_id, SurveyOption.text, SurveyAnswer.topic_id, SurveyAnswer.rating,
                  SurveyAnswer.number, SurveyAnswer.text)
        .outerjoin(SurveyOption, SurveyOption.id == SurveyAnswer.option_id)
        .where(SurveyAnswer.response_id == response_id).order_by(SurveyAnswer.id)).all()
    topics = dict(session.execute(sa.select(Topic.id, Topic.name).where(Topic.network_id == survey.network_id)).all())
    by_question: dict[int, list[str]] = {}
    for question_id, option, topic_id, rating, number, text in rows:
        if topic_id is not None:
            value = f"{topics.get(topic_id, '?')}: {rating}"
        elif option is not None:
            value = option
        elif rating is not None:
            value = str(rating)
        elif number is not None:
            value = f"{number:g}"
        else:
            value = text or ""
        by_question.setdefault(question_id, []).append(value)
    result = []
    for question in ordered_questions(survey):
        if question.id in by_question:
            joiner = "\n" if question.type in TEXT_TYPES or question.type == "topic_matrix" else "; "
            result.append(MyAnswer(question.text, joiner.join(by_question[question.id]), question.section.title))
    return result


@dataclass
class MyDynamics:
    """Her ratings at the start and at the end of the year: per competence and per topic."""

    start: Survey
    end: Survey
    items: list[Change] = field(default_factory=list)  # n = 1: her own ratings

    @property
    def mean_change(self) -> float | None:
        return fmean(c.change for c in self.items) if self.items else None


def my_dynamics(session: Session, network_id: int, person_id: int, year_id: int | None) -> MyDynamics | None:
    """Her first and last named self-assessment of the year compared item by item (None without two)."""
    in_year = Survey.year_id == year_id if year_id else sa.true()
    runs = list(session.scalars(
        sa.select(Survey).join(SurveyResponse, SurveyResponse.survey_id == Survey.id)
        .where(Survey.network_id == network_id, Survey.kind == "self_assessment", Survey.anonymous.is_(False),
               SurveyResponse.person_id == person_id, in_year)
        .order_by(Survey.created_at, Survey.id)))
    if len(runs) < 2:
        return None
    start, end = runs[0], runs[-1]
    before = ratings(session, start, person_id).get(person_id, {})
    after = ratings(session, end, person_id).get(person_id, {})
    topics = dict(session.execute(sa.select(Topic.id, Topic.name).where(Topic.network_id == network_id)).all())
    items = []
    for key in before.keys() & after.keys():
        label, topic_id, first = before[key]
        items.append((key[0] != "q", Change(label if key[0] == "q" else topics.get(topic_id, "?"), 1, first,
                                            after[key][2])))
    # Competences first, then topics, each by name.
    return MyDynamics(start, end, [c for _, c in sorted(items, key=lambda item: (item[0], item[1].label))])
