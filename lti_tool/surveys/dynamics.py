"""Competence dynamics (мониторинг): two runs of a self-assessment compared person by person.

Items are paired across the runs by their stable key: a Likert question by its `code` (its text
when it has none), a topic-matrix cell by its topic. A person counts as a paired respondent when
they submitted both runs; only items answered in both runs enter the change. Anonymous runs
cannot be paired — there is nothing tying a response to a person — and the result says so.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from statistics import fmean

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..core.reference import Person, Topic
from .models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse


@dataclass
class Change:
    """Mean ratings at start and end over paired items, the mean change, and how many people."""

    label: str
    n: int
    start: float
    end: float

    @property
    def change(self) -> float:
        return self.end - self.start


@dataclass
class Dynamics:
    start: Survey
    end: Survey
    pairable: bool = True
    paired: int = 0
    start_only: int = 0
    end_only: int = 0
    by_topic: list[Change] = field(default_factory=list)
    by_question: list[Change] = field(default_factory=list)
    by_teacher: list[Change] = field(default_factory=list)


def ratings(session: Session, survey: Survey,
            person_id: int | None = None) -> dict[int, dict[tuple, tuple[str, int | None, int]]]:
    """{person_id: {item key: (question label, topic id, rating)}} of a named survey (of one person)."""
    a, q, r = SurveyAnswer, SurveyQuestion, SurveyResponse
    query = (sa.select(r.person_id, q.type, q.code, q.text, q.topic_id, a.topic_id, a.rating)
             .join(r, r.id == a.response_id).join(q, q.id == a.question_id)
             .where(r.survey_id == survey.id, r.person_id.is_not(None), a.rating.is_not(None),
                    q.type.in_(("likert", "topic_matrix"))))
    if person_id is not None:
        query = query.where(r.person_id == person_id)
    rows = session.execute(query)
    result: dict[int, dict] = defaultdict(dict)
    for person_id, qtype, code, text, q_topic, cell_topic, rating in rows:
        if qtype == "topic_matrix":
            result[person_id][("t", cell_topic)] = (None, cell_topic, rating)
        else:
            result[person_id][("q", code or text)] = (text, q_topic, rating)
    return result


def compare(session: Session, start: Survey, end: Survey) -> Dynamics:
    """Per-topic, per-question and per-teacher change between two runs of a self-assessment."""
    result = Dynamics(start, end)
    if start.anonymous or end.anonymous:
        result.pairable = False
        return result
    before, after = ratings(session, start), ratings(session, end)
    people = set(before) & set(after)
    result.paired = len(people)
    result.start_only, result.end_only = len(set(before) - people), len(set(after) - people)
    by_topic: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    by_question: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    by_teacher: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for person in people:
        for key in before[person].keys() & after[person].keys():
            label, topic_id, first = before[person][key]
            last = after[person][key][2]
            by_teacher[person].append((first, last))
            if topic_id is not None:
                by_topic[topic_id].append((person, first, last))
            if key[0] == "q":
                by_question[label].append((person, first, last))
    topics = dict(session.execute(sa.select(Topic.id, Topic.name).where(Topic.id.in_(list(by_topic)))).all())
    names = dict(session.execute(sa.select(Person.id, Person.full_name).where(Person.id.in_(list(by_teacher)))).all())
    result.by_topic = sorted((_change(topics.get(t, "?"), rows) for t, rows in by_topic.items()),
                             key=lambda c: (-c.change, c.label))
    result.by_question = [_change(label, rows) for label, rows in by_question.items()]
    result.by_teacher = sorted(
        (Change(names.get(p, "?"), 1, fmean(f for f, _ in pairs), fmean(last for _, last in pairs))
         for p, pairs in by_teacher.items()), key=lambda c: (c.change, c.label))
    return result


def _change(label: str, rows: list[tuple[int, int, int]]) -> Change:
    """Means over paired (person, start, end) ratings; n = distinct people."""
    return Change(label, len({p for p, _, _ in rows}), fmean(f for _, f, _ in rows), fmean(e for _, _, e in rows))


def runs(session: Session, network_id: int) -> list[Survey]:
    """Self-assessment surveys of the network that can be compared (newest first)."""
    return list(session.scalars(sa.select(Survey).where(Survey.network_id == network_id,
                                                        Survey.kind == "self_assessment", Survey.status != "draft")
                                .order_by(Survey.created_at.desc(), Survey.id.desc())))


def default_pair(compared: list[Survey]) -> tuple[int | None, int | None]:
    """The runs a methodist most likely compares: the two newest named runs (start = the older).

    `compared` is newest first, as `runs` returns it. Anonymous runs cannot be paired, so they are
    chosen only when there is nothing else; with one run both ends are it and nothing is compared.
    """
    named = [s for s in compared if not s.anonymous] or compared
    if not named:
        return None, None
    if len(named) == 1:
        return named[0].id, named[0].id
    return named[1].id, named[0].id
