"""Answering: form values, validation, server-side drafts, and the one-response-per-person submit.

Form field names: `q<id>` (the value(s) of a question), `q<id>_other` (the "other" text),
`q<id>_t<topic id>` (a topic-matrix cell). A draft stores these raw values as JSON, so even an
invalid entry ("abc" in a number field) comes back exactly as typed.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime, time

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..core.clock import utcnow
from ..core.reference import Person
from ..resource_map.models import cluster_organization, cluster_person
from . import offers, tally
from .audience import includes
from .models import (
    CHOICE_TYPES,
    SCALE_MAX,
    SCALE_MIN,
    TEXT_TYPES,
    Survey,
    SurveyAnswer,
    SurveyDraft,
    SurveyParticipation,
    SurveyQuestion,
    SurveyResponse,
)
from .services import SurveyError, is_accepting

OTHER = "other"
MAX_TEXT = {"short_text": 500, "long_text": 10000}


class ValidationFailed(SurveyError):
    """Some answers are invalid: `errors` maps question id → (code, params)."""

    def __init__(self, errors: dict[int, tuple[str, dict]]):
        super().__init__("invalid")
        self.errors = errors


def ordered_questions(survey: Survey) -> list[SurveyQuestion]:
    """Questions in page order (section, then question position)."""
    return [q for section in survey.sections for q in section.questions]


def form_values(form) -> dict[str, list[str]]:
    """The survey fields of a submitted form (a werkzeug MultiDict) as {name: [values]}."""
    return {key: [v for v in form.getlist(key)] for key in form if key.startswith("q")}


def _one(values: dict, key: str) -> str:
    found = values.get(key) or [""]
    return (found[0] or "").strip()


def validate(survey: Survey, values: dict[str, list[str]], topic_ids: list[int]):
    """(answer rows as dicts, {question id: (error code, params)}) for the submitted values."""
    answers: list[dict] = []
    errors: dict[int, tuple[str, dict]] = {}
    for question in ordered_questions(survey):
        rows, error = _validate_question(question, values, topic_ids)
        if error:
            errors[question.id] = error
        answers.extend(dict(row, question_id=question.id) for row in rows)
    return answers, errors


def _validate_question(q: SurveyQuestion, values: dict, topic_ids: list[int]):
    key = f"q{q.id}"
    if q.type in CHOICE_TYPES:
        return _validate_choice(q, values)
    if q.type == "topic_matrix":
        cells = {t: _one(values, f"{key}_t{t}") for t in topic_ids}
        filled = {t: v for t, v in cells.items() if v}
        if any(v not in _SCALE for v in filled.values()):
            return [], ("bad_choice", {})
        if cells and ((filled and len(filled) < len(cells)) or (q.required and not filled)):
            return [], ("matrix_incomplete", {"missing": len(cells) - len(filled)})
        return [{"topic_id": t, "rating": int(v)} for t, v in filled.items()], None
    raw = _one(values, key)
    if not raw:
        return [], (("required", {}) if q.required else None)
    if q.type == "likert":
        return ([{"rating": int(raw)}], None) if raw in _SCALE else ([], ("bad_choice", {}))
    if q.type == "number":
        try:
            number = float(raw.replace(",", ".").replace(" ", ""))
        except ValueError:
            return [], ("not_a_number", {})
        if number != number or (q.min_value is not None and number < q.min_value) or (
                q.max_value is not None and number > q.max_value):
            return [], ("out_of_range", {"min": _fmt(q.min_value), "max": _fmt(q.max_value)})
        return [{"number": number}], None
    if len(raw) > MAX_TEXT.get(q.type, 500):
        return [], ("too_long", {"max": MAX_TEXT.get(q.type, 500)})
    return [{"text": raw}], None


_SCALE = {str(i) for i in range(SCALE_MIN, SCALE_MAX + 1)}


def _fmt(value: float | None) -> str:
    return "—" if value is None else (str(int(value)) if value == int(value) else str(value))


def _validate_choice(q: SurveyQuestion, values: dict):
    key = f"q{q.id}"
    chosen = [v for v in (values.get(key) or []) if v]
    if q.type == "single" and len(chosen) > 1:
        return [], ("bad_choice", {})
    if not chosen:
        return [], (("required", {}) if q.required else None)
    option_ids = {str(o.id): o.id for o in q.options}
    rows = []
    for value in dict.fromkeys(chosen):
        if value == OTHER and q.allow_other:
            other = _one(values, f"{key}_other")
            if not other:
                return [], ("other_required", {})
            rows.append({"text": other[:500]})
        elif value in option_ids:
            rows.append({"option_id": option_ids[value]})
        else:
            return [], ("bad_choice", {})
    return rows, None


def save_draft(session: Session, survey: Survey, person_id: int, values: dict[str, list[str]]) -> SurveyDraft:
    """Create or replace the person's draft (called on every save and on a failed submit)."""
    if not is_accepting(survey):
        raise SurveyError("closed")
    draft = session.scalar(sa.select(SurveyDraft).where(SurveyDraft.survey_id == survey.id,
                                                        SurveyDraft.person_id == person_id))
    if draft is None:
        draft = SurveyDraft(survey_id=survey.id, person_id=person_id)
        session.add(draft)
    draft.values = values
    draft.updated_at = utcnow()
    session.flush()
    return draft


def load_values(session: Session, survey: Survey, person_id: int) -> dict[str, list[str]]:
    """The values to show: the draft, else the named response being edited, else nothing."""
    draft = session.scalar(sa.select(SurveyDraft.values).where(SurveyDraft.survey_id == survey.id,
                                                               SurveyDraft.person_id == person_id))
    if draft is not None:
        return draft
    if survey.anonymous:
        return {}
    response = session.scalar(sa.select(SurveyResponse).where(SurveyResponse.survey_id == survey.id,
                                                              SurveyResponse.person_id == person_id))
    types = {q.id: q.type for q in ordered_questions(survey)}
    return _values_of(response, types) if response else {}


def _values_of(response: SurveyResponse, types: dict[int, str]) -> dict[str, list[str]]:
    """Form values that reproduce a submitted response (for editing until the close)."""
    values: dict[str, list[str]] = {}
    for a in response.answers:
        key = f"q{a.question_id}"
        if a.topic_id is not None:
            values[f"{key}_t{a.topic_id}"] = [str(a.rating)]
        elif a.option_id is not None:
            values.setdefault(key, []).append(str(a.option_id))
        elif a.rating is not None:
            values[key] = [str(a.rating)]
        elif a.number is not None:
            values[key] = [_fmt(a.number)]
        elif types.get(a.question_id) in TEXT_TYPES:
            values[key] = [a.text or ""]
        else:  # the "other, please specify" text of a choice question
            values.setdefault(key, []).append(OTHER)
            values[f"{key}_other"] = [a.text or ""]
    return values


def submit(session: Session, survey: Survey, person: Person, values: dict[str, list[str]],
           topic_ids: list[int], role: str = "teacher", launch_roles=()) -> SurveyResponse:
    """Validate and record the person's response; at most one per person, even under races.

    `launch_roles`: the tool roles of her launch, added to what is stored about her for the
    audience check. Raises ValidationFailed (the draft is saved first), or
    SurveyError("closed" | "not_in_audience" | "already_submitted").
    """
    if not is_accepting(survey):
        raise SurveyError("closed")
    if not includes(session, survey, person.id, launch_roles):
        raise SurveyError("not_in_audience")
    answers, errors = validate(survey, values, topic_ids)
    if errors:
        save_draft(session, survey, person.id, values)
        raise ValidationFailed(errors)
    types = {q.id: q.type for q in ordered_questions(survey)}
    delta: Counter = Counter()  # the report's tally: old buckets out (an edit), new ones in
    if survey.anonymous:
        response = _record_anonymous(session, survey, person)
    else:
        response = _record_named(session, survey, person, role, types, delta)
    if answers:
        session.execute(sa.insert(SurveyAnswer), [dict(a, response_id=response.id) for a in answers])
    delta.update(tally.buckets(types, tally.group_of(response), answers))
    tally.apply(session, survey.id, delta)
    offers.record(session, survey, response, answers)  # a resources survey proposes map entries
    session.execute(sa.delete(SurveyDraft).where(SurveyDraft.survey_id == survey.id,
                                                 SurveyDraft.person_id == person.id))
    session.flush()
    session.expire(response, ["answers"])
    return response


def _insert_once(session: Session, table, values: dict) -> bool:
    """INSERT … ON CONFLICT DO NOTHING: True if this call inserted the row (an atomic claim)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    key = list(table.primary_key.columns)[0]
    inserted = session.execute(dialect.insert(table).values(**values).on_conflict_do_nothing().returning(key))
    return inserted.first() is not None


def _record_anonymous(session: Session, survey: Survey, person: Person) -> SurveyResponse:
    if not _insert_once(session, SurveyParticipation.__table__, {"survey_id": survey.id, "person_id": person.id}):
        raise SurveyError("already_submitted")
    # The day only: an exact time could be matched against access logs.
    day = datetime.combine(utcnow().date(), time.min, tzinfo=utcnow().tzinfo)
    response = SurveyResponse(survey_id=survey.id, person_id=None, submitted_at=day,
                              organization_id=person.organization_id)
    session.add(response)
    session.flush()
    return response


def _record_named(session: Session, survey: Survey, person: Person, role: str, types: dict[int, str],
                  delta: Counter) -> SurveyResponse:
    snapshot = {"organization_id": person.organization_id, "cluster_id": _cluster_of(session, person),
                "role": "tutor" if person.is_tutor else role}
    inserted = _insert_once(session, SurveyResponse.__table__, dict(
        survey_id=survey.id, person_id=person.id, status="submitted", submitted_at=utcnow(), **snapshot))
    response = session.scalar(sa.select(SurveyResponse).where(SurveyResponse.survey_id == survey.id,
                                                              SurveyResponse.person_id == person.id))
    if not inserted:
        if not survey.allow_edit_until_close:
            raise SurveyError("already_submitted")
        delta.subtract(tally.buckets(types, tally.group_of(response), tally.answers_of(session, response.id)))
        session.execute(sa.delete(SurveyAnswer).where(SurveyAnswer.response_id == response.id))
        response.submitted_at = utcnow()
        for key, value in snapshot.items():
            setattr(response, key, value)
    return response


def _cluster_of(session: Session, person: Person) -> int | None:
    """The person's methodological cluster: their own, else their organization's (first by id),
    in one query."""
    own = (sa.select(sa.func.min(cluster_person.c.cluster_id))
           .where(cluster_person.c.person_id == person.id).scalar_subquery())
    by_organization = (sa.select(sa.func.min(cluster_organization.c.cluster_id))
                       .where(cluster_organization.c.organization_id == (person.organization_id or 0))
                       .scalar_subquery())
    return session.scalar(sa.select(sa.func.coalesce(own, by_organization)))
