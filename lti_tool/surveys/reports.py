"""The analytical report (аналитическая справка): response rate, distributions, topic ranking, texts.

Every count comes from the survey's tally (`tally.py`: answers counted per filter group and bucket
at submission), summed in SQL under the filters: a few thousand rows whatever the number of
responses. Only the listed free texts (the latest 100 per question) are read from the answers.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..core.reference import Organization, Topic
from .answering import ordered_questions
from .models import TEXT_TYPES, Survey, SurveyAnswer, SurveyQuestion, SurveyResponse, SurveyTally
from .audience import rates
from .roster import Filters, group_filter, response_filter

MIN_GROUP = 3  # an anonymous survey never shows a group smaller than this
TEXTS_SHOWN = 100


@dataclass
class Bar:
    label: str
    count: int
    share: float  # of the question's respondents


@dataclass
class TopicNeed:
    topic_id: int
    name: str
    n: int
    mean: float
    need: float  # 0..1: (mean − 1)/4 for needs, (5 − mean)/4 for self-assessments
    high_share: float  # share of ratings ≥ 4


@dataclass
class QuestionStats:
    question: SurveyQuestion
    n: int = 0
    bars: list[Bar] = field(default_factory=list)
    mean: float | None = None
    median: float | None = None
    topics: list[TopicNeed] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    text_total: int = 0


@dataclass
class Report:
    survey: Survey
    filters: Filters
    responses: int
    roster: int  # the people of the audience (under the filters)
    answered: int = 0  # of them, those who answered
    suppressed: bool = False
    questions: list[QuestionStats] = field(default_factory=list)
    topic_ranking: list[TopicNeed] = field(default_factory=list)
    by_organization: list[tuple[str, int, list[TopicNeed]]] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        """The audience's response rate: answered ÷ asked."""
        return self.answered / self.roster if self.roster else None


def build_report(session: Session, survey: Survey, filters: Filters = Filters()) -> Report:
    """The whole analytical report of a survey under the filters."""
    responses = session.scalar(sa.select(sa.func.count()).select_from(SurveyResponse)
                               .where(*response_filter(survey, filters))) or 0
    rate = rates(session, survey.network_id, [survey], filters)[survey.id]
    report = Report(survey, filters, responses, rate.asked, rate.answered)
    if survey.anonymous and filters.active and 0 < responses < MIN_GROUP:
        report.suppressed = True
        return report
    questions = ordered_questions(survey)
    stats = {q.id: QuestionStats(q) for q in questions}
    topics = dict(session.execute(sa.select(Topic.id, Topic.name).where(Topic.network_id == survey.network_id)).all())
    buckets = _buckets(session, survey, filters)
    _choices(buckets, stats)
    _scales(buckets, stats, topics, survey.kind)
    _numbers(buckets, stats)
    _texts(session, survey, filters, buckets, stats)
    report.questions = list(stats.values())
    report.topic_ranking = _ranking(
        [t for s in report.questions if s.question.type == "topic_matrix" for t in s.topics], survey.kind)
    report.by_organization = _by_organization(session, survey, filters, topics,
                                              [q.id for q in questions if q.type == "topic_matrix"])
    return report


def tally_filter(survey: Survey, filters: Filters) -> list:
    """`response_filter` on the tally's group columns (the responses' snapshots; 0 / "" = none)."""
    return group_filter(SurveyTally, survey, filters)


def _buckets(session, survey: Survey, filters: Filters) -> dict[str, list[tuple]]:
    """{item: [(question_id, option_id, topic_id, value, count)]} summed over the filter groups."""
    t = SurveyTally
    total = sa.func.sum(t.n)
    rows = session.execute(sa.select(t.item, t.question_id, t.option_id, t.topic_id, t.value, total)
                           .where(*tally_filter(survey, filters))
                           .group_by(t.item, t.question_id, t.option_id, t.topic_id, t.value).having(total > 0))
    result: dict[str, list[tuple]] = defaultdict(list)
    for item, qid, option_id, topic_id, value, n in rows:
        result[item].append((qid, option_id or None, topic_id or None, value, int(n)))
    return result


def _choices(buckets, stats) -> None:
    respondents = {qid: n for qid, _o, _t, _v, n in buckets["p"]}
    counts = defaultdict(dict)
    for qid, option_id, _t, _v, n in buckets["o"] + buckets["x"]:
        counts[qid][option_id] = n
    for qid, by_option in counts.items():
        s = stats[qid]
        s.n = respondents.get(qid) or sum(by_option.values())  # single choice: one row per respondent
        s.bars = [Bar(o.text, by_option.get(o.id, 0), by_option.get(o.id, 0) / s.n) for o in s.question.options]
        if None in by_option:
            s.bars.append(Bar("other", by_option[None], by_option[None] / s.n))


def _scales(buckets, stats, topics: dict[int, str], kind: str) -> None:
    hist: dict[tuple[int, int | None], dict[int, int]] = defaultdict(dict)
    for qid, _o, topic_id, rating, n in buckets["r"]:
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


def _numbers(buckets, stats) -> None:
    hist: dict[int, dict[float, int]] = defaultdict(dict)
    for qid, _o, _t, number, n in buckets["n"]:
        hist[qid][float(number)] = n
    for qid, by_value in hist.items():
        stats[qid].n, stats[qid].mean, stats[qid].median = _summary(by_value)


def _texts(session, survey: Survey, filters: Filters, buckets, stats) -> None:
    """Free-text answers and the "other" texts of choice questions (rows with no option): counts and the latest.

    A text row has no option, topic, rating or number (and always a text: `validate` stores no
    empty one), so the question index lists a question's text rows by response, newest first,
    without reading the rows; the filters are applied in Python while walking that list, and only
    the TEXTS_SHOWN texts kept are read. (Filtering in SQL — `IN (filtered responses) … LIMIT` —
    let PostgreSQL without fresh statistics pick a nested loop of seconds.)
    """
    a = SurveyAnswer
    chosen = (set(session.scalars(sa.select(SurveyResponse.id).where(*response_filter(survey, filters))))
              if filters.active else None)
    shown: dict[int, list[int]] = {}
    for qid, _o, _t, _v, total in buckets["t"] + buckets["x"]:
        s = stats[qid]
        s.text_total = total
        if s.question.type in TEXT_TYPES:
            s.n = total
        rows = session.execute(sa.select(a.response_id, a.id).where(
            a.question_id == qid, a.option_id.is_(None), a.topic_id.is_(None), a.rating.is_(None),
            a.number.is_(None)).order_by(a.response_id.desc(), a.id.desc()))
        ids = shown[qid] = []
        for response_id, answer_id in rows:
            if chosen is None or response_id in chosen:
                ids.append(answer_id)
                if len(ids) == TEXTS_SHOWN:
                    break
        rows.close()
    wanted = [i for ids in shown.values() for i in ids]
    texts = dict(session.execute(sa.select(a.id, a.text).where(a.id.in_(wanted), a.text.is_not(None))).all()) if wanted else {}
    for qid, ids in shown.items():
        stats[qid].texts = [texts[i] for i in ids if i in texts]


def _summary(histogram: dict) -> tuple[int, float | None, float | None]:
    """(n, mean, median) of a {value: count} histogram."""
    n = sum(histogram.values())
    if not n:
        return 0, None, None
    mean = sum(v * c for v, c in histogram.items()) / n
    ordered = sorted(histogram.items())

    def at(index: int) -> float:
        seen = 0
        for value, count in ordered:
            seen += count
            if index < seen:
                return value
        return ordered[-1][0]
    return n, mean, (at((n - 1) // 2) + at(n // 2)) / 2


def _topic_need(topic_id: int, name: str, by_rating: dict[int, int], kind: str) -> TopicNeed:
    n, mean, _ = _summary(by_rating)
    need = (5 - mean) / 4 if kind == "self_assessment" else (mean - 1) / 4
    high = sum(c for r, c in by_rating.items() if r >= 4)
    return TopicNeed(topic_id, name, n, mean, need, high / n)


def _ranking(cells: list[TopicNeed], kind: str) -> list[TopicNeed]:
    """Merge per-question topic rows (several matrices) into one ranking, most needed first."""
    merged: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    names: dict[int, str] = {}
    for cell in cells:
        names[cell.topic_id] = cell.name
        # Re-weight from the row's n and mean/high share: exact for a single matrix, a weighted mean otherwise.
        merged[cell.topic_id]["n"] += cell.n
        merged[cell.topic_id]["sum"] += cell.mean * cell.n
        merged[cell.topic_id]["high"] += cell.high_share * cell.n
    ranking = []
    for topic_id, m in merged.items():
        mean = m["sum"] / m["n"]
        need = (5 - mean) / 4 if kind == "self_assessment" else (mean - 1) / 4
        ranking.append(TopicNeed(topic_id, names[topic_id], m["n"], mean, need, m["high"] / m["n"]))
    return sorted(ranking, key=lambda t: (-t.need, t.name))


def _by_organization(session, survey: Survey, filters: Filters, topics: dict[int, str], matrix_ids: list[int],
                     top: int = 3):
    """Per organization: respondents and its `top` most needed topics (small groups hidden if anonymous)."""
    t, r = SurveyTally, SurveyResponse
    total = sa.func.sum(t.n)
    rows = session.execute(
        sa.select(t.organization_id, t.topic_id, t.value, total)
        .where(*tally_filter(survey, filters), t.item == "r", t.question_id.in_(matrix_ids or [-1]), t.topic_id != 0)
        .group_by(t.organization_id, t.topic_id, t.value).having(total > 0)).all()
    counts = dict(session.execute(sa.select(r.organization_id, sa.func.count()).where(*response_filter(survey, filters))
                                  .group_by(r.organization_id)).all())
    hist: dict[int | None, dict[int, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for org_id, topic_id, rating, n in rows:
        hist[org_id or None][topic_id][int(rating)] = int(n)
    per_org = {org_id: [_topic_need(topic_id, topics.get(topic_id, "?"), by_rating, survey.kind)
                        for topic_id, by_rating in by_topic.items()] for org_id, by_topic in hist.items()}
    names = {i: f"{num} {name}" if num else name for i, num, name in session.execute(
        sa.select(Organization.id, Organization.number, Organization.name)
        .where(Organization.id.in_([o for o in per_org if o])))}
    result = []
    for org_id, needs in per_org.items():
        if survey.anonymous and counts.get(org_id, 0) < MIN_GROUP:
            continue
        result.append((names.get(org_id, "—"), counts.get(org_id, 0), sorted(needs, key=lambda t: (-t.need, t.name))[:top]))
    return sorted(result, key=lambda row: (-row[1], row[0]))
