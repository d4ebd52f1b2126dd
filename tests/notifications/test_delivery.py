"""Delivery through a real SMTP server on loopback: what arrives, in which language, with which
headers; no SMTP configured keeps messages for the console; a failing server delays but loses
nothing; an unsubscribed person gets nothing; quiet hours and the hourly limit wait."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from lti_tool.core.accounts import User
from lti_tool.core.clock import as_utc
from lti_tool.core.notices import Notice
from lti_tool.core.reference import Person
from lti_tool.events import signup
from lti_tool.notifications import delivery, services
from lti_tool.notifications.settings import notify_settings
from tests.conftest import ADMIN

from .smtp_server import SmtpServer

NOW = datetime(2031, 10, 14, 9, 0, tzinfo=timezone.utc)  # 12:00 in Moscow; after any row's creation


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def sessions(app):
    return orm.sessionmaker(bind=app.extensions["tutornet_db"][0], expire_on_commit=False)


def settings(**overrides):
    return notify_settings({"SECRET_KEY": "test-secret", "TOOL_BASE_URL": "https://tool.test", "SMTP_URL": "",
                            "NOTIFY_DRAIN_SECONDS": 30, "NOTIFY_BACKOFF_BASE_SECONDS": 60,
                            "EVENTS_TIMEZONE": "Europe/Moscow", **overrides})


def give_addresses(session, world, locales=("ru", "en")):
    """Teachers 1 and 2 get addresses (and LTI locales); the others have none."""
    for i, locale in enumerate(locales):
        person = session.get(Person, world.teachers[i])
        person.email = f"teacher{i + 1}@school.test"
        session.get(User, world.teacher_users[i]).locale = locale
    session.commit()


def statuses(session):
    session.expire_all()
    return {n.person_id: n.email_status for n in session.scalars(sa.select(Notice))}


def test_email_arrives_in_the_persons_language_with_unsubscribe_headers(db_session, sessions, world, smtp):
    give_addresses(db_session, world)
    signup.sign_up(db_session, world.event_id, world.teachers[0])
    signup.sign_up(db_session, world.event_id, world.teachers[1])  # capacity 1: waitlisted
    signup.sign_up(db_session, world.event_id, world.teachers[2])  # no address
    db_session.commit()
    result = delivery.drain(sessions, settings(SMTP_URL=smtp.url), now_fn=lambda: NOW)
    assert result == {"sent": 2, "none": 1}
    [ru] = smtp.inbox.to("teacher1@school.test")
    assert ru["Subject"] == "Запись подтверждена: Тьюториал «Экологическая тропа»"
    assert ru["To"] == "Педагог 01 <teacher1@school.test>"
    assert ru["From"] == "TutorNet <noreply@tool.test>"
    text = ru.get_body(("plain",)).get_content()
    assert "Здравствуйте, Педагог 01!" in text
    assert "Начало: 15 октября 2025, 15:00 (Europe/Moscow)." in text  # the event's local time
    html = ru.get_body(("html",)).get_content()
    assert "Вы записаны на мероприятие «Тьюториал «Экологическая тропа»»." in html
    assert "<img" not in html and "src=" not in html
    unsubscribe = ru["List-Unsubscribe"]
    assert unsubscribe.startswith("<https://tool.test/notifications/unsubscribe/") and unsubscribe.endswith(">")
    assert ru["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe[1:-1] in text and unsubscribe[1:-1] in html
    [en] = smtp.inbox.to("teacher2@school.test")
    assert en["Subject"] == "On the waitlist: Тьюториал «Экологическая тропа»"
    assert "The event is full; you are on its waitlist." in en.get_body(("plain",)).get_content()
    # Drained again: nothing is sent twice.
    assert delivery.drain(sessions, settings(SMTP_URL=smtp.url), now_fn=lambda: NOW) == {}
    assert len(smtp.inbox.messages) == 2


def test_without_smtp_messages_are_kept_for_the_console(client, auth, db_session, sessions, world):
    give_addresses(db_session, world)
    signup.sign_up(db_session, world.event_id, world.teachers[0])
    db_session.commit()
    assert delivery.drain(sessions, settings(), now_fn=lambda: NOW) == {"kept": 1}
    [notice] = db_session.scalars(sa.select(Notice)).all()
    assert notice.email_to == "teacher1@school.test" and "Вы записаны" in notice.body_text
    auth.login(ADMIN, network_id=world.network_id)
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "teacher1@school.test" in page and "Запись подтверждена: Тьюториал" in page
    assert "Вы записаны на мероприятие" in page


def test_a_failing_server_delays_but_loses_nothing(db_session, sessions, world, smtp):
    give_addresses(db_session, world)
    signup.sign_up(db_session, world.event_id, world.teachers[0])
    signup.sign_up(db_session, world.event_id, world.teachers[1])
    db_session.commit()
    smtp.inbox.failing = True
    assert delivery.drain(sessions, settings(SMTP_URL=smtp.url), now_fn=lambda: NOW) == {"pending": 2}
    assert smtp.inbox.refused == 1  # the batch stops at the first refusal
    db_session.expire_all()
    rows = db_session.scalars(sa.select(Notice)).all()
    assert all(r.attempts == 1 and r.last_error and as_utc(r.next_attempt_at) > NOW for r in rows)
    # Not due yet: nothing is tried.
    assert delivery.drain(sessions, settings(SMTP_URL=smtp.url), now_fn=lambda: NOW + timedelta(seconds=5)) == {}
    smtp.inbox.failing = False
    later = NOW + timedelta(minutes=5)
    assert delivery.drain(sessions, settings(SMTP_URL=smtp.url), now_fn=lambda: later) == {"sent": 2}
    assert len(smtp.inbox.to("teacher1@school.test")) == 1 and len(smtp.inbox.to("teacher2@school.test")) == 1


def test_a_server_that_never_recovers_gives_up_after_the_last_attempt(db_session, sessions, world, smtp):
    give_addresses(db_session, world)
    signup.sign_up(db_session, world.event_id, world.teachers[0])
    db_session.commit()
    smtp.inbox.failing = True
    when = NOW
    for _ in range(3):
        delivery.drain(sessions, settings(SMTP_URL=smtp.url, NOTIFY_MAX_ATTEMPTS=3), now_fn=lambda: when)
        when += timedelta(hours=2)
    assert statuses(db_session) == {world.teachers[0]: "failed"}


def test_one_click_unsubscribe_stops_the_emails(client, db_session, sessions, world, smtp):
    give_addresses(db_session, world)
    signup.sign_up(db_session, world.event_id, world.teachers[0])
    db_session.commit()
    delivery.drain(sessions, settings(SMTP_URL=smtp.url), now_fn=lambda: NOW)
    [message] = smtp.inbox.to("teacher1@school.test")
    url = message["List-Unsubscribe"][1:-1].removeprefix("https://tool.test")
    # A mail scanner opening the link changes nothing.
    assert "Отписаться" in client.get(url).get_data(as_text=True)
    # The mail client's RFC 8058 one-click POST (no session, no CSRF token).
    assert client.post(url, data={"List-Unsubscribe": "One-Click"}).status_code == 204
    assert client.post(url[:-3] + "abc", data={"List-Unsubscribe": "One-Click"}).status_code == 404
    services.notify(db_session, network_id=world.network_id, kind="signup_confirmed", person_ids=[world.teachers[0]],
                    object_key="event:x", moment="later", params={"title": "Другое"})
    services.notify(db_session, network_id=world.network_id, kind="route_published", person_ids=[world.teachers[0]],
                    object_key="route:1", moment="1", params={"steps": 2})
    db_session.commit()
    assert delivery.drain(sessions, settings(SMTP_URL=smtp.url), now_fn=lambda: NOW) == {"sent": 1}
    assert [m["Subject"] for m in smtp.inbox.to("teacher1@school.test")][1:] == ["Ваш ИПОМ опубликован"]
    # Everything off from the page: a pending email is dropped before it leaves.
    services.notify(db_session, network_id=world.network_id, kind="route_published", person_ids=[world.teachers[0]],
                    object_key="route:1", moment="2", params={"steps": 3})
    db_session.commit()
    client.post(url, data={"scope": "all"})
    assert delivery.drain(sessions, settings(SMTP_URL=smtp.url), now_fn=lambda: NOW) == {}
    assert len(smtp.inbox.messages) == 2


def test_quiet_hours_and_the_hourly_limit_wait(db_session, sessions, world, smtp):
    give_addresses(db_session, world)
    profile = services.profile(db_session, world.network_id, world.teachers[0])
    profile.quiet_from, profile.quiet_until = time(21, 0), time(8, 0)
    db_session.commit()
    services.notify(db_session, network_id=world.network_id, kind="route_published",
                    person_ids=[world.teachers[0], world.teachers[1]], object_key="route:1", moment="1",
                    params={"steps": 2})
    db_session.commit()
    night = datetime(2031, 10, 14, 20, 0, tzinfo=timezone.utc)  # 23:00 in Moscow
    assert delivery.drain(sessions, settings(SMTP_URL=smtp.url), now_fn=lambda: night) == {"pending": 1, "sent": 1}
    db_session.expire_all()
    waiting = db_session.scalar(sa.select(Notice).where(Notice.person_id == world.teachers[0]))
    assert waiting.attempts == 0
    assert as_utc(waiting.next_attempt_at) == datetime(2031, 10, 15, 5, 0, tzinfo=timezone.utc)
    morning = datetime(2031, 10, 15, 5, 1, tzinfo=timezone.utc)
    assert delivery.drain(sessions, settings(SMTP_URL=smtp.url), now_fn=lambda: morning) == {"sent": 1}
    # The hourly limit: the third email within the hour waits an hour.
    for moment in ("2", "3"):
        services.notify(db_session, network_id=world.network_id, kind="route_published", person_ids=[world.teachers[1]],
                        object_key="route:1", moment=moment, params={"steps": 2})
    db_session.commit()
    result = delivery.drain(sessions, settings(SMTP_URL=smtp.url, NOTIFY_RATE_PER_HOUR=2), now_fn=lambda: night)
    assert result == {"sent": 1, "pending": 1}


def test_claims_are_exclusive(db_session, sessions, world):
    services.notify(db_session, network_id=world.network_id, kind="route_published", person_ids=world.teachers,
                    object_key="route:1", moment="1", params={"steps": 2})
    db_session.commit()
    first = delivery.claim(sessions, NOW, 3, 60)
    second = delivery.claim(sessions, NOW, 3, 60)
    assert len(first) == 3 and len(second) == 1 and not set(first) & set(second)
    assert delivery.claim(sessions, NOW, 3, 60) == []
    # A lapsed lease (the worker died) makes the rows due again.
    assert sorted(delivery.claim(sessions, NOW + timedelta(seconds=61), 10, 60)) == sorted(first + second)
