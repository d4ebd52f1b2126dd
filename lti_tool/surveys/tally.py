"""The report's running counts (`SurveyTally`): one row per (filter group, question, bucket).

`submit` adds a response's buckets in its own transaction (an edit subtracts the old ones in the
same statement), so the analytical report reads a few thousand tally rows instead of every answer
of 10,000 responses. `rebuild` recomputes a survey's tally from its answers (bulk imports, repair;
the migration 0010 runs the same statements). Buckets, by question type, exactly what the report
counts:

| type | item | key |
|---|---|---|
| single, multiple | "o" per chosen option, "x" per "other" text | option_id |
| multiple | "p" once per respondent (a share's denominator) | — |
| likert, topic_matrix | "r" per rating | topic_id (matrix), value = rating |
| number | "n" per number | value = number |
| short_text, long_text | "t" per answer | — |

Concurrency: increments are one `INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n` over the
keys in sorted order, so two submissions never wait on each other's rows in opposite orders
(no deadlock on PostgreSQL); SQLite serialises writers anyway.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .models import CHOICE_TYPES, SCALE_TYPES, TEXT_TYPES, Survey, SurveyAnswer, SurveyResponse, SurveyTally

KEY = ("question_id", "organization_id", "cluster_id", "role", "item", "option_id", "topic_id", "value")


def group_of(response: SurveyResponse | dict) -> tuple[int, int, str]:
    """The filter group of a response snapshot: (organization, cluster, role), 0 / "" for none."""
    get = response.get if isinstance(response, dict) else lambda k: getattr(response, k)
    return get("organization_id") or 0, get("cluster_id") or 0, get("role") or ""


def buckets(types: dict[int, str], group: tuple[int, int, str], answers: Iterable[dict]) -> Counter:
    """{key: count} of one response's answer rows (dicts with question_id, option_id, topic_id, rating, number)."""
    counts: Counter = Counter()
    respondent: set[int] = set()
    for a in answers:
        qid = a["question_id"]
        qtype = types.get(qid)
        if qtype in CHOICE_TYPES:
            option = a.get("option_id")
            counts[(qid, *group, "o" if option is not None else "x", option or 0, 0, 0.0)] += 1
            if qtype == "multiple":
                respondent.add(qid)
        elif qtype in SCALE_TYPES:
            if a.get("rating") is not None:
                counts[(qid, *group, "r", 0, a.get("topic_id") or 0, float(a["rating"]))] += 1
        elif qtype == "number":
            if a.get("number") is not None:
                counts[(qid, *group, "n", 0, 0, float(a["number"]))] += 1
        elif qtype in TEXT_TYPES:
            counts[(qid, *group, "t", 0, 0, 0.0)] += 1
    for qid in respondent:
        counts[(qid, *group, "p", 0, 0, 0.0)] += 1
    return counts


def apply(session: Session, survey_id: int, delta: Counter) -> None:
    """Add `delta` ({key: ±count}) to the survey's tally, keys in sorted order, in one statement."""
    rows = [dict(zip(KEY, key, strict=True), survey_id=survey_id, n=n) for key, n in sorted(delta.items()) if n]
    if not rows:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(SurveyTally)
    stmt = stmt.on_conflict_do_update(index_elements=["survey_id", *KEY], set_={"n": SurveyTally.n + stmt.excluded.n})
    session.execute(stmt, rows)


def answers_of(session: Session, response_id: int) -> list[dict]:
    """A stored response's answer rows as the dicts `buckets` takes (before an edit replaces them)."""
    a = SurveyAnswer
    return [row._asdict() for row in session.execute(
        sa.select(a.question_id, a.option_id, a.topic_id, a.rating, a.number).where(a.response_id == response_id))]


def rebuild(session: Session, survey: Survey) -> None:
    """Recompute the survey's tally from its stored answers (one pass per bucket kind)."""
    session.execute(sa.delete(SurveyTally).where(SurveyTally.survey_id == survey.id))
    for statement in REBUILD_SQL:
        session.execute(sa.text(statement), {"survey_id": survey.id})
    session.flush()


# Shared with migrations/versions/0010_surveys_perf.py (which keeps its own frozen copy).
_GROUP = "COALESCE(r.organization_id, 0), COALESCE(r.cluster_id, 0), COALESCE(r.role, '')"
_FROM = ("FROM survey_answer a JOIN survey_response r ON r.id = a.response_id "
         "JOIN survey_question q ON q.id = a.question_id WHERE r.survey_id = {survey}")
_INSERT = ("INSERT INTO survey_tally (survey_id, question_id, organization_id, cluster_id, role, item, option_id, "
           "topic_id, value, n) ")


def rebuild_statements(survey: str) -> list[str]:
    """INSERT … SELECT statements filling `survey_tally` from the answers of `survey` (an SQL expression)."""
    f = _FROM.format(survey=survey)
    return [
        f"{_INSERT}SELECT r.survey_id, a.question_id, {_GROUP}, CASE WHEN a.option_id IS NULL THEN 'x' ELSE 'o' END, "
        f"COALESCE(a.option_id, 0), 0, 0, COUNT(*) {f} AND q.type IN ('single', 'multiple') "
        f"GROUP BY r.survey_id, a.question_id, {_GROUP}, a.option_id",
        f"{_INSERT}SELECT r.survey_id, a.question_id, {_GROUP}, 'p', 0, 0, 0, COUNT(DISTINCT a.response_id) {f} "
        f"AND q.type = 'multiple' GROUP BY r.survey_id, a.question_id, {_GROUP}",
        f"{_INSERT}SELECT r.survey_id, a.question_id, {_GROUP}, 'r', 0, COALESCE(a.topic_id, 0), a.rating, COUNT(*) {f} "
        f"AND q.type IN ('likert', 'topic_matrix') AND a.rating IS NOT NULL "
        f"GROUP BY r.survey_id, a.question_id, {_GROUP}, a.topic_id, a.rating",
        f"{_INSERT}SELECT r.survey_id, a.question_id, {_GROUP}, 'n', 0, 0, a.number, COUNT(*) {f} "
        f"AND q.type = 'number' AND a.number IS NOT NULL GROUP BY r.survey_id, a.question_id, {_GROUP}, a.number",
        f"{_INSERT}SELECT r.survey_id, a.question_id, {_GROUP}, 't', 0, 0, 0, COUNT(*) {f} "
        f"AND q.type IN ('short_text', 'long_text') GROUP BY r.survey_id, a.question_id, {_GROUP}",
    ]


REBUILD_SQL = rebuild_statements(":survey_id")
