"""Candidates for the "Tutor" status found in the surveys: who said they are ready to share experience.

The status is awarded by a commission (lti_tool/commission, §3.3 of the tutor-centre
recommendations), and candidates come from tutees. A candidate here is an active person, not a
tutor yet, whose latest named response to a survey with the question coded `ready_to_tutor`
(the resources survey, and the needs assessment) chose "yes" or "later" — the evidence is that
answer and her answers about experience, education and work with colleagues in the same response.
A plain service: the commission's pages build on it.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..core.reference import Organization, Person
from .models import Survey, SurveyAnswer, SurveyOption, SurveyQuestion, SurveyResponse

READY_VALUES = {"yes": "yes", "later": "later"}
# Surveys made before the options carried values: their wording (templates_ru.READY_TO_TUTOR).
READY_TEXTS = {"да": "yes", "возможно, в будущем": "later"}
EVIDENCE_CODES = ("position", "experience", "category", "education", "tutor_training", "public_experience",
                  "achievements")


@dataclass
class Candidate:
    """A person who said she is ready (or will be) to share experience as a tutor."""

    person_id: int
    name: str
    organization: str
    readiness: str  # "yes" | "later"
    answer: str  # the option's wording, as she saw it
    survey_id: int
    survey_title: str
    response_id: int
    submitted_at: datetime
    evidence: list[tuple[str, str]] = field(default_factory=list)  # (question, answer)

    @property
    def statement(self) -> str:
        """The evidence as plain text (the grounds of a nomination): survey, date, answers."""
        lines = [f"{self.survey_title}, {self.submitted_at:%d.%m.%Y}: {self.answer}"]
        return "\n".join(lines + [f"{question} — {answer}" for question, answer in self.evidence])


def tutor_candidates(session: Session, network_id: int, year_id: int | None = None, *, limit: int | None = None,
                     offset: int = 0) -> tuple[int, list[Candidate]]:
    """(how many candidates, the candidates by name from `offset`, at most `limit`, with evidence).

    Only surveys of `year_id` when given. Three queries whatever the number of people.
    """
    query = (sa.select(SurveyResponse.id, SurveyResponse.person_id, SurveyResponse.submitted_at, Survey.id,
                       Survey.title, SurveyOption.value, SurveyOption.text, Person.full_name, Organization.name)
             .join(Survey, Survey.id == SurveyResponse.survey_id)
             .join(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
             .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
             .join(SurveyOption, SurveyOption.id == SurveyAnswer.option_id)
             .join(Person, Person.id == SurveyResponse.person_id)
             .outerjoin(Organization, Organization.id == Person.organization_id)
             .where(Survey.network_id == network_id, Survey.anonymous.is_(False),
                    SurveyQuestion.code == "ready_to_tutor", Person.is_tutor.is_(False), Person.retired_at.is_(None))
             .order_by(SurveyResponse.submitted_at.desc(), SurveyResponse.id.desc()))
    if year_id is not None:
        query = query.where(Survey.year_id == year_id)
    latest: dict[int, Candidate] = {}
    for response_id, person_id, submitted_at, survey_id, title, value, text, name, org in session.execute(query):
        if person_id in latest:
            continue  # an older answer: the latest one says where she stands now
        readiness = READY_VALUES.get(value or "") or READY_TEXTS.get((text or "").strip().casefold())
        latest[person_id] = Candidate(person_id, name, org or "", readiness or "", text, survey_id, title,
                                      response_id, submitted_at)
    found = sorted((c for c in latest.values() if c.readiness), key=lambda c: (c.readiness != "yes", c.name, c.person_id))
    page = found[offset:offset + limit if limit is not None else None]
    _evidence(session, page)
    return len(found), page


def _evidence(session: Session, candidates: list[Candidate]) -> None:
    """Fill each candidate's answers about herself from the same response (one query)."""
    if not candidates:
        return
    by_response = {c.response_id: c for c in candidates}
    rows = session.execute(
        sa.select(SurveyAnswer.response_id, SurveyQuestion.code, SurveyQuestion.text, SurveyOption.text,
                  SurveyAnswer.number, SurveyAnswer.text)
        .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
        .outerjoin(SurveyOption, SurveyOption.id == SurveyAnswer.option_id)
        .where(SurveyAnswer.response_id.in_(list(by_response)), SurveyQuestion.code.in_(EVIDENCE_CODES))
        .order_by(SurveyAnswer.response_id, SurveyQuestion.position, SurveyAnswer.id))
    found: dict[int, dict[str, tuple[str, list[str]]]] = defaultdict(dict)
    for response_id, code, question, option, number, text in rows:
        value = option or (f"{number:g}" if number is not None else text)
        if value:
            found[response_id].setdefault(code, (question, []))[1].append(value)
    for response_id, candidate in by_response.items():
        answers = found.get(response_id, {})
        candidate.evidence = [(answers[code][0], "; ".join(answers[code][1])) for code in EVIDENCE_CODES
                              if code in answers]
