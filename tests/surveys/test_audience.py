"""Survey audiences: who is asked (roles from stored enrollments, organizations, clusters), what a
person outside the audience sees, and response rates divided by the audience."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from lti_tool.core.accounts import Network, RoleGrant, User
from lti_tool.core.courses import Course, Enrollment
from lti_tool.core.member_roles import member_roles
from lti_tool.core.reference import Organization, Person
from lti_tool.lti.models import Deployment, Platform
from lti_tool.surveys import answering, audience, builder, services
from lti_tool.surveys.builder import QuestionData as Q
from lti_tool.surveys.roster import Filters
from lti_tool.surveys.services import SurveyError
from lti_tool.web.auth import ADMIN, METHODIST, TEACHER, TUTOR

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
LEARNER, INSTRUCTOR = LIS + "membership#Learner", LIS + "membership#Instructor"
CONTENT_DEVELOPER, INSTITUTION_ADMIN = LIS + "membership#ContentDeveloper", LIS + "institution/person#Administrator"
QUESTIONS = [Q("likert", "Готовность к самообразованию", required=True)]


def _course(session, network_id: int) -> Course:
    platform = Platform(network_id=network_id, issuer="https://lms.test", client_id="c",
                        auth_login_url="https://lms.test/a", auth_token_url="https://lms.test/t")
    session.add(platform)
    session.flush()
    deployment = Deployment(platform_id=platform.id, deployment_id="1", network_id=network_id)
    session.add(deployment)
    session.flush()
    course = Course(network_id=network_id, deployment_id=deployment.id, lti_context_id="ctx")
    session.add(course)
    session.flush()
    return course


def _staff(session, net, course: Course) -> tuple[Person, Person]:
    """A methodist and an administrator who launched from the course (as the demo LMS sends them)."""
    found = []
    for name, roles in (("Методист", [CONTENT_DEVELOPER, INSTRUCTOR]), ("Администратор", [INSTRUCTOR, INSTITUTION_ADMIN])):
        user = User(issuer="https://lms.test", sub=name, name=name)
        session.add(user)
        session.flush()
        person = Person(network_id=net.id, user_id=user.id, full_name=name, organization_id=net.orgs[0])
        session.add_all([person, Enrollment(course_id=course.id, user_id=user.id, lti_roles=roles)])
        found.append(person)
    session.flush()
    return found[0], found[1]


def _answer(session, survey, person, launch_roles=()):
    qid = answering.ordered_questions(survey)[0].id
    return answering.submit(session, survey, person, {f"q{qid}": ["4"]}, [], launch_roles=launch_roles)


def test_member_roles_come_from_enrollments_grants_and_the_tutor_mark(db_session, net):
    course = _course(db_session, net.id)
    methodist, admin = _staff(db_session, net, course)
    p = net.people
    db_session.add_all([Enrollment(course_id=course.id, user_id=p[0].user_id, lti_roles=[LEARNER]),
                        Enrollment(course_id=course.id, user_id=p[1].user_id, lti_roles=[INSTRUCTOR]),
                        Enrollment(course_id=course.id, user_id=p[2].user_id, lti_roles=[LEARNER], status="deleted"),
                        RoleGrant(network_id=net.id, user_id=p[4].user_id, role="methodist")])
    db_session.flush()
    roles = member_roles(db_session, net.id)
    assert roles[p[0].id] == {TEACHER} and roles[p[1].id] == {TUTOR}
    assert roles[p[2].id] == {TEACHER}  # a deleted enrollment says nothing: a person with no role is a teacher
    assert roles[p[3].id] == {TUTOR}  # the resource map's tutor mark
    assert roles[p[4].id] == {METHODIST}  # a tool-side grant
    assert roles[methodist.id] == {METHODIST, TUTOR} and roles[admin.id] == {ADMIN, TUTOR}
    people = audience.load_people(db_session, net.id)
    assert people.roles[methodist.id] == {METHODIST} and people.roles[admin.id] == {ADMIN}  # staff dominate


def test_rate_divides_by_the_audience_not_by_everyone(db_session, survey_factory, net):
    """The seed's complaint: every teacher answered, yet 56 % was shown (divided by everyone)."""
    course = _course(db_session, net.id)
    _staff(db_session, net, course)
    survey = survey_factory(QUESTIONS, kind="self_assessment")
    assert survey.audience_roles == ["teacher"]
    teachers = [p for p in net.people if not p.is_tutor]
    for person in teachers:
        _answer(db_session, survey, person)
    rate = audience.rates(db_session, net.id, [survey])[survey.id]
    assert (rate.answered, rate.asked, rate.rate) == (5, 5, 1.0)  # 5 of 5 teachers; the tutor and staff are not asked
    widened = audience.set_audience(db_session, survey, ["teacher", "tutor"])
    assert audience.rates(db_session, net.id, [widened])[survey.id] == audience.Rate(5, 6)
    by_org = audience.rates(db_session, net.id, [survey], Filters(organization_id=net.orgs[1]))[survey.id]
    assert (by_org.answered, by_org.asked) == (2, 2)


def test_methodists_and_administrators_are_not_asked_the_teachers_self_assessment(db_session, survey_factory, net):
    course = _course(db_session, net.id)
    methodist, admin = _staff(db_session, net, course)
    survey = survey_factory(QUESTIONS, kind="self_assessment")
    for person, launch in ((methodist, {METHODIST, TUTOR}), (admin, {ADMIN, TUTOR})):
        assert services.surveys_for_person(db_session, net.id, person.id, launch) == []
        with pytest.raises(SurveyError) as refused:
            _answer(db_session, survey, person, launch)
        assert refused.value.code == "not_in_audience"
    # Even a tutor-and-teacher survey does not ask them, unless their role is chosen.
    audience.set_audience(db_session, survey, ["teacher", "tutor"])
    assert not audience.includes(db_session, survey, methodist.id, {METHODIST, TUTOR})
    audience.set_audience(db_session, survey, ["methodist"])
    assert audience.includes(db_session, survey, methodist.id, {METHODIST, TUTOR})
    assert not audience.includes(db_session, survey, admin.id)


def test_organization_and_cluster_audiences(db_session, survey_factory, net):
    survey = survey_factory(QUESTIONS)
    people = audience.load_people(db_session, net.id)
    ids = [p.id for p in net.people]
    audience.set_audience(db_session, survey, ["teacher", "tutor"], organization_ids=[net.orgs[1]])
    assert audience.members(people, audience.audience_of(survey)) == set(ids[4:])
    # The cluster holds organization 0 (people 0-3); a member in her own right counts too.
    lone = net.people[5]
    db_session.execute(sa.text("INSERT INTO cluster_person (cluster_id, person_id) VALUES (:c, :p)"),
                       {"c": net.cluster, "p": lone.id})
    audience.set_audience(db_session, survey, ["teacher"], cluster_ids=[net.cluster])
    people = audience.load_people(db_session, net.id)
    assert audience.members(people, audience.audience_of(survey)) == {ids[0], ids[1], ids[2], lone.id}


def test_an_audience_names_places_of_its_own_network_and_at_least_one_role(db_session, survey_factory, net):
    survey = survey_factory(QUESTIONS)
    with pytest.raises(SurveyError) as no_role:
        audience.set_audience(db_session, survey, [])
    elsewhere = Network(name="Другая сеть", slug="other")
    db_session.add(elsewhere)
    db_session.flush()
    other = Organization(network_id=elsewhere.id, name="Чужой ДОО")
    db_session.add(other)
    db_session.flush()
    with pytest.raises(SurveyError) as foreign:
        audience.set_audience(db_session, survey, ["teacher"], organization_ids=[net.orgs[0], other.id])
    assert (no_role.value.code, foreign.value.code) == ("no_audience", "bad_audience")


def test_anonymous_rate_counts_participation_and_a_copy_keeps_the_audience(db_session, survey_factory, net):
    survey = survey_factory(QUESTIONS, anonymous=True)
    audience.set_audience(db_session, survey, ["teacher", "tutor"], organization_ids=[net.orgs[0]])
    for person in net.people[2:6]:  # 2 in organization 0, 2 outside the audience
        if person.organization_id == net.orgs[0]:
            _answer(db_session, survey, person)
        else:
            with pytest.raises(SurveyError):
                _answer(db_session, survey, person)
    assert audience.rates(db_session, net.id, [survey])[survey.id] == audience.Rate(2, 4)
    copy, _map = builder.copy_survey(db_session, survey, new_version=False)
    assert audience.audience_of(copy) == audience.audience_of(survey)


def test_a_teacher_outside_the_audience_does_not_see_the_survey_and_gets_a_clear_page(
        client, auth, db_session, survey_factory, net):
    survey = survey_factory(QUESTIONS, title="Анкета для ДОО № 135")
    audience.set_audience(db_session, survey, ["teacher"], organization_ids=[net.orgs[1]])
    db_session.commit()
    auth.login(TEACHER, network_id=net.id, user_id=net.people[0].user_id)  # organization 0
    assert "Анкета для ДОО № 135" not in client.get("/surveys/").text
    page = client.get(f"/surveys/{survey.id}")
    assert page.status_code == 403 and "другим участникам" in page.text
    qid = answering.ordered_questions(survey)[0].id
    assert client.post(f"/surveys/{survey.id}", data={f"q{qid}": "4", "action": "submit"}).status_code == 403
    auth.login(TEACHER, network_id=net.id, user_id=net.people[4].user_id)  # organization 1
    assert "Анкета для ДОО № 135" in client.get("/surveys/").text
    page = client.get(f"/surveys/{survey.id}")
    assert page.status_code == 200 and "Кого опрашиваем: Педагоги · организации: МАДОУ № 135" in page.text


def test_a_methodist_launching_with_a_tutor_role_is_shown_the_preview(client, auth, survey_factory, net):
    survey = survey_factory(QUESTIONS, kind="self_assessment", title="Самооценка")
    auth.login(METHODIST, TUTOR, network_id=net.id)
    listing = client.get("/surveys/").text
    assert "Мои анкеты" in listing and "Сейчас нет анкет, ожидающих вашего ответа" in listing
    page = client.get(f"/surveys/{survey.id}")
    assert page.status_code == 302 and page.headers["Location"].endswith(f"/surveys/{survey.id}/preview")


def test_builder_sets_the_audience_and_the_report_shows_it_with_the_rate(client, auth, db_session, survey_factory, net):
    survey = survey_factory(QUESTIONS)
    for person in net.people[:2]:
        _answer(db_session, survey, person)
    db_session.commit()
    auth.login(METHODIST, network_id=net.id)
    response = client.post(f"/surveys/{survey.id}/audience",
                           data={"roles": ["teacher"], "organization_ids": [str(net.orgs[0])]})
    assert response.status_code == 302
    db_session.expire_all()
    assert audience.audience_of(db_session.get(type(survey), survey.id)) == audience.Audience(
        frozenset({"teacher"}), frozenset({net.orgs[0]}))
    report = client.get(f"/surveys/{survey.id}/report").text
    assert "Кого опрашиваем: Педагоги · организации: МАДОУ № 69" in report
    assert "ответили 2 из 3 опрошенных — 67" in report  # people 0-2 of organization 0 (3 is a tutor)
    refused = client.post(f"/surveys/{survey.id}/audience", data={"roles": []}, follow_redirects=True)
    assert "Выберите хотя бы одну роль" in refused.text
