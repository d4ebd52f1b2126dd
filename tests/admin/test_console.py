"""The admin console: scoping to the actor's network, roles, platforms, keys, invitations, grades."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from lti_tool.admin import console, invitations
from lti_tool.admin.models import NetworkInvitation
from lti_tool.core.accounts import User
from lti_tool.core.clock import utcnow
from lti_tool.core.courses import Course, Enrollment, RosterSync
from lti_tool.core.grades import LineItem, ScoreOutbox
from lti_tool.lti.models import Platform
from lti_tool.lti.platforms import create_platform
from lti_tool.lti.tool_keys import all_keys, signing_key
from lti_tool.web.auth import ADMIN, METHODIST, TEACHER, TUTOR

JWKS = {"keys": [{"kty": "RSA", "kid": "k1", "e": "AQAB", "n": "abc"}]}


def _platform(session, network_id, issuer="https://moodle.example.org", client_id="c1", deployments=("1",)):
    platform = create_platform(session, network_id=network_id, issuer=issuer, client_id=client_id,
                               auth_login_url=f"{issuer}/mod/lti/auth.php", auth_token_url=f"{issuer}/mod/lti/token.php",
                               key_set=JWKS, deployment_ids=deployments, name="Moodle района")
    session.commit()
    return platform


def _outbox(session, network_id, platform, status="failed", error="400 Incorrect score received"):
    course = Course(network_id=network_id, deployment_id=platform.deployments[0].id, lti_context_id="c-1",
                    title="Тьюторский курс")
    user = User(issuer=platform.issuer, sub="u-1", name="Петрова Анна")
    session.add_all([course, user])
    session.flush()
    item = LineItem(course_id=course.id, label="Участие в тьюториале", url=f"{platform.issuer}/li/1")
    session.add(item)
    session.flush()
    row = ScoreOutbox(network_id=network_id, course_id=course.id, line_item_id=item.id, user_id=user.id,
                      source_key="event_participant:1", score_given=1, score_maximum=1, status=status,
                      attempts=8, last_error=error, next_attempt_at=utcnow() + timedelta(days=1))
    session.add(row)
    session.commit()
    return row


@pytest.mark.parametrize("role", [TEACHER, TUTOR])
def test_console_refused_to_teachers_and_tutors(client, auth, role):
    auth.login(role)
    for url in ("/admin/", "/admin/invitations", "/admin/grades/failed", "/admin/platforms/new"):
        assert client.get(url).status_code == 403
    assert client.post("/admin/grades/failed/retry").status_code == 403


def test_console_needs_a_session(client):
    assert client.get("/admin/").status_code == 401


def test_overview_shows_own_network_only_with_sync_figures(client, auth, db_session):
    mine, other = auth.network("Сеть А"), auth.network("Сеть Б")
    platform = _platform(db_session, mine)
    _platform(db_session, other, issuer="https://other.example.org")
    push = _outbox(db_session, mine, platform)
    db_session.add(RosterSync(course_id=push.course_id, status="ok", finished_at=utcnow(), members_seen=31))
    db_session.commit()
    auth.login(METHODIST, network_id=mine)
    html = client.get("/admin/").get_data(as_text=True)
    assert "moodle.example.org" in html and "other.example.org" not in html
    assert "Moodle района" in html and "Сеть А" in html
    assert "ошибка: 1" in html  # grade pushes by status
    assert "успешно" in html  # last roster sync
    assert "не удалось передать" in html  # the failed pushes alert


def test_overview_counts_people_who_launch_but_are_not_in_the_roster(client, auth, db_session):
    """Launch-only enrollments (never in an NRPS roster, so never marked deleted by a pull) are
    counted per deployment, in Russian with the right plural; roster members and leavers are not."""
    nid = auth.network()
    platform = _platform(db_session, nid)
    course = Course(network_id=nid, deployment_id=platform.deployments[0].id, lti_context_id="c-9",
                    title="Курс", nrps_url="https://moodle.example.org/nrps/9")
    db_session.add(course)
    db_session.flush()
    for i, (source, status) in enumerate([("launch", "active"), ("launch", "active"), ("nrps", "active"),
                                          ("launch", "deleted")]):
        user = User(issuer=platform.issuer, sub=f"u-{i}")
        db_session.add(user)
        db_session.flush()
        db_session.add(Enrollment(course_id=course.id, user_id=user.id, source=source, status=status))
    db_session.commit()
    auth.login(ADMIN, network_id=nid)
    html = client.get("/admin/").get_data(as_text=True)
    assert "2 человека открывают TutorNet, но не входят в список участников курса в СДО" in html


def test_disable_and_enable_platform(client, auth, db_session):
    nid = auth.network()
    platform = _platform(db_session, nid)
    auth.login(ADMIN, network_id=nid)
    assert client.post(f"/admin/platforms/{platform.id}/disable").status_code == 302
    db_session.expire_all()
    assert db_session.get(Platform, platform.id).enabled is False
    assert client.post(f"/admin/platforms/{platform.id}/enable").status_code == 302
    db_session.expire_all()
    assert db_session.get(Platform, platform.id).enabled is True


def test_disabled_platform_refused_by_the_tool_config(app, client, auth, db_session):
    """The LTI core's tool config refuses a disabled platform; re-enabling restores it."""
    from lti_tool.lti.errors import LaunchRefused
    from lti_tool.lti.registration_lookup import DbToolConf

    nid = auth.network()
    platform = _platform(db_session, nid)
    auth.login(METHODIST, network_id=nid)
    client.post(f"/admin/platforms/{platform.id}/disable")
    with app.test_request_context():
        from lti_tool.web.extensions import db

        with pytest.raises(LaunchRefused):
            DbToolConf(db.session).find_registration_by_params(platform.issuer, platform.client_id)
    client.post(f"/admin/platforms/{platform.id}/enable")
    with app.test_request_context():
        from lti_tool.web.extensions import db

        conf = DbToolConf(db.session)
        assert conf.find_registration_by_params(platform.issuer, platform.client_id).get_client_id() == "c1"
        assert conf.find_deployment_by_params(platform.issuer, "1", "c1").get_deployment_id() == "1"


def test_other_networks_platform_is_not_found(client, auth, db_session):
    other = auth.network("Чужая сеть")
    platform = _platform(db_session, other)
    auth.login(ADMIN, network_id=auth.network("Своя сеть"))
    assert client.post(f"/admin/platforms/{platform.id}/disable").status_code == 404
    db_session.expire_all()
    assert db_session.get(Platform, platform.id).enabled is True


def test_rotate_keys_admin_only(client, auth, db_session):
    nid = auth.network()
    old = signing_key(db_session).kid
    db_session.commit()
    auth.login(METHODIST, network_id=nid)
    assert client.post("/admin/keys/rotate").status_code == 403
    auth.login(ADMIN, network_id=nid)
    assert client.post("/admin/keys/rotate").status_code == 302
    db_session.expire_all()
    assert signing_key(db_session).kid != old
    assert {k.kid for k in all_keys(db_session)} >= {old}  # the old key stays published a while


def test_add_platform_by_hand_checks_the_jwks(dev_app, client, auth, db_session, platform):
    nid = auth.network()
    auth.login(ADMIN, network_id=nid)
    form = {"issuer": platform.url, "client_id": "manual-1", "auth_login_url": f"{platform.url}/mod/lti/auth.php",
            "auth_token_url": f"{platform.url}/mod/lti/token.php", "deployment_ids": "3, 4"}
    bad = client.post("/admin/platforms/new", data={**form, "key_set_url": f"{platform.url}/not-json"})
    assert bad.status_code == 400 and "content_type" in bad.get_data(as_text=True)  # HTML, not JSON
    missing = client.post("/admin/platforms/new", data=form)
    assert missing.status_code == 400
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Platform)) == 0
    ok = client.post("/admin/platforms/new", data={**form, "key_set_url": f"{platform.url}/mod/lti/certs.php"})
    assert ok.status_code == 302
    stored = db_session.scalars(sa.select(Platform)).one()
    assert (stored.network_id, stored.registered_by) == (nid, "manual")
    assert sorted(d.deployment_id for d in stored.deployments) == ["3", "4"]


def test_add_platform_by_hand_refuses_bad_urls_and_private_jwks(app, client, auth, db_session):
    auth.login(ADMIN, network_id=auth.network())
    form = {"issuer": "moodle", "client_id": "x", "auth_login_url": "ftp://x/a", "auth_token_url": "https://x/t",
            "key_set_url": "https://127.0.0.1/jwks"}
    resp = client.post("/admin/platforms/new", data=form)
    assert resp.status_code == 400
    form.update(issuer="https://moodle.example.org", auth_login_url="https://moodle.example.org/auth")
    resp = client.post("/admin/platforms/new", data=form)
    assert resp.status_code == 400 and "частную или локальную сеть" in resp.get_data(as_text=True)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Platform)) == 0


def test_add_platform_with_pasted_jwks(client, auth, db_session):
    auth.login(METHODIST, network_id=auth.network())
    form = {"issuer": "https://moodle.example.org", "client_id": "x", "auth_login_url": "https://moodle.example.org/a",
            "auth_token_url": "https://moodle.example.org/t", "key_set": '{"keys": [{"kty": "RSA", "n": "a", "e": "AQAB"}]}'}
    assert client.post("/admin/platforms/new", data=form).status_code == 302
    assert db_session.scalars(sa.select(Platform)).one().key_set["keys"][0]["kty"] == "RSA"


def test_invitations_issue_list_revoke(client, auth, db_session):
    nid = auth.network()
    auth.login(METHODIST, network_id=nid)
    resp = client.post("/admin/invitations", data={"days": 3, "note": "Для Moodle гимназии"}, follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert "Для Moodle гимназии" in html and "действует" in html
    invitation = db_session.scalars(sa.select(NetworkInvitation)).one()
    assert invitation.network_id == nid
    auth.login(METHODIST, network_id=auth.network("Другая"))
    assert client.post(f"/admin/invitations/{invitation.id}/revoke").status_code == 404
    auth.login(METHODIST, network_id=nid)
    assert client.post(f"/admin/invitations/{invitation.id}/revoke").status_code == 302
    db_session.expire_all()
    assert db_session.get(NetworkInvitation, invitation.id).revoked_at is not None


def test_invitation_is_single_use(db_session, auth):
    nid = auth.network()
    code = invitations.issue(db_session, nid)
    db_session.commit()
    assert invitations.find_usable(db_session, code).network_id == nid
    assert invitations.consume(db_session, code) is not None
    assert invitations.consume(db_session, code) is None
    assert invitations.find_usable(db_session, code) is None


def test_failed_pushes_listed_and_retried(client, auth, db_session):
    nid = auth.network()
    platform = _platform(db_session, nid)
    failed = _outbox(db_session, nid, platform)
    auth.login(METHODIST, network_id=nid)
    html = client.get("/admin/grades/failed").get_data(as_text=True)
    for text in ("Тьюторский курс", "Петрова Анна", "Участие в тьюториале", "Incorrect score received"):
        assert text in html
    assert client.post(f"/admin/grades/failed/{failed.id}/retry").status_code == 302
    db_session.expire_all()
    row = db_session.get(ScoreOutbox, failed.id)
    assert row.status == "pending" and row.attempts == 0
    assert _aware(row.next_attempt_at) <= utcnow()
    # A push that is no longer failed is not "retried" again.
    assert client.post(f"/admin/grades/failed/{failed.id}/retry").status_code == 404


def test_retry_all_touches_only_own_network_failed_pushes(client, auth, db_session):
    mine, other = auth.network("А"), auth.network("Б")
    p_mine = _platform(db_session, mine)
    p_other = _platform(db_session, other, issuer="https://other.example.org")
    a = _outbox(db_session, mine, p_mine)
    delivered = ScoreOutbox(network_id=mine, course_id=a.course_id, line_item_id=a.line_item_id, user_id=a.user_id,
                            source_key="x", status="delivered")
    db_session.add(delivered)
    db_session.commit()
    b = _outbox(db_session, other, p_other)
    auth.login(ADMIN, network_id=mine)
    client.post("/admin/grades/failed/retry")
    db_session.expire_all()
    assert db_session.get(ScoreOutbox, a.id).status == "pending"
    assert db_session.get(ScoreOutbox, delivered.id).status == "delivered"
    assert db_session.get(ScoreOutbox, b.id).status == "failed"
    assert console.count_failed(db_session, other) == 1


def test_other_networks_failed_push_not_found(client, auth, db_session):
    other = auth.network("Б")
    push = _outbox(db_session, other, _platform(db_session, other))
    auth.login(ADMIN, network_id=auth.network("А"))
    assert client.post(f"/admin/grades/failed/{push.id}/retry").status_code == 404
    assert "Петрова" not in client.get("/admin/grades/failed").get_data(as_text=True)


def test_console_forms_need_csrf(app, client, auth, db_session):
    nid = auth.network()
    platform = _platform(db_session, nid)
    auth.login(ADMIN, network_id=nid)
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/admin/platforms/{platform.id}/disable").status_code == 400
    assert client.post("/admin/keys/rotate").status_code == 400
    db_session.expire_all()
    assert db_session.get(Platform, platform.id).enabled is True


def _aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)
