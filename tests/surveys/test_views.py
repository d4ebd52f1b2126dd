"""Pages: roles and network checks, answering with drafts over HTTP, builder, report, dynamics."""
from __future__ import annotations

import sqlalchemy as sa

from lti_tool.surveys import answering
from lti_tool.surveys.builder import QuestionData as Q
from lti_tool.surveys.models import Survey, SurveyDraft, SurveyResponse
from lti_tool.web.auth import ADMIN, METHODIST, TEACHER

QUESTIONS = [Q("number", "Стаж", min_value=0, max_value=60, required=True), Q("long_text", "Пожелания")]


def _login_as(auth, net, index: int, *roles):
    return auth.login(*(roles or (TEACHER,)), network_id=net.id, user_id=net.people[index].user_id)


def test_teacher_saves_a_draft_then_sees_errors_in_russian_with_the_typed_values_kept(client, auth, db_session,
                                                                                      survey_factory, net):
    survey = survey_factory(QUESTIONS)
    number, text = answering.ordered_questions(survey)
    _login_as(auth, net, 0)
    page = client.get(f"/surveys/{survey.id}")
    assert page.status_code == 200 and "Сохранить черновик" in page.text and "не анонимная" in page.text
    draft = {f"q{number.id}": "сто", f"q{text.id}": "Долгий ответ", "action": "save"}
    assert client.post(f"/surveys/{survey.id}", data=draft).status_code == 302
    auth.logout()  # the session expires; the draft is on the server
    _login_as(auth, net, 0)
    page = client.get(f"/surveys/{survey.id}")
    assert 'value="сто"' in page.text and "Долгий ответ" in page.text
    page = client.post(f"/surveys/{survey.id}", data={**draft, "action": "submit"})
    assert page.status_code == 422 and "Введите число." in page.text and 'value="сто"' in page.text
    page = client.post(f"/surveys/{survey.id}", data={**draft, f"q{number.id}": "12", "action": "submit"})
    assert page.status_code == 302 and page.headers["Location"].endswith(f"/surveys/{survey.id}/done")
    assert db_session.scalar(sa.select(sa.func.count()).select_from(SurveyDraft)) == 0
    assert "Вы уже ответили" in client.get(f"/surveys/{survey.id}").text
    assert "Спасибо" in client.get(f"/surveys/{survey.id}/done").text


def test_anonymous_page_says_so_and_english_is_available(client, auth, survey_factory, net):
    survey = survey_factory(QUESTIONS, anonymous=True)
    _login_as(auth, net, 0)
    assert "Анкета анонимная" in client.get(f"/surveys/{survey.id}").text
    assert "This survey is anonymous" in client.get(f"/surveys/{survey.id}?lang=en").text


def test_roles_teachers_cannot_build_or_see_reports(client, auth, survey_factory, net):
    survey = survey_factory(QUESTIONS)
    _login_as(auth, net, 0)
    for url in (f"/surveys/{survey.id}/build", f"/surveys/{survey.id}/report", f"/surveys/{survey.id}/report.xlsx",
                "/surveys/dynamics", f"/surveys/{survey.id}/preview"):
        assert client.get(url).status_code == 403, url
    assert client.post("/surveys/new", data={"template": "needs"}).status_code == 403
    assert client.post(f"/surveys/{survey.id}/status", data={"status": "closed"}).status_code == 403
    auth.logout()
    assert client.get("/surveys/").status_code == 401


def test_other_networks_survey_is_not_found(client, auth, survey_factory, net):
    survey = survey_factory(QUESTIONS)
    auth.login(METHODIST)  # a methodist of a fresh, different network
    for url in (f"/surveys/{survey.id}/build", f"/surveys/{survey.id}/report", f"/surveys/{survey.id}"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/surveys/{survey.id}/status", data={"status": "closed"}).status_code == 404


def test_methodist_builds_from_template_opens_and_reads_the_report(client, auth, db_session, net):
    _login_as(auth, net, 5, METHODIST)
    response = client.post("/surveys/new", data={"template": "needs"})
    survey = db_session.scalars(sa.select(Survey).where(Survey.network_id == net.id)).one()
    assert response.headers["Location"].endswith(f"/surveys/{survey.id}/build")
    page = client.get(f"/surveys/{survey.id}/build")
    assert page.status_code == 200 and "Потребность в помощи по тематическим направлениям" in page.text
    assert client.post(f"/surveys/{survey.id}/status", data={"status": "open"}).status_code == 302
    db_session.refresh(survey)
    assert survey.status == "open"
    assert "Экологическое воспитание" in client.get(f"/surveys/{survey.id}/preview").text
    report = client.get(f"/surveys/{survey.id}/report")
    main = report.text.split("<main")[1].split("</main>")[0]
    assert report.status_code == 200 and "Аналитическая справка" in main and "<svg" not in main  # no charts yet
    xlsx = client.get(f"/surveys/{survey.id}/report.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    index = client.get("/surveys/")
    assert "0 ответов" in index.text


def test_report_page_draws_svg_charts_and_admin_sees_dynamics(client, auth, db_session, survey_factory, net):
    survey = survey_factory([Q("likert", "Готовность")])
    qid = survey.sections[0].questions[0].id
    for person in net.people[:2]:
        answering.submit(db_session, survey, person, {f"q{qid}": ["4"]}, net.topics)
    db_session.commit()
    _login_as(auth, net, 5, ADMIN)
    page = client.get(f"/surveys/{survey.id}/report")
    assert "<svg" in page.text and "2 ответа" in page.text and "http" not in page.text.split("<svg", 1)[1][:200]
    assert client.get(f"/surveys/dynamics?start={survey.id}&end={survey.id}").status_code == 200


def test_report_page_writes_means_and_shares_for_the_reader_locale(client, auth, db_session, survey_factory, net):
    survey = survey_factory([Q("likert", "Готовность")])
    qid = survey.sections[0].questions[0].id
    for person, value in zip(net.people[:2], ("4", "5")):
        answering.submit(db_session, survey, person, {f"q{qid}": [value]}, net.topics)
    db_session.commit()
    _login_as(auth, net, 5, ADMIN)
    page = client.get(f"/surveys/{survey.id}/report").text
    assert "4,50" in page and "4.50" not in page  # the mean, with a decimal comma
    assert "1 (50\xa0%)" in page  # a bar's caption: count and share, CLDR's non-breaking space
    english = client.get(f"/surveys/{survey.id}/report?lang=en").text
    assert "4.50" in english and "1 (50%)" in english


def test_builder_change_after_responses_redirects_to_the_new_version(client, auth, db_session, survey_factory, net):
    survey = survey_factory(QUESTIONS)
    number, _text = answering.ordered_questions(survey)
    answering.submit(db_session, survey, net.people[0], {f"q{number.id}": ["3"]}, net.topics)
    db_session.commit()
    _login_as(auth, net, 5, METHODIST)
    response = client.post(f"/surveys/{survey.id}/question/{number.id}/delete")
    new = db_session.scalars(sa.select(Survey).where(Survey.parent_id == survey.id)).one()
    assert response.headers["Location"].split("#")[0].endswith(f"/surveys/{new.id}/build")
    assert len(answering.ordered_questions(new)) == 1
    assert db_session.scalar(sa.select(sa.func.count()).select_from(SurveyResponse)) == 1
