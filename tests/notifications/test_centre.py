"""Notifications are queued in the transaction of their cause, by the network's and the person's
choices, once; the centre shows them in the reader's language and marks them read."""
from __future__ import annotations

import sqlalchemy as sa

from lti_tool.core.notices import Notice
from lti_tool.events import signup
from lti_tool.events.models import Participant
from lti_tool.notifications import services
from tests.conftest import METHODIST, TEACHER


def _notices(session, **where):
    session.expire_all()
    query = sa.select(Notice).order_by(Notice.id)
    for key, value in where.items():
        query = query.where(getattr(Notice, key) == value)
    return list(session.scalars(query))


def test_sign_up_notifies_in_its_transaction(db_session, world):
    signup.sign_up(db_session, world.event_id, world.teachers[0])
    db_session.commit()
    [notice] = _notices(db_session)
    assert (notice.kind, notice.person_id, notice.email_status, notice.in_app) == (
        "signup_confirmed", world.teachers[0], "pending", True)
    assert notice.params["title"] == "Тьюториал «Экологическая тропа»"
    assert notice.params["at"].startswith("2025-10-15T12:00:00")  # 15:00 in Moscow, stored in UTC
    assert notice.link == f"/events/{world.event_id}"


def test_a_rolled_back_change_notifies_nobody(db_session, world):
    signup.sign_up(db_session, world.event_id, world.teachers[0])
    db_session.flush()
    db_session.rollback()
    assert _notices(db_session) == []


def test_waitlist_and_promotion(db_session, world):
    first = signup.sign_up(db_session, world.event_id, world.teachers[0])
    signup.sign_up(db_session, world.event_id, world.teachers[1])
    db_session.commit()
    signup.cancel(db_session, first.id)
    db_session.commit()
    kinds = [(n.person_id, n.kind) for n in _notices(db_session)]
    assert kinds == [(world.teachers[0], "signup_confirmed"), (world.teachers[1], "signup_waitlisted"),
                     (world.teachers[0], "signup_cancelled"), (world.teachers[1], "signup_promoted")]
    status = db_session.scalar(sa.select(Participant.status).where(Participant.person_id == world.teachers[1]))
    assert status == "registered"


def test_person_choices_and_network_switch(db_session, world):
    a, b, c = world.teachers[:3]
    services.set_preferences(db_session, a, set())  # everything off
    everything = {(k, ch) for k in services.KINDS for ch in services.CHANNELS}
    services.set_preferences(db_session, b, everything - {("route_published", "email")})
    db_session.commit()
    args = dict(network_id=world.network_id, kind="route_published", object_key="route:1", moment="m1",
                params={"steps": 3})
    assert services.notify(db_session, person_ids=[a, b, c], **args) == 2
    rows = {n.person_id: (n.in_app, n.email_status) for n in _notices(db_session)}
    assert rows == {b: (True, "none"), c: (True, "pending")}
    # Queued again (a second beat process, a retried task): nothing new.
    assert services.notify(db_session, person_ids=[a, b, c], **args) == 0
    services.set_network_kinds(db_session, world.network_id, set(services.KINDS) - {"route_published"})
    assert services.notify(db_session, person_ids=[c], **{**args, "moment": "m2"}) == 0
    db_session.commit()
    assert len(_notices(db_session)) == 2


def test_centre_bell_and_mark_read(client, auth, db_session, world):
    services.notify(db_session, network_id=world.network_id, kind="route_published", person_ids=[world.teachers[0]],
                    object_key="route:1", moment="1", params={"steps": 5}, link="/pathways/")
    services.notify(db_session, network_id=world.network_id, kind="signup_cancelled", person_ids=[world.teachers[0]],
                    object_key="event:1", moment="1", params={"title": "Мастер-класс"})
    db_session.commit()
    auth.login(TEACHER, network_id=world.network_id, user_id=world.teacher_users[0])
    page = client.get("/notifications/").get_data(as_text=True)
    assert "2 непрочитанных уведомления" in page  # the bell, Russian plural of 2
    assert "В вашем маршруте на год 5 шагов." in page
    assert "Ваша запись на мероприятие «Мастер-класс» отменена." in page
    english = client.get("/notifications/?lang=en").get_data(as_text=True)
    assert "Your route for the year has 5 steps." in english
    first = _notices(db_session, kind="route_published")[0]
    answer = client.post(f"/notifications/{first.id}/read", data={"next": "/pathways/"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/pathways/")
    assert "1 непрочитанное уведомление" in client.get("/events/").get_data(as_text=True)
    client.post("/notifications/read-all")
    assert all(n.read_at for n in _notices(db_session))


def test_someone_elses_notification_stays_unread(client, auth, db_session, world):
    services.notify(db_session, network_id=world.network_id, kind="route_published", person_ids=[world.teachers[1]],
                    object_key="route:1", moment="1", params={"steps": 5})
    db_session.commit()
    auth.login(TEACHER, network_id=world.network_id, user_id=world.teacher_users[0])
    notice = _notices(db_session)[0]
    client.post(f"/notifications/{notice.id}/read")
    assert _notices(db_session)[0].read_at is None


def test_preferences_page_saves_choices(client, auth, db_session, world):
    auth.login(TEACHER, network_id=world.network_id, user_id=world.teacher_users[0])
    assert "Мои настройки уведомлений" in client.get("/notifications/preferences").get_data(as_text=True)
    answer = client.post("/notifications/preferences", data={"event_reminder:app": "1", "email_on": "1",
                                                             "quiet_from": "21:00", "quiet_until": "08:00"})
    assert answer.status_code == 302
    prefs = services.preferences(db_session, world.teachers[0])
    assert prefs[("event_reminder", "app")] and not prefs[("event_reminder", "email")]
    assert not prefs[("survey_opened", "app")]
    profile = services.profile(db_session, world.network_id, world.teachers[0])
    assert profile.quiet_from.hour == 21 and profile.quiet_until.hour == 8
    bad = client.post("/notifications/preferences", data={"quiet_from": "late"}, follow_redirects=True)
    assert "Тихие часы задаются временем" in bad.get_data(as_text=True)


def test_network_settings_are_for_staff(client, auth, db_session, world):
    auth.login(TEACHER, network_id=world.network_id, user_id=world.teacher_users[0])
    assert client.get("/notifications/settings").status_code == 403
    assert client.post("/notifications/settings", data={"hours_before": "2"}).status_code == 403
    auth.login(METHODIST, network_id=world.network_id, user_id=world.methodist_user_id)
    assert client.post("/notifications/settings", data={"event_reminder": "1", "hours_before": "48, 2"}).status_code == 302
    kinds = services.network_kinds(db_session, world.network_id)
    assert kinds["event_reminder"] == (True, {"hours_before": [48, 2]})
    assert kinds["survey_opened"][0] is False
    bad = client.post("/notifications/settings", data={"hours_before": "soon"}, follow_redirects=True)
    assert "Часы напоминаний" in bad.get_data(as_text=True)


def test_an_email_link_opens_the_notification_for_its_person_only(client, auth, db_session, world):
    services.notify(db_session, network_id=world.network_id, kind="route_published", person_ids=[world.teachers[0]],
                    object_key="route:1", moment="1", params={"steps": 5}, link="/pathways/")
    db_session.commit()
    notice = _notices(db_session)[0]
    outside = client.get(f"/notifications/open/{notice.id}").get_data(as_text=True)
    assert "Откройте TutorNet из своего курса" in outside and "ИПОМ" not in outside
    auth.login(TEACHER, network_id=world.network_id, user_id=world.teacher_users[1])
    assert client.get(f"/notifications/open/{notice.id}").status_code == 200  # not hers
    auth.login(TEACHER, network_id=world.network_id, user_id=world.teacher_users[0])
    answer = client.get(f"/notifications/open/{notice.id}")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/pathways/")
    assert _notices(db_session)[0].read_at is not None
