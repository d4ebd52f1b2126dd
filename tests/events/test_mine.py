"""A tutor's "my events": meetings to grade now, upcoming and held events, one click to grading."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from lti_tool.events import grading, leading, services, signup
from lti_tool.events.grading import Mark
from lti_tool.events.models import EventMeeting
from lti_tool.web.auth import TEACHER, TUTOR

from .world import build_world, event_of


def test_my_events_groups_what_to_grade_upcoming_and_held(db_session):
    w = build_world(db_session, teachers=2)  # the tutor leads the event: meetings 15.10 and 12.11.2025
    parts = [signup.sign_up(db_session, w.event_id, p, by_staff=True) for p in w.teachers]
    first = db_session.get(EventMeeting, w.session_ids[0])
    grading.grade_meeting(db_session, first, [Mark(parts[0].id, "present", 8)], graded_by_id=None, today=date(2025, 11, 1))
    other = services.create_event(db_session, w.network_id, year_id=w.year_id, form="consultation",
                                  title="Консультация", topic_id=w.topic_id)
    other.status = "published"
    services.add_meeting(db_session, other, on_date=date(2026, 3, 3))
    services.set_leader(db_session, other, w.tutor_person_id, "assigned")
    foreign = services.create_event(db_session, w.network_id, year_id=w.year_id, form="tutorial", title="Чужое")
    services.add_meeting(db_session, foreign, on_date=date(2025, 10, 1))
    db_session.commit()

    mid = leading.my_events(db_session, w.network_id, w.tutor_person_id, date(2025, 11, 1), w.year_id)
    assert [(g.meeting.id, g.missing) for g in mid.to_grade] == [(first.id, 1)]  # one of two still unmarked
    assert [e.id for e in mid.upcoming] == [w.event_id, other.id] and mid.held == []
    assert mid.kinds == {w.event_id: "lead", other.id: "assigned"}

    later = leading.my_events(db_session, w.network_id, w.tutor_person_id, date(2025, 12, 1), w.year_id)
    assert [g.meeting.id for g in later.to_grade] == [first.id, w.session_ids[1]]
    assert [e.id for e in later.held] == [w.event_id] and [e.id for e in later.upcoming] == [other.id]
    assert leading.my_events(db_session, w.network_id, w.other_tutor_person_id, date(2025, 12, 1)).upcoming == []


def test_my_events_page_links_to_grading(client, auth, db_session):
    w = build_world(db_session, teachers=1)
    signup.sign_up(db_session, w.event_id, w.teachers[0], by_staff=True)
    db_session.commit()
    auth.login(TUTOR, network_id=w.network_id, user_id=w.tutor_user_id)
    page = client.get("/events/mine").text
    assert "Мои мероприятия" in page and "Оценить сейчас" in page
    for meeting_id in w.session_ids:  # both meetings of 2025 took place and have no marks
        assert f'href="/events/sessions/{meeting_id}/grading"' in page
    assert 'href="/events/mine"' in page  # in the navigation
    auth.login(TEACHER, network_id=w.network_id, user_id=w.teacher_users[0])
    page = client.get("/events/mine").text
    assert "/grading" not in page and 'href="/events/mine"' not in page  # a teacher leads nothing
