"""Each question type's validation: required, ranges, choices, "other", matrix completeness."""
from __future__ import annotations

from lti_tool.surveys.answering import validate
from lti_tool.surveys.builder import QuestionData as Q


def _check(survey_factory, net, question: Q, values: dict):
    survey = survey_factory([question])
    qid = survey.sections[0].questions[0].id
    values = {k.replace("Q", f"q{qid}"): v for k, v in values.items()}
    answers, errors = validate(survey, values, net.topics)
    return answers, {k: v[0] for k, v in errors.items()}, survey.sections[0].questions[0]


def test_required_question_without_answer_is_an_error_and_optional_is_not(survey_factory, net):
    _a, errors, q = _check(survey_factory, net, Q("short_text", "Организация", required=True), {})
    assert errors == {q.id: "required"}
    answers, errors, _q = _check(survey_factory, net, Q("short_text", "Пожелания"), {"Q": ["  "]})
    assert (answers, errors) == ([], {})


def test_number_must_parse_and_lie_in_range(survey_factory, net):
    question = Q("number", "Стаж", min_value=0, max_value=60)
    assert _check(survey_factory, net, question, {"Q": ["abc"]})[1].popitem()[1] == "not_a_number"
    assert _check(survey_factory, net, question, {"Q": ["61"]})[1].popitem()[1] == "out_of_range"
    assert _check(survey_factory, net, question, {"Q": ["-1"]})[1].popitem()[1] == "out_of_range"
    answers, errors, q = _check(survey_factory, net, question, {"Q": ["12,5"]})
    assert errors == {} and answers == [{"number": 12.5, "question_id": q.id}]


def test_single_choice_accepts_only_one_offered_option(survey_factory, net):
    question = Q("single", "Должность", options=["Воспитатель", "Логопед"], required=True)
    survey = survey_factory([question])
    q = survey.sections[0].questions[0]
    ok, other = (str(o.id) for o in q.options)
    assert validate(survey, {f"q{q.id}": ["999999"]}, net.topics)[1] == {q.id: ("bad_choice", {})}
    assert validate(survey, {f"q{q.id}": [ok, other]}, net.topics)[1] == {q.id: ("bad_choice", {})}
    assert validate(survey, {f"q{q.id}": ["other"]}, net.topics)[1] == {q.id: ("bad_choice", {})}  # no "other" here
    answers, errors = validate(survey, {f"q{q.id}": [ok]}, net.topics)
    assert errors == {} and answers == [{"option_id": int(ok), "question_id": q.id}]


def test_multiple_choice_other_needs_its_text(survey_factory, net):
    question = Q("multiple", "Формы поддержки", options=["Консультация", "Тьюториал"], allow_other=True)
    survey = survey_factory([question])
    q = survey.sections[0].questions[0]
    first = str(q.options[0].id)
    assert validate(survey, {f"q{q.id}": [first, "other"], f"q{q.id}_other": [" "]}, net.topics)[1] == {
        q.id: ("other_required", {})}
    answers, errors = validate(survey, {f"q{q.id}": [first, "other"], f"q{q.id}_other": ["Коучинг"]}, net.topics)
    assert errors == {}
    assert answers == [{"option_id": int(first), "question_id": q.id}, {"text": "Коучинг", "question_id": q.id}]


def test_likert_accepts_1_to_5_only(survey_factory, net):
    question = Q("likert", "Готовность", required=True)
    assert _check(survey_factory, net, question, {"Q": ["6"]})[1].popitem()[1] == "bad_choice"
    assert _check(survey_factory, net, question, {"Q": ["0"]})[1].popitem()[1] == "bad_choice"
    answers, errors, q = _check(survey_factory, net, question, {"Q": ["5"]})
    assert errors == {} and answers == [{"rating": 5, "question_id": q.id}]


def test_topic_matrix_must_be_complete_once_started(survey_factory, net):
    survey = survey_factory([Q("topic_matrix", "Потребность по темам", required=True)])
    q = survey.sections[0].questions[0]
    t1, t2, t3 = net.topics
    partial = {f"q{q.id}_t{t1}": ["4"], f"q{q.id}_t{t2}": ["2"]}
    assert validate(survey, partial, net.topics)[1] == {q.id: ("matrix_incomplete", {"missing": 1})}
    assert validate(survey, {}, net.topics)[1] == {q.id: ("matrix_incomplete", {"missing": 3})}
    assert validate(survey, {**partial, f"q{q.id}_t{t3}": ["9"]}, net.topics)[1] == {q.id: ("bad_choice", {})}
    answers, errors = validate(survey, {**partial, f"q{q.id}_t{t3}": ["1"]}, net.topics)
    assert errors == {}
    assert sorted((a["topic_id"], a["rating"]) for a in answers) == sorted([(t1, 4), (t2, 2), (t3, 1)])


def test_text_length_is_limited(survey_factory, net):
    assert _check(survey_factory, net, Q("short_text", "Кратко"), {"Q": ["я" * 501]})[1].popitem()[1] == "too_long"
