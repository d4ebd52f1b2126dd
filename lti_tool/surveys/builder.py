"""The survey builder: sections and questions, reordering, duplicating, and versions.

Once a survey has responses its structure is frozen: wording edits (titles, question text, help,
scale labels, option texts) apply in place, while any structural change (add, delete, reorder,
duplicate, a question's type, requiredness, range, options list, topic tag) is applied to a new
draft version — a copy with `version + 1` and `parent_id` pointing at the answered survey.
Every function returns the survey it changed, so the view can redirect to the new version.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .models import CHOICE_TYPES, QUESTION_TYPES, Survey, SurveyOption, SurveyQuestion, SurveySection
from .services import SurveyError, has_responses

WORDING_FIELDS = ("text", "help_text", "scale_min_label", "scale_max_label")
STRUCTURE_FIELDS = ("type", "required", "min_value", "max_value", "allow_other", "topic_id")


@dataclass
class QuestionData:
    """What the builder form sends for a question."""

    type: str
    text: str
    help_text: str | None = None
    required: bool = False
    min_value: float | None = None
    max_value: float | None = None
    scale_min_label: str | None = None
    scale_max_label: str | None = None
    allow_other: bool = False
    topic_id: int | None = None
    options: list[str] = field(default_factory=list)

    def check(self) -> None:
        """Refuse inconsistent questions (codes are translated by the view)."""
        if self.type not in QUESTION_TYPES:
            raise SurveyError("bad_type")
        if not self.text.strip():
            raise SurveyError("empty_text")
        if self.type in CHOICE_TYPES and not self.options:
            raise SurveyError("no_options")
        if None not in (self.min_value, self.max_value) and self.min_value > self.max_value:
            raise SurveyError("bad_range")


def copy_survey(session: Session, survey: Survey, *, new_version: bool, title: str | None = None) -> tuple[Survey, dict]:
    """A draft copy (a new version of `survey`, or an independent survey); returns (copy, {old id: new row})."""
    family_top = survey.version
    if new_version:
        family_top = session.scalar(sa.select(sa.func.max(Survey.version)).where(
            sa.or_(Survey.id == survey.id, Survey.parent_id == survey.id))) or survey.version
    copy = Survey(network_id=survey.network_id, year_id=survey.year_id, title=title or survey.title,
                  description=survey.description, kind=survey.kind, anonymous=survey.anonymous,
                  allow_edit_until_close=survey.allow_edit_until_close, opens_at=survey.opens_at,
                  closes_at=survey.closes_at, status="draft",
                  version=family_top + 1 if new_version else 1, parent_id=survey.id if new_version else None,
                  audience_roles=list(survey.audience_roles or ()))
    copy.audience_organizations = list(survey.audience_organizations)
    copy.audience_clusters = list(survey.audience_clusters)
    session.add(copy)
    session.flush()
    mapping: dict = {}
    for section in survey.sections:
        new_section = SurveySection(title=section.title, description=section.description, position=section.position)
        copy.sections.append(new_section)
        mapping[("section", section.id)] = new_section
        for question in section.questions:
            new_question = _copy_question(question, position=question.position)
            new_question.survey_id = copy.id
            new_section.questions.append(new_question)
            mapping[("question", question.id)] = new_question
    session.flush()
    return copy, mapping


def _copy_question(question: SurveyQuestion, position: int) -> SurveyQuestion:
    values = {name: getattr(question, name) for name in WORDING_FIELDS + STRUCTURE_FIELDS + ("code",)}
    new = SurveyQuestion(position=position, **values)
    new.options = [SurveyOption(text=o.text, value=o.value, topic_id=o.topic_id, need_weight=o.need_weight,
                                position=o.position) for o in question.options]
    return new


def _target(session: Session, survey: Survey, kind: str, item_id: int | None):
    """(survey to change, the item in it): the survey itself, or a new version once answered."""
    item = session.get(SurveySection if kind == "section" else SurveyQuestion, item_id) if item_id else None
    if item_id and (item is None or item.survey_id != survey.id):
        raise SurveyError("not_found")
    if not has_responses(session, survey.id):
        return survey, item
    copy, mapping = copy_survey(session, survey, new_version=True)
    return copy, (mapping[(kind, item_id)] if item_id else None)


def update_settings(session: Session, survey: Survey, *, title: str, description: str | None, kind: str,
                    anonymous: bool, allow_edit_until_close: bool, opens_at, closes_at, year_id: int | None) -> Survey:
    """Title, dates and options; changing kind or anonymity of an answered survey makes a new version."""
    if not title:
        raise SurveyError("empty_text")
    if opens_at and closes_at and opens_at >= closes_at:
        raise SurveyError("bad_range")
    if (kind, anonymous) != (survey.kind, survey.anonymous) and has_responses(session, survey.id):
        survey, _ = copy_survey(session, survey, new_version=True)
    survey.title, survey.description, survey.kind, survey.anonymous = title, description, kind, anonymous
    # Editing until the close needs to find the person's response: impossible when anonymous.
    survey.allow_edit_until_close = allow_edit_until_close and not anonymous
    survey.opens_at, survey.closes_at, survey.year_id = opens_at, closes_at, year_id
    return _done(session, survey)


def add_section(session: Session, survey: Survey, title: str, description: str | None = None) -> Survey:
    """Append a section."""
    survey, _ = _target(session, survey, "section", None)
    survey.sections.append(SurveySection(title=title.strip(), description=description, position=len(survey.sections)))
    return _done(session, survey)


def edit_section(session: Session, survey: Survey, section_id: int, title: str, description: str | None) -> Survey:
    """Reword a section (always in place)."""
    section = session.get(SurveySection, section_id)
    if section is None or section.survey_id != survey.id:
        raise SurveyError("not_found")
    section.title, section.description = title.strip(), description
    return _done(session, survey)


def add_question(session: Session, survey: Survey, section_id: int, data: QuestionData) -> Survey:
    """Append a question to a section."""
    data.check()
    survey, section = _target(session, survey, "section", section_id)
    question = SurveyQuestion(survey_id=survey.id, position=len(section.questions))
    _apply(question, data, structure=True)
    section.questions.append(question)
    return _done(session, survey)


def edit_question(session: Session, survey: Survey, question_id: int, data: QuestionData) -> Survey:
    """Edit a question: wording in place; a structural change goes to a new version if answered."""
    data.check()
    question = session.get(SurveyQuestion, question_id)
    if question is None or question.survey_id != survey.id:
        raise SurveyError("not_found")
    if _is_structural(question, data):
        survey, question = _target(session, survey, "question", question_id)
        _apply(question, data, structure=True)
    else:
        _apply(question, data, structure=False)
    return _done(session, survey)


def _is_structural(question: SurveyQuestion, data: QuestionData) -> bool:
    if any(getattr(question, name) != getattr(data, name) for name in STRUCTURE_FIELDS):
        return True
    return question.type in CHOICE_TYPES and len(question.options) != len(data.options)


def _apply(question: SurveyQuestion, data: QuestionData, structure: bool) -> None:
    for name in WORDING_FIELDS:
        value = getattr(data, name)
        setattr(question, name, value.strip() if isinstance(value, str) else value)
    if structure:
        for name in STRUCTURE_FIELDS:
            setattr(question, name, getattr(data, name))
    options = data.options if question.type in CHOICE_TYPES else []
    # Same count: reword in place, keeping codes and topic tags; otherwise rebuild the list.
    if len(options) == len(question.options):
        for option, text in zip(question.options, options, strict=True):
            option.text = text
    else:
        question.options = [SurveyOption(text=text, position=i) for i, text in enumerate(options)]


def move(session: Session, survey: Survey, kind: str, item_id: int, delta: int) -> Survey:
    """Move a section or question up (-1) or down (+1) among its siblings."""
    survey, item = _target(session, survey, kind, item_id)
    siblings = survey.sections if kind == "section" else item.section.questions
    index = siblings.index(item)
    new_index = max(0, min(len(siblings) - 1, index + delta))
    siblings.insert(new_index, siblings.pop(index))
    _renumber(siblings)
    return _done(session, survey)


def duplicate(session: Session, survey: Survey, kind: str, item_id: int) -> Survey:
    """Insert a copy of a section (with its questions) or a question right after it."""
    survey, item = _target(session, survey, kind, item_id)
    if kind == "section":
        copy = SurveySection(title=item.title, description=item.description)
        copy.questions = [_copy_question(q, q.position) for q in item.questions]
        for question in copy.questions:
            question.survey_id, question.code = survey.id, None
        siblings = survey.sections
    else:
        copy = _copy_question(item, 0)
        copy.survey_id, copy.code = survey.id, None
        siblings = item.section.questions
    siblings.insert(siblings.index(item) + 1, copy)
    _renumber(siblings)
    return _done(session, survey)


def delete(session: Session, survey: Survey, kind: str, item_id: int) -> Survey:
    """Remove a section (with its questions) or a question; a survey keeps at least one section."""
    survey, item = _target(session, survey, kind, item_id)
    if kind == "section":
        if len(survey.sections) == 1:
            raise SurveyError("last_section")
        survey.sections.remove(item)
        _renumber(survey.sections)
    else:
        section = item.section
        section.questions.remove(item)
        _renumber(section.questions)
    return _done(session, survey)


def _done(session: Session, survey: Survey) -> Survey:
    """Flush, and refresh the survey's read-only list of questions."""
    session.flush()
    session.expire(survey, ["questions"])
    return survey


def _renumber(rows) -> None:
    for position, row in enumerate(rows):
        row.position = position
