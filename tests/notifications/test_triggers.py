"""What makes a notification: reminders that time makes due (events, surveys), and the other
areas' announcements (events changed or cancelled, routes, comments, commission, grades, offerings)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa

from lti_tool.commission import services as commission
from lti_tool.core.notices import Notice
from lti_tool.core.reference import Person
from lti_tool.events import services as events
from lti_tool.events import signup
from lti_tool.events.models import Event
from lti_tool.notifications import schedule, services
from lti_tool.pathways import services as pathways
from lti_tool.resource_map.map_entries import save_offering
from lti_tool.surveys import answering
from lti_tool.surveys.builder import QuestionData as Q
from tests.surveys.conftest import make_survey, net  # noqa: F401 (the `net` fixture)

START = datetime(2025, 10, 15, 12, 0, tzinfo=timezone.utc)  # the world's first meeting: 15:00 in Moscow


def rows(session, kind=None):
    session.expire_all()
    query = sa.select(Notice).order_by(Notice.id)
    if kind:
        query = query.where(Notice.kind == kind)
    return list(session.scalars(query))


def test_event_reminders_a_day_and_an_hour_before_once_each(db_session, world):
    signup.sign_up(db_session, world.event_id, world.teachers[0], by_staff=True)
    signup.sign_up(db_session, world.event_id, world.teachers[1], by_staff=True)  # waitlisted: no reminder
    db_session.commit()
    assert schedule.event_reminders(db_session, START - timedelta(hours=25)) == 0
    for _ in range(2):  # a second beat process at the same time
        schedule.event_reminders(db_session, START - timedelta(hours=23))
    db_session.commit()
    [day] = rows(db_session, "event_reminder")
    assert (day.person_id, day.moment, day.params["hours"]) == (world.teachers[0], "24h", 24)
    assert day.params["place"] == "МАДОУ № 69, музыкальный зал"
    schedule.event_reminders(db_session, START - timedelta(minutes=50))
    schedule.event_reminders(db_session, START + timedelta(minutes=1))  # started: nothing more
    db_session.commit()
    assert [r.moment for r in rows(db_session, "event_reminder")] == ["24h", "1h"]


def test_reminder_offsets_are_the_networks(db_session, world):
    signup.sign_up(db_session, world.event_id, world.teachers[0], by_staff=True)
    services.set_network_kinds(db_session, world.network_id, set(services.KINDS), hours_before=[48])
    db_session.commit()
    schedule.event_reminders(db_session, START - timedelta(hours=47))
    schedule.event_reminders(db_session, START - timedelta(minutes=30))  # the 48-hour one is already out
    db_session.commit()
    assert [r.moment for r in rows(db_session, "event_reminder")] == ["48h"]
    services.set_network_kinds(db_session, world.network_id, set(services.KINDS) - {"event_reminder"})
    assert schedule.event_reminders(db_session, START - timedelta(hours=47)) == 0


def test_a_late_sign_up_gets_only_the_reminder_still_ahead():
    start = datetime(2025, 10, 15, 12, 0, tzinfo=timezone.utc)
    assert schedule.reminder_offset(start, start - timedelta(hours=3), [24, 1]) == 24
    assert schedule.reminder_offset(start, start - timedelta(minutes=59), [24, 1]) == 1
    assert schedule.reminder_offset(start, start - timedelta(hours=30), [24, 1]) is None


def test_cancelled_and_changed_events_tell_their_participants(db_session, world):
    signup.sign_up(db_session, world.event_id, world.teachers[0], by_staff=True)
    db_session.commit()
    event = db_session.get(Event, world.event_id)
    events.add_meeting(db_session, event, on_date=date(2025, 12, 10))
    db_session.commit()
    events.set_status(db_session, event, "cancelled", today=date(2025, 10, 1))  # before its meetings
    db_session.commit()
    assert [(r.kind, r.person_id) for r in rows(db_session) if r.kind.startswith("event_")] == [
        ("event_changed", world.teachers[0]), ("event_cancelled", world.teachers[0])]


def test_survey_opened_closing_and_reminders_go_to_those_who_have_not_answered(db_session, net):  # noqa: F811
    survey = make_survey(db_session, net.id, [Q("likert", "Насколько полезны тьюториалы?")], open_=False)
    survey.closes_at = datetime(2031, 5, 20, 12, 0, tzinfo=timezone.utc)
    db_session.commit()
    from lti_tool.surveys import services as surveys

    surveys.set_status(db_session, survey, "open")
    db_session.commit()
    opened = rows(db_session, "survey_opened")
    assert {r.person_id for r in opened} == {p.id for p in net.people}  # teachers and the tutor
    qid = answering.ordered_questions(survey)[0].id
    answering.submit(db_session, survey, net.people[0], {f"q{qid}": ["4"]}, [])
    db_session.commit()
    opened_at = survey.opens_at or survey.created_at
    schedule.survey_reminders(db_session, opened_at.replace(tzinfo=timezone.utc) + timedelta(days=3, minutes=1))
    schedule.survey_reminders(db_session, datetime(2031, 5, 19, 13, 0, tzinfo=timezone.utc))
    schedule.survey_reminders(db_session, datetime(2031, 5, 19, 13, 5, tzinfo=timezone.utc))  # again: nothing new
    db_session.commit()
    waiting = {p.id for p in net.people[1:]}
    assert {r.person_id for r in rows(db_session, "survey_reminder")} == waiting
    assert {r.person_id for r in rows(db_session, "survey_closing")} == waiting
    assert len(rows(db_session, "survey_closing")) == len(waiting)


def test_route_published_and_a_tutors_comment(db_session, world):
    route = pathways.route_for(db_session, world.network_id, world.teachers[0], world.year_id, create=True)
    pathways.add_event_step(db_session, route, world.event_id)
    pathways.publish_route(db_session, route)
    step = route.steps[0]
    pathways.add_comment(db_session, step, world.teachers[0], "Записалась")  # her own: no notification
    pathways.add_comment(db_session, step, world.tutor_person_id, "Отлично, жду на тьюториале")
    db_session.commit()
    [published] = rows(db_session, "route_published")
    assert (published.person_id, published.params) == (world.teachers[0], {"steps": 1})
    [comment] = rows(db_session, "tutor_commented")
    assert comment.person_id == world.teachers[0]
    assert comment.params == {"name": "Смирнова Ольга Викторовна", "text": "Отлично, жду на тьюториале"}


def test_commission_decision_reaches_the_candidate(db_session, world):
    candidacy = commission.open_candidacy(db_session, world.network_id, world.teachers[2], None, "Готова")
    meeting = commission.create_meeting(db_session, world.network_id, date(2025, 12, 1), "Заседание № 1",
                                      [{"name": "Иванова Е. П.", "role": "chair"}])
    commission.record_decision(db_session, candidacy, meeting, "awarded", "Все критерии", world.methodist_user_id)
    db_session.commit()
    [decision] = rows(db_session, "commission_decision")
    assert (decision.person_id, decision.params) == (world.teachers[2], {"outcome": "awarded"})


def test_a_new_offering_reaches_those_whose_top_needs_it_meets(db_session, net):  # noqa: F811
    from lti_tool.core.reference import AcademicYear

    year = AcademicYear(network_id=net.id, title="2025/2026", starts_on=date(2025, 9, 1), ends_on=date(2026, 8, 31))
    db_session.add(year)
    survey = make_survey(db_session, net.id, [Q("topic_matrix", "Потребность")])
    qid = answering.ordered_questions(survey)[0].id
    eco, speech, ict = net.topics
    answering.submit(db_session, survey, net.people[0], {f"q{qid}_t{eco}": ["5"], f"q{qid}_t{speech}": ["1"],
                                                         f"q{qid}_t{ict}": ["1"]}, net.topics)
    answering.submit(db_session, survey, net.people[1], {f"q{qid}_t{eco}": ["1"], f"q{qid}_t{speech}": ["1"],
                                                         f"q{qid}_t{ict}": ["1"]}, net.topics)
    db_session.commit()
    tutor = net.people[3]
    save_offering(db_session, net.id, year_id=year.id, topic_id=eco, form="consultation", provider_kind="person",
                  provider_id=tutor.id, title="Консультации по экологической тропе")
    db_session.commit()
    [news] = rows(db_session, "new_offering")
    assert news.person_id == net.people[0].id
    assert news.params == {"title": "Консультации по экологической тропе", "topic": "Экологическое воспитание"}


def test_failed_grades_reach_the_events_tutor_and_the_methodists(db_session, world):
    from lti_tool.core.courses import Enrollment
    from lti_tool.core.grades import LineItem, ScoreOutbox
    from sync.outbox import Outcome, record

    methodist = Person(network_id=world.network_id, user_id=world.methodist_user_id, full_name="Методист Е. И.")
    db_session.add(methodist)
    db_session.add(Enrollment(course_id=world.course_id, user_id=world.methodist_user_id,
                              lti_roles=["http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper"]))
    part = signup.sign_up(db_session, world.event_id, world.teachers[0], by_staff=True)
    item = LineItem(course_id=world.course_id, label="Тьюториал")
    db_session.add(item)
    db_session.flush()
    row = ScoreOutbox(network_id=world.network_id, course_id=world.course_id, line_item_id=item.id,
                      user_id=world.teacher_users[0], source_key=f"event_participant:{part.id}", score_given=8,
                      score_maximum=10, last_error="403 Forbidden: the user left the course")
    db_session.add(row)
    db_session.commit()
    sessions = sa.orm.sessionmaker(bind=db_session.get_bind())
    record(sessions, [Outcome(row.id, "failed", error="403 Forbidden: the user left the course")])
    found = rows(db_session, "grade_failed")
    assert {r.person_id for r in found} == {world.tutor_person_id, methodist.id}
    assert found[0].params == {"count": 1, "error": "403 Forbidden: the user left the course",
                             "title": "Тьюториал «Экологическая тропа»"}


def test_calendar_feed_carries_alarms_for_registered_timed_meetings(db_session, world):
    from lti_tool.events.calendar import ics_feed, person_meetings

    signup.sign_up(db_session, world.event_id, world.teachers[0], by_staff=True)
    signup.sign_up(db_session, world.event_id, world.teachers[1], by_staff=True)  # waitlisted
    db_session.commit()
    feed = ics_feed(person_meetings(db_session, world.teachers[0]), host="tool.test")
    assert feed.count("BEGIN:VALARM") == 4  # two meetings × a day and an hour before
    assert feed.count("TRIGGER:-PT24H") == 2 and feed.count("TRIGGER:-PT1H") == 2
    assert "ACTION:DISPLAY" in feed and feed.count("END:VALARM") == 4
    waiting = ics_feed(person_meetings(db_session, world.teachers[1]), host="tool.test")
    assert "VALARM" not in waiting


def test_daily_digest_one_email_a_day(db_session, world, app):
    from sqlalchemy import orm

    from lti_tool.notifications import delivery
    from lti_tool.notifications.settings import notify_settings

    from .smtp_server import SmtpServer

    person = db_session.get(Person, world.teachers[0])
    person.email = "digest@school.test"
    services.profile(db_session, world.network_id, person.id).daily_digest = True
    for moment in ("1", "2"):
        services.notify(db_session, network_id=world.network_id, kind="route_published", person_ids=[person.id],
                        object_key="route:1", moment=moment, params={"steps": int(moment)})
    db_session.commit()
    sessions = orm.sessionmaker(bind=app.extensions["tutornet_db"][0], expire_on_commit=False)
    server = SmtpServer().start()
    try:
        settings = notify_settings({"SECRET_KEY": "s", "TOOL_BASE_URL": "https://tool.test", "SMTP_URL": server.url,
                                    "EVENTS_TIMEZONE": "Europe/Moscow", "NOTIFY_DIGEST_HOUR": 7})
        night = datetime(2031, 3, 2, 1, 0, tzinfo=timezone.utc)  # 04:00 in Moscow
        assert delivery.drain(sessions, settings, now_fn=lambda: night) == {"digest": 2}
        assert delivery.send_digests(sessions, settings, night) == {}  # before 07:00
        morning = datetime(2031, 3, 2, 4, 30, tzinfo=timezone.utc)  # 07:30
        assert delivery.send_digests(sessions, settings, morning) == {"sent": 2}
        assert delivery.send_digests(sessions, settings, morning + timedelta(minutes=1)) == {}
        [message] = server.inbox.to("digest@school.test")
        assert message["Subject"] == "2 новых уведомления"
        body = message.get_body(("plain",)).get_content()
        assert "В вашем маршруте на год 1 шаг." in body and "В вашем маршруте на год 2 шага." in body
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    finally:
        server.stop()
