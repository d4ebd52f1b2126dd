"""The resources survey: its template, its offers to the resource map (accept/decline), and the
"Tutor" status candidates found in the answers."""
from __future__ import annotations

import random
from datetime import date

import pytest
import sqlalchemy as sa

from lti_tool.core.reference import AcademicYear
from lti_tool.resource_map.models import Offering
from lti_tool.surveys import answering, candidates, demo, offers, services, templates_ru
from lti_tool.surveys.models import SurveyOffer
from lti_tool.surveys.services import SurveyError
from lti_tool.web.auth import METHODIST, TEACHER


@pytest.fixture
def resource_survey(db_session, net):
    year = AcademicYear(network_id=net.id, title="2025/2026", starts_on=date(2025, 9, 1), ends_on=date(2026, 8, 31),
                        is_current=True)
    db_session.add(year)
    db_session.flush()
    survey = templates_ru.resource_survey(db_session, net.id, year.id)
    services.set_status(db_session, survey, "open")
    db_session.commit()
    return survey


def _by_code(survey):
    return {q.code: q for q in answering.ordered_questions(survey)}


def _option(question, text=None, value=None, topic_id=None):
    return next(o for o in question.options
                if (text is None or o.text == text) and (value is None or o.value == value)
                and (topic_id is None or o.topic_id == topic_id))


def _values(survey, *, ready="yes", offer1=None, offer2=None, experience="12", achievements=""):
    q = _by_code(survey)
    values = {f"q{q['organization'].id}": ["МАДОУ № 69"], f"q{q['position'].id}": [str(q["position"].options[0].id)],
              f"q{q['experience'].id}": [experience],
              f"q{q['ready_to_tutor'].id}": [str(_option(q["ready_to_tutor"], value=ready).id)],
              f"q{q['education'].id}": [str(q["education"].options[0].id)],
              f"q{q['achievements'].id}": [achievements]}
    for n, offer in ((1, offer1), (2, offer2)):
        if offer is None:
            continue
        topic, form, title = offer
        topic_q = q[f"offer{n}_topic"]
        if isinstance(topic, int):
            values[f"q{topic_q.id}"] = [str(_option(topic_q, topic_id=topic).id)]
        else:
            values[f"q{topic_q.id}"], values[f"q{topic_q.id}_other"] = [answering.OTHER], [topic]
        values[f"q{q[f'offer{n}_form'].id}"] = [str(_option(q[f"offer{n}_form"], value=form).id)]
        values[f"q{q[f'offer{n}_title'].id}"] = [title]
        values[f"q{q[f'offer{n}_description'].id}"] = [f"Опыт: {title}"]
    return values


def test_the_template_asks_topic_form_and_readiness_of_teachers_and_tutors(resource_survey, net):
    q = _by_code(resource_survey)
    assert resource_survey.kind == "resource" and resource_survey.audience_roles == ["teacher", "tutor"]
    assert {o.topic_id for o in q["offer1_topic"].options} == set(net.topics) and q["offer1_topic"].allow_other
    assert [o.value for o in q["offer2_form"].options][:2] == ["consultation", "tutorial"]
    assert [o.value for o in q["ready_to_tutor"].options] == ["yes", "later", "no"]


def test_answers_become_offers_linked_to_the_person_and_an_edit_replaces_only_undecided_ones(
        db_session, resource_survey, net):
    resource_survey.allow_edit_until_close = True
    teacher = net.people[0]
    values = _values(resource_survey, offer1=(net.topics[0], "master_class", "Эколята"),
                     offer2=("Музейная педагогика", "tutorial", "Мини-музей в группе"))
    answering.submit(db_session, resource_survey, teacher, values, net.topics)
    first, second = db_session.scalars(sa.select(SurveyOffer).order_by(SurveyOffer.position)).all()
    assert (first.person_id, first.topic_id, first.form, first.title, first.status) == (
        teacher.id, net.topics[0], "master_class", "Эколята", "proposed")
    assert (second.topic_id, second.topic_text, second.form) == (None, "Музейная педагогика", "tutorial")
    offers.decline(db_session, second, None)
    # She changes her first offer and drops the second: the declined one stays as decided.
    values = _values(resource_survey, offer1=(net.topics[1], "consultation", "Речевые игры"))
    answering.submit(db_session, resource_survey, teacher, values, net.topics)
    rows = db_session.scalars(sa.select(SurveyOffer).order_by(SurveyOffer.position)).all()
    assert [(o.position, o.title, o.status) for o in rows] == [(1, "Речевые игры", "proposed"),
                                                               (2, "Мини-музей в группе", "declined")]


def test_accepting_puts_the_offer_on_the_map_once_with_the_person_as_provider(db_session, resource_survey, net):
    answering.submit(db_session, resource_survey, net.people[1],
                     _values(resource_survey, offer1=("Новая тема", "master_class", "Нейроигры")), net.topics)
    offer = db_session.scalar(sa.select(SurveyOffer))
    offering = offers.accept(db_session, offer, None, year_id=resource_survey.year_id, topic_id=net.topics[2],
                             form="master_class", title=None, capacity=12)
    assert (offering.person_id, offering.topic_id, offering.form, offering.title, offering.capacity) == (
        net.people[1].id, net.topics[2], "master_class", "Нейроигры", 12)
    assert (offer.status, offer.offering_id) == ("accepted", offering.id)
    with pytest.raises(SurveyError) as twice:
        offers.accept(db_session, offer, None, year_id=resource_survey.year_id, topic_id=net.topics[2],
                      form="master_class")
    assert twice.value.code == "decided"
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Offering)) == 1


def test_anonymous_resource_answers_propose_nothing(db_session, resource_survey, net):
    resource_survey.anonymous = True
    answering.submit(db_session, resource_survey, net.people[0],
                     _values(resource_survey, offer1=(net.topics[0], "tutorial", "Эколята")), net.topics)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(SurveyOffer)) == 0


def test_tutor_candidates_are_tutees_whose_latest_answer_is_ready_with_their_answers_as_evidence(
        db_session, resource_survey, net):
    p = net.people
    answering.submit(db_session, resource_survey, p[0], _values(resource_survey, ready="yes", experience="15",
                                                              achievements="Победитель конкурса «Воспитатель года»"),
                     net.topics)
    answering.submit(db_session, resource_survey, p[1], _values(resource_survey, ready="later"), net.topics)
    answering.submit(db_session, resource_survey, p[2], _values(resource_survey, ready="no"), net.topics)
    answering.submit(db_session, resource_survey, p[3], _values(resource_survey, ready="yes"), net.topics)  # a tutor
    # A later needs assessment where p[1] says "no" overrides her earlier "later".
    needs = templates_ru.needs_assessment(db_session, net.id)
    services.set_status(db_session, needs, "open")
    ready = next(q for q in answering.ordered_questions(needs) if q.code == "ready_to_tutor")
    needs_values = demo._values(needs, p[1], net.topics, random.Random(1), lambda _p, _k: 3)
    needs_values[f"q{ready.id}"] = [str(_option(ready, value="no").id)]
    answering.submit(db_session, needs, p[1], needs_values, net.topics)
    total, found = candidates.tutor_candidates(db_session, net.id)
    assert total == 1 and [c.person_id for c in found] == [p[0].id]
    [candidate] = found
    assert (candidate.readiness, candidate.answer) == ("yes", "Да")
    evidence = dict(candidate.evidence)
    assert evidence["Педагогический стаж (полных лет)"] == "15"
    assert evidence["Образование"] == "Высшее педагогическое"
    assert "Воспитатель года" in candidate.statement and candidate.survey_title in candidate.statement


def test_methodist_decides_offers_on_a_page_and_a_teacher_cannot(client, auth, db_session, resource_survey, net):
    answering.submit(db_session, resource_survey, net.people[0],
                     _values(resource_survey, offer1=(net.topics[0], "master_class", "Эколята")), net.topics)
    db_session.commit()
    offer = db_session.scalar(sa.select(SurveyOffer))
    auth.login(TEACHER, network_id=net.id, user_id=net.people[0].user_id)
    assert client.get("/surveys/offers").status_code == 403
    auth.login(METHODIST, network_id=net.id)
    page = client.get("/surveys/offers").text
    assert "Предложения в ресурсную карту" in page and "Эколята" in page and net.people[0].full_name in page
    bad = client.post(f"/surveys/offers/{offer.id}/accept", data={"year_id": str(resource_survey.year_id),
                                                                  "topic_id": "", "form": "master_class"},
                      follow_redirects=True)
    assert "Выберите" in bad.text and "тем" in bad.text
    done = client.post(f"/surveys/offers/{offer.id}/accept", data={
        "year_id": str(resource_survey.year_id), "topic_id": str(net.topics[0]), "form": "master_class",
        "title": "Эколята-дошколята", "delivery": "in_person"}, follow_redirects=True)
    assert "Предложение внесено в ресурсную карту: Эколята-дошколята." in done.text
    db_session.expire_all()
    assert db_session.scalar(sa.select(Offering.title)) == "Эколята-дошколята"


def test_commission_lists_the_candidates_and_opens_a_file_with_the_evidence(client, auth, db_session,
                                                                         resource_survey, net):
    answering.submit(db_session, resource_survey, net.people[0], _values(resource_survey, ready="yes"), net.topics)
    db_session.commit()
    auth.login(METHODIST, network_id=net.id)
    page = client.get("/commission/").text
    assert "Готовы делиться опытом (по анкетам)" in page and net.people[0].full_name in page
    _total, [candidate] = candidates.tutor_candidates(db_session, net.id)
    opened = client.post("/commission/candidates", data={"person_id": str(candidate.person_id),
                                                         "statement": candidate.statement})
    assert opened.status_code == 302
    assert "Дело кандидата открыто." in client.get("/commission/").text
