"""Findings 5, 6, 8 and 10 of issue 18: accounts, ids from forms, contacts and sessions hold
their tenant. Over HTTP: signed launches of test platforms, forms posted by each role."""
from __future__ import annotations

import base64
import io
import json
import zlib
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from lti_tool.web.auth import ADMIN, METHODIST, TEACHER
from lti_tool.web.extensions import db
from lti_tool.lti.platforms import create_platform, set_platform_enabled
from lti_tool.pathways import services as pathways
from lti_tool.pathways.models import RouteStep
from lti_tool.core.reference import AcademicYear, Topic
from lti_tool.surveys import services as surveys
from lti_tool.surveys.models import Survey, SurveyQuestion
from lti_tool.core.accounts import User
from lti_tool.core.courses import Course, Enrollment
from lti_tool.core.roles import grant_role, revoke_role
from tests.conftest import Auth
from tests.lti.platform import LtiActions, TestPlatform
from tests.pathways.world import build_world
from tests.resource_map.conftest import build_map


def _client(app):
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    return client


def _foreign_network(session) -> tuple[int, int, str]:
    """Network B with a year and a topic whose name network A must never read: (year, topic, name)."""
    from lti_tool.core.accounts import Network

    net = Network(name="Сеть Б", slug="net-b-foreign")
    session.add(net)
    session.flush()
    year = AcademicYear(network_id=net.id, title="2031/2032 сети Б", starts_on=date(2031, 9, 1),
                        ends_on=date(2032, 8, 31))
    topic = Topic(network_id=net.id, name="Секретная тема сети Б")
    session.add_all([year, topic])
    session.commit()
    return year.id, topic.id, topic.name


# --- 5. accounts keyed by (issuer, sub) across networks ---

SHARED_ISSUER = "https://regional-lms.test"


def test_finding_05_a_launch_in_another_network_never_rewrites_an_account(app, client, auth):
    a, b = auth.network("Сеть А", slug="net-a"), auth.network("Сеть Б", slug="net-b")
    platform_a = TestPlatform(issuer=SHARED_ISSUER, client_id="client-a", deployment_id="dep-a", key_index=0)
    with app.app_context():
        create_platform(db.session, **platform_a.registration(a))
        db.session.commit()
    first = LtiActions(app, client, platform_a).launch("Learner", sub="teacher-7", name="Иванова Мария Петровна",
                                                       email="maria@dou8.example.ru")
    assert first.status_code < 400
    # Network B's administrator adds a platform claiming A's issuer, with keys B holds.
    admin = _client(app)
    Auth(app, admin).login(ADMIN, network_id=b)
    platform_b = TestPlatform(issuer=SHARED_ISSUER, client_id="client-b", deployment_id="dep-b", key_index=4)
    added = admin.post("/admin/platforms/new", data={
        "issuer": SHARED_ISSUER, "client_id": "client-b", "auth_login_url": f"{SHARED_ISSUER}/auth",
        "auth_token_url": f"{SHARED_ISSUER}/token", "key_set": json.dumps(platform_b.jwks()),
        "deployment_ids": "dep-b"})
    if added.status_code == 302:
        LtiActions(app, _client(app), platform_b).launch("Learner", sub="teacher-7", name="Взломщица",
                                                         email="intruder@evil.test")
    with app.app_context():
        name, email = db.session.execute(
            sa.select(User.name, User.email).join(Enrollment, Enrollment.user_id == User.id)
            .join(Course, Course.id == Enrollment.course_id).where(Course.network_id == a)).one()
    assert (name, email) == ("Иванова Мария Петровна", "maria@dou8.example.ru")


def test_finding_05_an_approved_shared_issuer_still_keeps_accounts_apart(app, client, auth):
    """Network A approves B's use of its issuer (an invitation code of A): B's launches get B's own
    accounts, and A's names and emails stay what A's platform sent."""
    from lti_tool.admin import invitations

    a, b = auth.network("Сеть А", slug="net-a"), auth.network("Сеть Б", slug="net-b")
    platform_a = TestPlatform(issuer=SHARED_ISSUER, client_id="client-a", deployment_id="dep-a", key_index=0)
    with app.app_context():
        create_platform(db.session, **platform_a.registration(a))
        code = invitations.issue(db.session, a)
        db.session.commit()
    assert LtiActions(app, client, platform_a).launch("Learner", sub="teacher-7", name="Иванова Мария Петровна",
                                                      email="maria@dou8.example.ru").status_code < 400
    admin = _client(app)
    Auth(app, admin).login(ADMIN, network_id=b)
    platform_b = TestPlatform(issuer=SHARED_ISSUER, client_id="client-b", deployment_id="dep-b", key_index=4)
    added = admin.post("/admin/platforms/new", data={
        "issuer": SHARED_ISSUER, "client_id": "client-b", "auth_login_url": f"{SHARED_ISSUER}/auth",
        "auth_token_url": f"{SHARED_ISSUER}/token", "key_set": json.dumps(platform_b.jwks()),
        "deployment_ids": "dep-b", "approval_code": code})
    assert added.status_code == 302, added.get_data(as_text=True)[:300]
    assert LtiActions(app, _client(app), platform_b).launch("Learner", sub="teacher-7", name="Взломщица",
                                                            email="intruder@evil.test").status_code < 400
    with app.app_context():
        accounts = dict(db.session.execute(sa.select(User.network_id, User.email).where(User.sub == "teacher-7")).all())
    assert accounts == {a: "maria@dou8.example.ru", b: "intruder@evil.test"}


def test_finding_05_an_issuer_of_one_network_is_not_claimed_by_another(app, client, auth):
    a, b = auth.network("Сеть А", slug="net-a"), auth.network("Сеть Б", slug="net-b")
    with app.app_context():
        create_platform(db.session, **TestPlatform(issuer=SHARED_ISSUER, client_id="client-a").registration(a))
        db.session.commit()
    auth.login(ADMIN, network_id=b)
    response = client.post("/admin/platforms/new", data={
        "issuer": SHARED_ISSUER, "client_id": "client-b", "auth_login_url": f"{SHARED_ISSUER}/auth",
        "auth_token_url": f"{SHARED_ISSUER}/token", "key_set": json.dumps(TestPlatform(key_index=4).jwks())})
    assert response.status_code == 400


# --- 6. ids from forms are checked against the actor's network ---

def test_finding_06_survey_settings_refuse_another_network_s_year(app, client, auth, db_session):
    year_b, _topic_b, _name = _foreign_network(db_session)
    a = auth.network("Сеть А", slug="net-a")
    survey_id = surveys.create_survey(db_session, a, "Анкета").id
    db_session.commit()
    auth.login(METHODIST, network_id=a)
    client.post(f"/surveys/{survey_id}/settings", data={"title": "Анкета", "kind": "needs", "year_id": str(year_b)})
    db_session.expire_all()
    assert db_session.get(Survey, survey_id).year_id != year_b


def test_finding_06_survey_questions_refuse_another_network_s_topic(app, client, auth, db_session):
    _year_b, topic_b, name_b = _foreign_network(db_session)
    a = auth.network("Сеть А", slug="net-a")
    survey = surveys.create_survey(db_session, a, "Анкета")
    survey_id, section_id = survey.id, survey.sections[0].id
    db_session.commit()
    auth.login(METHODIST, network_id=a)
    client.post(f"/surveys/{survey_id}/sections/{section_id}/questions",
                data={"type": "single", "text": "Тема?", "options": "да\nнет", "topic_id": str(topic_b)})
    assert db_session.scalar(sa.select(sa.func.count()).select_from(SurveyQuestion)
                             .where(SurveyQuestion.topic_id == topic_b)) == 0
    assert name_b not in client.get(f"/surveys/{survey_id}/build").get_data(as_text=True)


def test_finding_06_self_education_refuses_another_network_s_topic(app, client, auth, db_session):
    _year_b, topic_b, name_b = _foreign_network(db_session)
    world = build_world(db_session)
    route = pathways.route_for(db_session, world.network_id, world.teachers[0], world.year_id, create=True)
    route.status = "published"
    route_id = route.id
    db_session.commit()
    auth.login(TEACHER, network_id=world.network_id, user_id=world.teacher_users[0])
    client.post(f"/pathways/routes/{route_id}/self-education",
                data={"self_kind": "reading", "title": "Прочитать статью", "topic_id": str(topic_b)})
    assert db_session.scalar(sa.select(sa.func.count()).select_from(RouteStep)
                             .where(RouteStep.topic_id == topic_b)) == 0
    assert name_b not in client.get("/pathways/").get_data(as_text=True)


# --- 8. a teacher downloads everyone's contacts ---

def test_finding_08_the_resource_map_export_shows_a_teacher_no_contacts(app, client, auth):
    nid = auth.network()
    with app.test_request_context("/"):
        build_map(db.session, nid)
    auth.login(TEACHER, network_id=nid)
    response = client.get("/resource-map/export.xlsx")
    assert response.status_code == 200
    cells = [str(v) for ws in load_workbook(io.BytesIO(response.data)).worksheets
             for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    assert not any("@" in v for v in cells), "emails in a teacher's export"
    assert "воспитатель" not in cells  # the position, hidden on the pages too


def test_finding_08_sibling_a_teacher_cannot_find_people_by_email(app, client, auth):
    """The people page searched emails for everyone: a teacher could confirm an address by trying it."""
    nid = auth.network()
    with app.test_request_context("/"):
        build_map(db.session, nid)
    auth.login(TEACHER, network_id=nid)
    page = client.get("/resource-map/people?all=1&q=anna.smirnova@dou8").get_data(as_text=True)
    assert "Смирнова Анна Петровна" not in page and "воспитатель" not in page
    assert "Смирнова Анна Петровна" in client.get("/resource-map/people?all=1&q=Смирнова").get_data(as_text=True)
    auth.login(METHODIST, network_id=nid)
    assert "Смирнова Анна Петровна" in client.get("/resource-map/people?all=1&q=anna.smirnova@dou8").get_data(
        as_text=True)


# --- 10. sessions follow the database, and the cookie carries nothing readable ---

def _launched(app, client, auth, *, grant: str | None = None):
    nid = auth.network()
    platform = TestPlatform()
    with app.app_context():
        create_platform(db.session, **platform.registration(nid))
        user = User(network_id=nid, issuer=platform.issuer, sub="teacher-9", name="Петрова Анна Ивановна")
        db.session.add(user)
        db.session.flush()
        if grant:
            grant_role(db.session, nid, user.id, grant, None)
        db.session.commit()
        user_id = user.id
    response = LtiActions(app, client, platform).launch("Learner", sub="teacher-9", name="Петрова Анна Ивановна")
    assert response.status_code < 400, response.get_data(as_text=True)[:500]
    return nid, user_id


def test_finding_10_disabling_a_platform_ends_its_sessions_at_once(app, client, auth):
    _launched(app, client, auth)
    assert client.get("/pathways/").status_code == 200
    with app.app_context():
        from lti_tool.lti.models import Platform

        set_platform_enabled(db.session, db.session.scalars(sa.select(Platform.id)).one(), False)
        db.session.commit()
    assert client.get("/pathways/").status_code == 401


def test_finding_10_a_revoked_role_takes_effect_at_the_next_request(app, client, auth):
    nid, user_id = _launched(app, client, auth, grant="methodist")
    assert client.get("/admin/").status_code == 200
    with app.app_context():
        revoke_role(db.session, nid, user_id, "methodist")
        db.session.commit()
    assert client.get("/admin/").status_code == 403


def test_finding_10_the_session_cookie_carries_no_readable_personal_data(app, client, auth):
    _nid, user_id = _launched(app, client, auth, grant="methodist")
    value = client.get_cookie("tutornet_session").value
    compressed, data = value.startswith("."), value.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    text = (zlib.decompress(raw) if compressed else raw).decode("utf-8", "replace")
    readable = json.dumps(json.loads(text), ensure_ascii=False)
    for secret in ("Петрова", "methodist", "teacher", '"user_id"', '"network_id"', '"roles"'):
        assert secret not in readable
