"""Valid launches (the certification cases), provisioning rows, sessions, dispatch, two processes."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Blueprint

from lti_tool import create_app
from lti_tool.core.accounts import User
from lti_tool.core.courses import Course, Enrollment, ResourceLink
from lti_tool.core.grades import LineItem
from lti_tool.core.reference import Person
from lti_tool.core.roles import grant_role
from lti_tool.lti.models import Platform
from lti_tool.web.auth import check_network, require_actor
from lti_tool.web.extensions import db
from tests.conftest import session_actor
from tests.lti.platform import AGS_CLAIM, DROP, ROLE, LtiActions, TestPlatform

INST = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#"
SYSTEM = "http://purl.imsglobal.org/vocab/lis/v2/system/person#"

VALID = [
    ("plain-learner", dict(role="Learner"), {"teacher"}),
    ("plain-instructor", dict(role="Instructor"), {"tutor"}),
    ("multiple-roles", dict(role=[ROLE + "Instructor", INST + "Staff", INST + "Other"]), {"tutor"}),
    ("short-role", dict(role="Instructor", short=True), {"tutor"}),
    ("unknown-role", dict(role="http://purl.imsglobal.org/vocab/lis/v2/unknown/unknown#Helper"), {"teacher"}),
    ("no-role", dict(role=None), {"teacher"}),
    ("teaching-assistant", dict(role="http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"),
     {"tutor"}),
    ("mentor", dict(role="Mentor"), {"tutor"}),
    ("content-developer", dict(role="ContentDeveloper"), {"methodist"}),
    ("site-admin", dict(role=[SYSTEM + "Administrator", INST + "Administrator"]), {"admin"}),
    ("email-only", dict(role="Learner", name=DROP, given_name=DROP, family_name=DROP), {"teacher"}),
    ("names-only", dict(role="Instructor", email=DROP), {"tutor"}),
    ("no-personal-data", dict(role="Learner", name=DROP, given_name=DROP, family_name=DROP, email=DROP), {"teacher"}),
    ("email-no-context", dict(role="Instructor", name=DROP, given_name=DROP, family_name=DROP, context=DROP),
     {"tutor"}),
]


@pytest.mark.parametrize("case_id,case,roles", VALID, ids=[c[0] for c in VALID])
def test_certification_valid_launches(app, lti, case_id, case, roles):
    case = dict(case)
    role = case.pop("role")
    if case.pop("short", False):
        kwargs = {"https://purl.imsglobal.org/spec/lti/claim/roles": [role]}  # Moodle's bare "Instructor"
        response = lti.launch(None, **kwargs, **case)
    else:
        response = lti.launch(role, **case)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    actor = session_actor(lti.client)
    assert set(actor["roles"]) == roles
    assert lti.client.get(response.headers["Location"]).status_code == 200
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        assert user.sub == "user-1"
        assert (user.email is not None) == ("email" not in case)
        if "context" in case:
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Course)) == 0
            assert actor["course_id"] is None
        else:
            assert actor["course_id"] == db.session.scalar(sa.select(Course.id))


def test_provisioning_rows(app, lti, platform, network_id):
    claims = {AGS_CLAIM: {"scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"],
                          "lineitems": "https://lms.test/ags/course-1/lineitems",
                          "lineitem": "https://lms.test/ags/course-1/lineitems/7"},
              "custom": {"tutornet_kind": "survey", "tutornet_id": "12", "tutornet_resource_id": "survey-12",
                         "tutornet_tag": "survey", "tutornet_label": "Анкета", "tutornet_score_maximum": "10"}}
    assert lti.launch("Instructor", **claims).status_code == 303
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        assert (user.issuer, user.name, user.email, user.locale) == (
            "https://lms.test", "Иванова Мария Петровна", "user-1@school.test", "ru-RU")
        course = db.session.scalar(sa.select(Course))
        assert (course.network_id, course.lti_context_id, course.title, course.label) == (
            network_id, "course-1", "Курс тьюторов", "ИПОМ-1")
        assert course.nrps_url == "https://lms.test/nrps/course-1"
        assert course.ags_lineitems_url == "https://lms.test/ags/course-1/lineitems"
        assert course.ags_scopes == ["https://purl.imsglobal.org/spec/lti-ags/scope/score"]
        enrollment = db.session.scalar(sa.select(Enrollment))
        assert (enrollment.user_id, enrollment.course_id, enrollment.status) == (user.id, course.id, "active")
        assert enrollment.lti_roles == [ROLE + "Instructor"]
        link = db.session.scalar(sa.select(ResourceLink))
        assert (link.lti_resource_link_id, link.target_kind, link.target_id, link.title) == (
            "link-1", "survey", 12, "Анкета педагога")
        assert link.ags_lineitem_url == "https://lms.test/ags/course-1/lineitems/7"
        item = db.session.scalar(sa.select(LineItem))
        assert (item.url, item.resource_id, item.tag, item.label, item.score_maximum, item.resource_link_id) == (
            "https://lms.test/ags/course-1/lineitems/7", "survey-12", "survey", "Анкета", 10.0, link.id)
        person = db.session.scalar(sa.select(Person))
        assert (person.network_id, person.user_id) == (network_id, user.id)
        assert db.session.scalar(sa.select(Platform.last_launch_at)) is not None
    # A second launch as another role updates, never duplicates.
    assert lti.launch("Learner", name="Иванова М. П.", **claims).status_code == 303
    with app.app_context():
        for model in (User, Course, Enrollment, ResourceLink, LineItem, Person):
            assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 1, model
        assert db.session.scalar(sa.select(Enrollment.lti_roles)) == [ROLE + "Learner"]
        assert db.session.scalar(sa.select(User.name)) == "Иванова М. П."


def test_repeat_launch_updates_what_changed(app, lti, db_session):
    """A launch into rows that all exist: what the LMS now sends replaces what was stored, a
    deactivated membership comes back, a link placed without a target gets one; nothing else moves."""
    assert lti.launch("Learner").status_code == 303
    db_session.execute(sa.update(Enrollment).values(status="deleted"))
    db_session.execute(sa.update(User).values(last_seen_at=sa.func.now() - sa.text("INTERVAL '1 hour'"))
                       if db_session.get_bind().dialect.name == "postgresql"
                       else sa.update(User).values(last_seen_at=None))
    db_session.commit()
    before = db_session.execute(sa.select(User.last_seen_at, Person.full_name).join(Person, Person.user_id == User.id)).one()
    response = lti.launch("Instructor", name="Иванова Мария Петровна (ДОУ № 5)", email="ivanova@school.test",
                          context={"id": "course-1", "title": "Курс тьюторов 2026", "label": "ИПОМ-2"},
                          custom={"tutornet_kind": "survey", "tutornet_id": "5"},
                          launch_presentation={"locale": "en"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/surveys/5")
    db_session.expire_all()
    user = db_session.scalar(sa.select(User))
    assert (user.name, user.email, user.locale) == ("Иванова Мария Петровна (ДОУ № 5)", "ivanova@school.test", "en")
    assert user.last_seen_at is not None and user.last_seen_at != before.last_seen_at
    course = db_session.scalar(sa.select(Course))
    assert (course.title, course.label) == ("Курс тьюторов 2026", "ИПОМ-2")
    enrollment = db_session.scalar(sa.select(Enrollment))
    assert (enrollment.status, enrollment.lti_roles) == ("active", [ROLE + "Instructor"])
    link = db_session.scalar(sa.select(ResourceLink))
    assert (link.target_kind, link.target_id) == ("survey", 5)
    # The network's person keeps the name it was given (a methodist may have corrected it).
    assert db_session.scalar(sa.select(Person.full_name)) == before.full_name
    for model in (User, Course, Enrollment, ResourceLink, Person):
        assert db_session.scalar(sa.select(sa.func.count()).select_from(model)) == 1, model
    actor = session_actor(lti.client)
    assert actor["roles"] == ["tutor"] and actor["name"] == "Иванова Мария Петровна (ДОУ № 5)"


def test_tool_side_grant_adds_a_role(app, lti):
    assert lti.launch("Learner").status_code == 303
    actor = session_actor(lti.client)
    with app.app_context():
        grant_role(db.session, actor["network_id"], actor["user_id"], "methodist", granted_by_id=None)
        db.session.commit()
    assert lti.launch("Learner").status_code == 303
    assert set(session_actor(lti.client)["roles"]) == {"teacher", "methodist"}


def test_launch_sets_iframe_safe_cookies_and_locale(lti):
    response = lti.launch("Learner", launch_presentation={"locale": "en-US"})
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("tutornet_session="))
    assert "SameSite=None" in session_cookie and "Secure" in session_cookie and "Partitioned" in session_cookie
    with lti.client.session_transaction() as sess:
        assert sess["locale"] == "en"


def test_cookie_check_page_and_state_cookie(app, platform):
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    data = {"iss": platform.issuer, "login_hint": "h", "target_link_uri": "https://tool.test/lti/launch",
            "client_id": platform.client_id}
    page = client.post("/lti/login", data=data)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="lti1p3_new_window" value="1"' in html and "Открыть в новом окне" in html
    assert "<script>" not in html  # the CSP forbids inline scripts: lti.js does the work
    assert any("tutornet_cookie_probe=1" in c and "Partitioned" in c for c in page.headers.getlist("Set-Cookie"))
    # The probe cookie came back: straight to the platform, with an iframe-safe state cookie.
    redirect = client.post("/lti/login", data=data)
    assert redirect.status_code == 302
    state_cookie = next(c for c in redirect.headers.getlist("Set-Cookie") if c.startswith("lti1p3-state-"))
    assert "SameSite=None" in state_cookie and "Secure" in state_cookie and "Partitioned" in state_cookie


def test_launch_without_cookies_succeeds(app, platform):
    """Third-party cookies blocked: the state is found in shared storage, not in a cookie."""
    login_client = app.test_client(use_cookies=False)
    launch_client = app.test_client(use_cookies=False)
    for c in (login_client, launch_client):
        c.environ_base["wsgi.url_scheme"] = "https"
    actions = LtiActions(app, login_client, platform)
    response = actions.launch("Learner", client=launch_client, login_client=login_client)
    assert response.status_code == 303


def test_two_app_instances_share_the_login(app, platform, database_url):
    """Login handled by one process, launch by another (same database, different app objects)."""
    other = create_app({**{k: app.config[k] for k in ("TESTING", "SECRET_KEY", "WTF_CSRF_ENABLED", "TOOL_BASE_URL")},
                        "DATABASE_URL": database_url, "CELERY_BROKER_URL": "memory://"})
    try:
        first, second = app.test_client(), other.test_client()
        for c in (first, second):
            c.environ_base["wsgi.url_scheme"] = "https"
        response = LtiActions(app, first, platform).launch("Instructor", client=second, login_client=first)
        assert response.status_code == 303
        assert session_actor(second)["roles"] == ["tutor"]
    finally:
        other.extensions["tutornet_db"][0].dispose()


def test_tenancy_network_b_cannot_read_network_a(app, client, auth, platform):
    """A launch from network B's platform gets 404 for network A's course, by URL too."""
    probe = Blueprint("tenancy_probe", __name__)

    @probe.get("/_test/courses/<int:course_id>")
    def show_course(course_id):
        require_actor()
        return check_network(db.session.get(Course, course_id)).title or ""

    app.register_blueprint(probe)
    platform_b = TestPlatform(issuer="https://lms-b.test", client_id="client-b", deployment_id="b-1", key_index=3)
    with app.app_context():
        from lti_tool.lti.platforms import create_platform

        create_platform(db.session, **platform_b.registration(auth.network("Сеть Б", slug="net-b")))
        db.session.commit()
    a = LtiActions(app, client, platform)
    assert a.launch("Instructor", context_id="course-a").status_code == 303
    course_a = session_actor(client)["course_id"]
    assert client.get(f"/_test/courses/{course_a}").status_code == 200
    client_b = app.test_client()
    client_b.environ_base["wsgi.url_scheme"] = "https"
    assert LtiActions(app, client_b, platform_b).launch("Instructor", context_id="course-a").status_code == 303
    course_b = session_actor(client_b)["course_id"]
    assert course_b != course_a  # same context id on another platform: another course
    assert client_b.get(f"/_test/courses/{course_b}").status_code == 200
    assert client_b.get(f"/_test/courses/{course_a}").status_code == 404


def test_opening_the_launch_address_directly_explains_it(client):
    """Moodle GETs the tool URL when an activity is saved; a person may open it by hand too."""
    page = client.get("/lti/launch")
    assert page.status_code == 200
    assert "Адрес запуска TutorNet" in page.get_data(as_text=True)
    english = client.get("/lti/launch?lang=en")
    assert "launch address" in english.get_data(as_text=True)
