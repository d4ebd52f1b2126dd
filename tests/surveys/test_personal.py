"""A teacher's own surveys: which she answered, her answers in words, her start-to-end dynamics."""
from __future__ import annotations

from lti_tool.surveys import answering, personal
from lti_tool.surveys.builder import QuestionData as Q


def _self_assessment(survey_factory, **kw):
    return survey_factory([Q("likert", "Планирую НОД"), Q("topic_matrix", "Компетентность")],
                          kind="self_assessment", **kw)


def _answer(session, survey, person, likert, cells, topics):
    lq, mq = answering.ordered_questions(survey)
    values = {f"q{lq.id}": [str(likert)], **{f"q{mq.id}_t{t}": [str(r)] for t, r in zip(topics, cells, strict=True)}}
    answering.submit(session, survey, person, values, topics)


def test_her_surveys_answers_and_dynamics(db_session, survey_factory, net):
    me, other = net.people[0], net.people[1]
    start, end = _self_assessment(survey_factory, title="Начало года"), _self_assessment(survey_factory, title="Конец года")
    anonymous = survey_factory([Q("single", "Довольны ли вы?", options=["Да", "Нет"])], anonymous=True, title="Отзыв")
    _answer(db_session, start, me, 2, (1, 3, 4), net.topics)
    _answer(db_session, end, me, 4, (3, 3, 5), net.topics)
    _answer(db_session, start, other, 5, (5, 5, 5), net.topics)
    q = answering.ordered_questions(anonymous)[0]
    answering.submit(db_session, anonymous, me, {f"q{q.id}": [str(q.options[0].id)]}, net.topics)
    answered = personal.answered_surveys(db_session, net.id, me.id, None)
    assert [(a.survey.title, a.submitted_at is None) for a in answered] == [
        ("Начало года", False), ("Конец года", False), ("Отзыв", True)]
    answers = personal.my_answers(db_session, start, me.id)
    assert [(a.question, a.answer) for a in answers] == [
        ("Планирую НОД", "2"), ("Компетентность", "Экологическое воспитание: 1\nРазвитие речи: 3\nИКТ: 4")]
    assert personal.my_answers(db_session, anonymous, me.id) is None  # nothing says which response is hers
    assert personal.my_answers(db_session, end, other.id) is None  # she did not answer it
    mine = personal.my_dynamics(db_session, net.id, me.id, None)
    assert (mine.start.id, mine.end.id) == (start.id, end.id)
    assert [(c.label, c.start, c.end) for c in mine.items] == [
        ("Планирую НОД", 2, 4), ("ИКТ", 4, 5), ("Развитие речи", 3, 3), ("Экологическое воспитание", 1, 3)]
    assert mine.mean_change == (2 + 2 + 0 + 1) / 4
    assert personal.my_dynamics(db_session, net.id, other.id, None) is None  # only the start


def test_my_answers_page_is_hers_and_read_only(client, auth, db_session, survey_factory, net):
    survey = survey_factory([Q("long_text", "Пожелания")], title="Анкета пожеланий")
    q = answering.ordered_questions(survey)[0]
    answering.submit(db_session, survey, net.people[0], {f"q{q.id}": ["Больше практики"]}, net.topics)
    db_session.commit()
    auth.login("teacher", network_id=net.id, user_id=net.people[0].user_id)
    assert "Мои ответы" in client.get("/surveys/").text
    page = client.get(f"/surveys/{survey.id}/mine").text
    assert "Пожелания" in page and "Больше практики" in page and "<form" not in page.split("<main")[1].split("</main>")[0]
    auth.login("teacher", network_id=net.id, user_id=net.people[1].user_id)
    other = client.get(f"/surveys/{survey.id}/mine").text
    assert "Больше практики" not in other and "Вы не отвечали на эту анкету." in other
    auth.login("methodist", network_id=net.id)
    assert client.get(f"/surveys/{survey.id}/mine").status_code == 403
