"""The needs profile: per named respondent, a need score in [0, 1] per topic (the route planner's input).

Source: the person's latest submitted response to a *named* survey of kind "needs" in the network
(optionally of one academic year). Anonymous surveys never contribute: they cannot be tied to a
person. Signals, each in [0, 1], per topic:

- a topic-matrix cell rated r in 1..5 → (r − 1) / 4;
- a Likert question tagged with a topic, rated r → (r − 1) / 4;
- a chosen option of a single/multiple question whose option (or, failing that, question) is tagged
  with a topic → the option's `need_weight` (1.0 when unset).

score(topic) = mean of the topic's signals, clipped to [0, 1]. Topics without any signal are
absent from the profile (unknown, not "no need").
"""
from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .models import Survey, SurveyAnswer, SurveyOption, SurveyQuestion, SurveyResponse

RATING_SPAN = 4.0  # (5 - 1)


def needs_profile(session: Session, network_id: int, person_id: int, year_id: int | None = None) -> dict[int, float]:
    """{topic_id: need in [0, 1]} of one person from their latest named needs response ({} if none)."""
    return needs_profiles(session, network_id, year_id=year_id, person_ids=[person_id]).get(person_id, {})


def latest_needs_responses(session: Session, network_id: int, year_id: int | None = None,
                           person_ids: list[int] | None = None) -> dict[int, int]:
    """{person_id: response_id} of each person's latest submitted named needs response."""
    query = (sa.select(SurveyResponse.person_id, SurveyResponse.id)
             .join(Survey, Survey.id == SurveyResponse.survey_id)
             .where(Survey.network_id == network_id, Survey.kind == "needs", Survey.anonymous.is_(False),
                    SurveyResponse.person_id.is_not(None))
             .order_by(SurveyResponse.submitted_at, SurveyResponse.id))
    if year_id is not None:
        query = query.where(Survey.year_id == year_id)
    if person_ids is not None:
        query = query.where(SurveyResponse.person_id.in_(person_ids))
    return {person: response for person, response in session.execute(query)}  # later rows win


def needs_profiles(session: Session, network_id: int, year_id: int | None = None,
                   person_ids: list[int] | None = None) -> dict[int, dict[int, float]]:
    """{person_id: {topic_id: need in [0, 1]}} for every named respondent (or the given persons)."""
    latest = latest_needs_responses(session, network_id, year_id, person_ids)
    if not latest:
        return {}
    by_response = {response: person for person, response in latest.items()}
    sums: dict[tuple[int, int], list[float]] = defaultdict(lambda: [0.0, 0])
    for response_id, topic_id, total, count in _signals(session, list(by_response)):
        cell = sums[(response_id, topic_id)]
        cell[0] += float(total)
        cell[1] += int(count)
    result: dict[int, dict[int, float]] = {person: {} for person in latest}
    for (response_id, topic_id), (total, count) in sums.items():
        result[by_response[response_id]][topic_id] = min(1.0, max(0.0, total / count))
    return result


def _signals(session: Session, response_ids: list[int]):
    """Rows (response_id, topic_id, sum of signals, count of signals), aggregated in SQL."""
    rows = []
    for chunk in (response_ids[i:i + 5000] for i in range(0, len(response_ids), 5000)):
        a, q, o = SurveyAnswer, SurveyQuestion, SurveyOption
        matrix = (sa.select(a.response_id, a.topic_id, sa.func.sum((a.rating - 1) / RATING_SPAN), sa.func.count())
                  .join(q, q.id == a.question_id)
                  .where(a.response_id.in_(chunk), q.type == "topic_matrix", a.topic_id.is_not(None),
                         a.rating.is_not(None))
                  .group_by(a.response_id, a.topic_id))
        likert = (sa.select(a.response_id, q.topic_id, sa.func.sum((a.rating - 1) / RATING_SPAN), sa.func.count())
                  .join(q, q.id == a.question_id)
                  .where(a.response_id.in_(chunk), q.type == "likert", q.topic_id.is_not(None),
                         a.rating.is_not(None))
                  .group_by(a.response_id, q.topic_id))
        topic = sa.func.coalesce(o.topic_id, q.topic_id)
        choice = (sa.select(a.response_id, topic, sa.func.sum(sa.func.coalesce(o.need_weight, 1.0)), sa.func.count())
                  .join(o, o.id == a.option_id).join(q, q.id == a.question_id)
                  .where(a.response_id.in_(chunk), topic.is_not(None))
                  .group_by(a.response_id, topic))
        for query in (matrix, likert, choice):
            rows.extend(session.execute(query).all())
    return rows
