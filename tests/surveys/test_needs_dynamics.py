"""The needs profile (route planner input) and competence dynamics on a paired data set."""
from __future__ import annotations

import pytest

from lti_tool.surveys import answering, dynamics
from lti_tool.surveys.builder import QuestionData as Q
from lti_tool.surveys.models import SurveyOption
from lti_tool.surveys.services import needs_profile, needs_profiles


def test_needs_profile_combines_matrix_ratings_and_tagged_difficulties(db_session, survey_factory, net):
    t1, t2, t3 = net.topics
    survey = survey_factory([Q("topic_matrix", "Потребность"), Q("multiple", "Затруднения", options=["Речь", "Прочее"])])
    matrix, difficulties = answering.ordered_questions(survey)
    speech = difficulties.options[0]
    speech.topic_id = t2  # the "speech" difficulty points at topic t2
    db_session.flush()
    person = net.people[0]
    values = {f"q{matrix.id}_t{t1}": ["5"], f"q{matrix.id}_t{t2}": ["2"], f"q{matrix.id}_t{t3}": ["1"],
              f"q{difficulties.id}": [str(speech.id), str(difficulties.options[1].id)]}
    answering.submit(db_session, survey, person, values, net.topics)
    # t1: (5-1)/4 = 1; t2: mean((2-1)/4, 1.0) = 0.625; t3: 0
    assert needs_profile(db_session, net.id, person.id) == {t1: 1.0, t2: 0.625, t3: 0.0}
    assert needs_profile(db_session, net.id, net.people[1].id) == {}


def test_needs_profiles_use_each_persons_latest_named_needs_response_only(db_session, survey_factory, net):
    t1 = net.topics[0]
    older = survey_factory([Q("topic_matrix", "Потребность")])
    newer = survey_factory([Q("topic_matrix", "Потребность")])
    anonymous = survey_factory([Q("topic_matrix", "Потребность")], anonymous=True)
    other_kind = survey_factory([Q("topic_matrix", "Самооценка")], kind="self_assessment")

    def answer(survey, person, rating):
        qid = survey.sections[0].questions[0].id
        answering.submit(db_session, survey, person, {f"q{qid}_t{t}": [str(rating)] for t in net.topics}, net.topics)

    answer(older, net.people[0], 5)
    answer(newer, net.people[0], 3)
    answer(older, net.people[1], 1)
    answer(anonymous, net.people[2], 5)
    answer(other_kind, net.people[2], 5)
    profiles = needs_profiles(db_session, net.id)
    assert set(profiles) == {net.people[0].id, net.people[1].id}
    assert profiles[net.people[0].id][t1] == 0.5 and profiles[net.people[1].id][t1] == 0.0
    assert needs_profiles(db_session, net.id, person_ids=[net.people[1].id]) == {net.people[1].id: {t: 0.0 for t in net.topics}}


def _self_assessment(survey_factory, **kw):
    return survey_factory([Q("likert", "Планирую НОД", topic_id=None), Q("topic_matrix", "Компетентность")],
                          kind="self_assessment", **kw)


def _answer(db_session, survey, person, likert, cells, topics):
    lq, mq = answering.ordered_questions(survey)
    values = {f"q{lq.id}": [str(likert)], **{f"q{mq.id}_t{t}": [str(r)] for t, r in zip(topics, cells, strict=True)}}
    answering.submit(db_session, survey, person, values, topics)


def test_dynamics_pairs_people_and_reports_mean_change(db_session, survey_factory, net):
    start, end = _self_assessment(survey_factory), _self_assessment(survey_factory)
    t1, t2, t3 = net.topics
    p0, p1, p2, p3 = (*net.people[:3], net.people[4])  # people[3] is a tutor: the self-assessment asks teachers
    _answer(db_session, start, p0, 2, (1, 2, 3), net.topics)
    _answer(db_session, end, p0, 4, (3, 2, 4), net.topics)
    _answer(db_session, start, p1, 3, (2, 2, 2), net.topics)
    _answer(db_session, end, p1, 3, (5, 1, 2), net.topics)
    _answer(db_session, start, p2, 1, (1, 1, 1), net.topics)  # only at the start
    _answer(db_session, end, p3, 5, (5, 5, 5), net.topics)    # only at the end
    result = dynamics.compare(db_session, start, end)
    assert (result.pairable, result.paired, result.start_only, result.end_only) == (True, 2, 1, 1)
    by_topic = {c.label: (c.n, c.start, c.end, c.change) for c in result.by_topic}
    assert by_topic["Экологическое воспитание"] == (2, 1.5, 4.0, 2.5)   # (1→3, 2→5)
    assert by_topic["Развитие речи"] == (2, 2.0, 1.5, -0.5)            # (2→2, 2→1)
    assert by_topic["ИКТ"] == (2, 2.5, 3.0, 0.5)                       # (3→4, 2→2)
    [competence] = result.by_question
    assert (competence.label, competence.n, competence.start, competence.end) == ("Планирую НОД", 2, 2.5, 3.5)
    teacher = {c.label: c for c in result.by_teacher}
    assert teacher["Педагог 0"].change == pytest.approx((4 + 3 + 2 + 4) / 4 - (2 + 1 + 2 + 3) / 4)


def test_dynamics_refuses_to_pair_anonymous_runs(db_session, survey_factory, net):
    start, end = _self_assessment(survey_factory, anonymous=True), _self_assessment(survey_factory)
    _answer(db_session, start, net.people[0], 2, (1, 2, 3), net.topics)
    result = dynamics.compare(db_session, start, end)
    assert not result.pairable and result.paired == 0 and result.by_topic == []


def test_option_need_weight_scales_the_signal(db_session, survey_factory, net):
    t1 = net.topics[0]
    survey = survey_factory([Q("single", "Трудно ли вам?", options=["Да", "Частично", "Нет"], topic_id=t1)])
    q = survey.sections[0].questions[0]
    for option, weight in zip(q.options, (1.0, 0.5, 0.0), strict=True):
        option.need_weight = weight
    db_session.flush()
    answering.submit(db_session, survey, net.people[0], {f"q{q.id}": [str(q.options[1].id)]}, net.topics)
    assert needs_profile(db_session, net.id, net.people[0].id) == {t1: 0.5}
    assert db_session.get(SurveyOption, q.options[1].id).need_weight == 0.5


def test_the_dynamics_page_preselects_two_different_runs(db_session):
    from types import SimpleNamespace as Run

    from lti_tool.surveys.dynamics import default_pair

    newest, older, anonymous = Run(id=3, anonymous=False), Run(id=2, anonymous=False), Run(id=1, anonymous=True)
    assert default_pair([newest, anonymous, older]) == (2, 3)
    assert default_pair([anonymous, newest]) == (3, 3)
    assert default_pair([]) == (None, None)
