"""One response per person (also under concurrent submits), anonymity, drafts, dates."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lti_tool.core.clock import utcnow
from lti_tool.core.db import make_engine, make_session_factory
from lti_tool.core.reference import Person
from lti_tool.surveys import answering, services
from lti_tool.surveys.builder import QuestionData as Q
from lti_tool.surveys.models import Survey, SurveyAnswer, SurveyDraft, SurveyParticipation, SurveyResponse

QUESTIONS = [Q("likert", "Готовность к самообразованию", required=True), Q("short_text", "Пожелания")]


def _values(survey, rating="4", text="Больше практики"):
    likert, text_q = survey.sections[0].questions
    return {f"q{likert.id}": [rating], f"q{text_q.id}": [text]}


def _count(session, model, **where):
    return session.scalar(sa.select(sa.func.count()).select_from(model).filter_by(**where))


def test_second_submit_is_refused_when_editing_is_not_allowed(db_session, survey_factory, net):
    survey = survey_factory(QUESTIONS)
    person = net.people[0]
    answering.submit(db_session, survey, person, _values(survey), net.topics)
    db_session.commit()
    with pytest.raises(services.SurveyError) as exc:
        answering.submit(db_session, survey, person, _values(survey, "2"), net.topics)
    db_session.rollback()
    assert exc.value.code == "already_submitted"
    assert _count(db_session, SurveyResponse, survey_id=survey.id) == 1
    assert db_session.scalars(sa.select(SurveyAnswer.rating).where(SurveyAnswer.rating.is_not(None))).all() == [4]


def test_second_submit_updates_the_same_response_when_editing_is_allowed(db_session, survey_factory, net):
    survey = survey_factory(QUESTIONS, allow_edit_until_close=True)
    person = net.people[0]
    first = answering.submit(db_session, survey, person, _values(survey), net.topics)
    db_session.commit()
    assert answering.load_values(db_session, survey, person.id) == _values(survey)  # the edit form is prefilled
    second = answering.submit(db_session, survey, person, _values(survey, "2", "Иначе"), net.topics)
    db_session.commit()
    assert second.id == first.id
    assert _count(db_session, SurveyResponse, survey_id=survey.id) == 1
    assert sorted(db_session.scalars(sa.select(SurveyAnswer.text).where(SurveyAnswer.text.is_not(None)))) == ["Иначе"]


@pytest.mark.parametrize("anonymous", [False, True])
def test_two_concurrent_submits_never_make_two_responses(app, database_url, survey_factory, net, anonymous):
    survey = survey_factory(QUESTIONS, anonymous=anonymous)
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def worker():
        with factory() as session:
            s = session.get(Survey, survey.id)
            person = session.get(Person, net.people[0].id)
            values = _values(s)
            barrier.wait()
            try:
                answering.submit(session, s, person, values, net.topics)
                session.commit()
                outcomes.append("ok")
            except services.SurveyError as exc:
                session.rollback()
                outcomes.append(exc.code)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    engine.dispose()
    assert sorted(outcomes) == ["already_submitted", "ok"]
    with factory() as session:
        assert _count(session, SurveyResponse, survey_id=survey.id) == 1
        assert _count(session, SurveyAnswer) == 2
        assert _count(session, SurveyParticipation, survey_id=survey.id) == (1 if anonymous else 0)


def test_anonymous_response_tables_hold_no_reference_to_a_person_or_user(db_session, survey_factory, net):
    survey = survey_factory(QUESTIONS, anonymous=True)
    person = net.people[0]
    answering.save_draft(db_session, survey, person.id, _values(survey))
    answering.submit(db_session, survey, person, _values(survey), net.topics)
    db_session.commit()
    inspector = sa.inspect(db_session.get_bind())
    people = {"person", "user_account"}
    assert {fk["referred_table"] for fk in inspector.get_foreign_keys("survey_answer")}.isdisjoint(people)
    # The only column of survey_response that can point at a person is person_id (named surveys) …
    assert [fk["constrained_columns"] for fk in inspector.get_foreign_keys("survey_response")
            if fk["referred_table"] in people] == [["person_id"]]
    # … and an anonymous response leaves it NULL, with no role/cluster snapshot either:
    response = db_session.scalars(sa.select(SurveyResponse).where(SurveyResponse.survey_id == survey.id)).one()
    assert response.person_id is None and response.role is None and response.cluster_id is None
    assert response.organization_id == person.organization_id
    assert response.submitted_at.hour == 0 and response.submitted_at.minute == 0  # the day only
    # nothing in the participation row points at the response (no id, no time), and the draft is gone
    assert [c["name"] for c in inspector.get_columns("survey_participation")] == ["survey_id", "person_id"]
    assert _count(db_session, SurveyDraft, survey_id=survey.id) == 0
    answers = db_session.execute(sa.select(SurveyAnswer.__table__)).mappings().all()
    assert answers and all(set(a) == {"id", "response_id", "question_id", "option_id", "topic_id", "rating",
                                      "number", "text"} for a in answers)
    assert services.has_submitted(db_session, survey, person.id)
    assert answering.load_values(db_session, survey, person.id) == {}  # cannot be re-opened for editing


def test_validation_error_keeps_the_draft_server_side(db_session, survey_factory, net):
    survey = survey_factory(QUESTIONS)
    person = net.people[0]
    likert, text_q = survey.sections[0].questions
    values = {f"q{likert.id}": ["9"], f"q{text_q.id}": ["Черновик, набранный долго"]}
    with pytest.raises(answering.ValidationFailed) as exc:
        answering.submit(db_session, survey, person, values, net.topics)
    db_session.commit()
    assert exc.value.errors == {likert.id: ("bad_choice", {})}
    db_session.expire_all()  # a new request (even after the session expired) reads the draft back
    assert answering.load_values(db_session, survey, person.id) == values
    assert _count(db_session, SurveyResponse) == 0


def test_dates_and_status_decide_whether_answers_are_accepted(db_session, survey_factory, net):
    survey = survey_factory(QUESTIONS)
    person = net.people[0]
    survey.opens_at = utcnow() + timedelta(days=1)
    with pytest.raises(services.SurveyError, match="closed"):
        answering.submit(db_session, survey, person, _values(survey), net.topics)
    survey.opens_at, survey.closes_at = utcnow() - timedelta(days=2), utcnow() - timedelta(days=1)
    with pytest.raises(services.SurveyError, match="closed"):
        answering.save_draft(db_session, survey, person.id, _values(survey))
    survey.closes_at = None
    services.set_status(db_session, survey, "closed")
    assert not services.is_accepting(survey)
    services.set_status(db_session, survey, "open")
    answering.submit(db_session, survey, person, _values(survey), net.topics)
    assert _count(db_session, SurveyResponse) == 1
