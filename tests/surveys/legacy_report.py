"""The report as first written (GROUP BYs over every answer row): the reference the optimised
`lti_tool.surveys.reports` must agree with (tests/surveys/test_report_equivalence.py) and the
"before" figure of benchmarks/bench_surveys.py. Not used by the application.

Original docstring: the analytical report (аналитическая справка): response rate, distributions, topic ranking, texts.

Everything is aggregated in SQL (GROUP BY over answers of the survey's questions); Python only
touches the grouped rows, so 10,000 responses × 40 questions stay well under a second.
"""
from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Join

from lti_tool.core.reference import Organization, Topic
from lti_tool.surveys.answering import ordered_questions
from lti_tool.surveys.models import (
    CHOICE_TYPES,
    SCALE_TYPES,
    TEXT_TYPES,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)

# What did not change (result types, thresholds, summaries, ranking) is the application's own.
from lti_tool.surveys.reports import (
    MIN_GROUP,
    TEXTS_SHOWN,
    Bar,
    QuestionStats,
    Report,
    TopicNeed,
    _ranking,
    _summary,
    _topic_need,
)
from lti_tool.surveys.audience import rates
from lti_tool.surveys.roster import Filters, response_filter


def build_report(session: Session, survey: Survey, filters: Filters = Filters()) -> Report:
    """The whole analytical report of a survey under the filters."""
    responses = session.scalar(sa.select(sa.func.count()).select_from(SurveyResponse)
                               .where(*response_filter(survey, filters))) or 0
    # Who was asked is not what this copy checks: the audience's rate, as the report computes it.
    rate = rates(session, survey.network_id, [survey], filters)[survey.id]
    report = Report(survey, filters, responses, rate.asked, rate.answered)
    if survey.anonymous and filters.active and 0 < responses < MIN_GROUP:
        report.suppressed = True
        return report
    questions = ordered_questions(survey)
    stats = {q.id: QuestionStats(q) for q in questions}
    scope = _answer_scope(survey, filters, questions)
    topics = dict(session.execute(sa.select(Topic.id, Topic.name).where(Topic.network_id == survey.network_id)).all())
    _choices(session, scope, stats)
    _scales(session, scope, stats, topics, survey.kind)
    _numbers(session, scope, stats)
    _texts(session, scope, stats)
    report.questions = list(stats.values())
    report.topic_ranking = _ranking(
        [t for s in report.questions if s.question.type == "topic_matrix" for t in s.topics], survey.kind)
    report.by_organization = _by_organization(session, survey, filters, topics,
                                              [q.id for q in questions if q.type == "topic_matrix"])
    return report


def _answer_scope(survey: Survey, filters: Filters, questions: list[SurveyQuestion]):
    """Restrict answers to the survey's questions of some types (by id: no join, index-only scans)
    and, when filtering, to the matching responses."""
    def scope(query, qtypes):
        ids = [q.id for q in questions if q.type in qtypes] or [-1]
        query = query.where(SurveyAnswer.question_id.in_(ids))
        if filters.active:
            query = query.where(SurveyAnswer.response_id.in_(
                sa.select(SurveyResponse.id).where(*response_filter(survey, filters))))
        return query
    return scope


def _choices(session, scope, stats) -> None:
    a = SurveyAnswer
    rows = session.execute(scope(sa.select(a.question_id, a.option_id, sa.func.count()), CHOICE_TYPES)
                           .group_by(a.question_id, a.option_id)).all()
    respondents = dict(session.execute(scope(sa.select(a.question_id, sa.func.count(sa.distinct(a.response_id))),
                                             ("multiple",)).group_by(a.question_id)).all())
    counts = defaultdict(dict)
    for qid, option_id, n in rows:
        counts[qid][option_id] = n
    for qid, by_option in counts.items():
        s = stats[qid]
        s.n = respondents.get(qid) or sum(by_option.values())  # single choice: one row per respondent
        s.bars = [Bar(o.text, by_option.get(o.id, 0), by_option.get(o.id, 0) / s.n) for o in s.question.options]
        if None in by_option:
            s.bars.append(Bar("other", by_option[None], by_option[None] / s.n))


def _scales(session, scope, stats, topics: dict[int, str], kind: str) -> None:
    a = SurveyAnswer
    rows = session.execute(scope(sa.select(a.question_id, a.topic_id, a.rating, sa.func.count()), SCALE_TYPES)
                           .where(a.rating.is_not(None)).group_by(a.question_id, a.topic_id, a.rating)).all()
    hist: dict[tuple[int, int | None], dict[int, int]] = defaultdict(dict)
    for qid, topic_id, rating, n in rows:
        hist[(qid, topic_id)][int(rating)] = n
    for (qid, topic_id), by_rating in hist.items():
        s = stats[qid]
        if topic_id is None:
            s.n, s.mean, s.median = _summary(by_rating)
            s.bars = [Bar(str(r), by_rating.get(r, 0), by_rating.get(r, 0) / s.n) for r in range(1, 6)]
        else:
            s.topics.append(_topic_need(topic_id, topics.get(topic_id, "?"), by_rating, kind))
    for s in stats.values():
        if s.topics:
            # A matrix is only accepted complete, so every respondent rated every (then active) topic.
            s.n = max(t.n for t in s.topics)
            s.topics.sort(key=lambda t: (-t.need, t.name))


def _numbers(session, scope, stats) -> None:
    a = SurveyAnswer
    rows = session.execute(scope(sa.select(a.question_id, a.number, sa.func.count()), ("number",))
                           .where(a.number.is_not(None)).group_by(a.question_id, a.number)).all()
    hist: dict[int, dict[float, int]] = defaultdict(dict)
    for qid, number, n in rows:
        hist[qid][float(number)] = n
    for qid, by_value in hist.items():
        stats[qid].n, stats[qid].mean, stats[qid].median = _summary(by_value)


def _texts(session, scope, stats) -> None:
    """Free-text answers and the "other" texts of choice questions (rows with no option): counts and the latest."""
    a = SurveyAnswer
    texts = scope(sa.select(a.question_id, sa.func.count()), TEXT_TYPES).group_by(a.question_id)
    others = (scope(sa.select(a.question_id, sa.func.count()), CHOICE_TYPES)
              .where(a.option_id.is_(None)).group_by(a.question_id))
    for qid, total in [*session.execute(texts), *session.execute(others)]:
        s = stats[qid]
        s.text_total = total
        if s.question.type in TEXT_TYPES:
            s.n = total
        s.texts = list(session.scalars(
            scope(sa.select(a.text), TEXT_TYPES + CHOICE_TYPES)
            .where(a.question_id == qid, a.option_id.is_(None), a.text.is_not(None))
            .order_by(a.response_id.desc()).limit(TEXTS_SHOWN)))


class OuterFirstJoin(Join):
    """An inner join that SQLite must run responses-first (CROSS JOIN fixes the loop order).

    Without ANALYZE statistics SQLite scans the answers by question and looks each response up,
    2-3× slower than seeking each response's matrix answers in the (response_id, question_id) index.
    """

    inherit_cache = True


@compiles(OuterFirstJoin, "sqlite")
def _cross_join_sqlite(join, compiler, **kw):
    kw["asfrom"] = True
    return (f"{compiler.process(join.left, **kw)} CROSS JOIN "
            f"{compiler.process(join.right, **kw)} ON {compiler.process(join.onclause, **kw)}")


def _by_organization(session, survey: Survey, filters: Filters, topics: dict[int, str], matrix_ids: list[int],
                     top: int = 3):
    """Per organization: respondents and its `top` most needed topics (small groups hidden if anonymous)."""
    a, r = SurveyAnswer, SurveyResponse
    rows = session.execute(
        sa.select(r.organization_id, a.topic_id, sa.func.count(), sa.func.avg(a.rating),
                  sa.func.sum(sa.case((a.rating >= 4, 1), else_=0)))
        .select_from(OuterFirstJoin(r, a, sa.and_(a.response_id == r.id, a.question_id.in_(matrix_ids or [-1]))))
        .where(*response_filter(survey, filters), a.topic_id.is_not(None))
        .group_by(r.organization_id, a.topic_id)).all()
    counts = dict(session.execute(sa.select(r.organization_id, sa.func.count()).where(*response_filter(survey, filters))
                                  .group_by(r.organization_id)).all())
    per_org: dict[int | None, list[TopicNeed]] = defaultdict(list)
    for org_id, topic_id, n, mean, high in rows:
        mean = float(mean)
        need = (5 - mean) / 4 if survey.kind == "self_assessment" else (mean - 1) / 4
        per_org[org_id].append(TopicNeed(topic_id, topics.get(topic_id, "?"), n, mean, need, int(high) / n))
    names = {i: f"{num} {name}" if num else name for i, num, name in session.execute(
        sa.select(Organization.id, Organization.number, Organization.name)
        .where(Organization.id.in_([o for o in per_org if o])))}
    result = []
    for org_id, needs in per_org.items():
        if survey.anonymous and counts.get(org_id, 0) < MIN_GROUP:
            continue
        result.append((names.get(org_id, "—"), counts.get(org_id, 0), sorted(needs, key=lambda t: (-t.need, t.name))[:top]))
    return sorted(result, key=lambda row: (-row[1], row[0]))
