"""The year's date rules and who leads: meetings inside the event's school year, held events not
cancelled, future meetings not graded; LMS Instructors offered as leaders; warnings where the LMS
will not receive a grade."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import gettext

from lti_tool.core.courses import Enrollment, ResourceLink
from lti_tool.core.member_roles import tutor_person_ids
from lti_tool.core.reference import AcademicYear, Person
from lti_tool.events import grading, services, signup
from lti_tool.events.grading import Mark
from lti_tool.events.models import Attendance, EventMeeting
from lti_tool.events.services import EventError
from lti_tool.web.auth import METHODIST, TEACHER, TUTOR

from .world import build_world, event_of, make_user

DEC_1 = date(2025, 12, 1)  # "today" of the service-level tests: the world's meetings are 15.10 and 12.11.2025


def said(msgid: str, **values) -> str:
    return re.escape(gettext(msgid, **values))


def test_a_meeting_falls_inside_the_events_school_year(db_session):
    w = build_world(db_session, teachers=0)
    event = event_of(db_session, w)
    for day in (date(2025, 8, 31), date(2026, 9, 1), date(2026, 12, 15)):
        with pytest.raises(EventError, match="2025/2026"):
            services.add_meeting(db_session, event, on_date=day)
    assert services.add_meeting(db_session, event, on_date=date(2026, 8, 31)).on_date == date(2026, 8, 31)
    assert services.add_meeting(db_session, event, on_date=date(2025, 9, 1)).on_date == date(2025, 9, 1)


def test_an_event_moves_to_another_year_only_with_its_meetings_inside_it(db_session):
    w = build_world(db_session, teachers=0)
    later = AcademicYear(network_id=w.network_id, title="2026/2027", starts_on=date(2026, 9, 1),
                         ends_on=date(2027, 8, 31))
    db_session.add(later)
    db_session.flush()
    with pytest.raises(EventError, match="2026/2027"):
        services.update_event(db_session, event_of(db_session, w), year_id=later.id)


def test_a_held_event_cannot_be_cancelled(db_session):
    w = build_world(db_session, teachers=0)
    event = event_of(db_session, w)  # published, meetings 15.10 and 12.11.2025
    with pytest.raises(EventError, match=said("A held event cannot be cancelled: its participants' attendance "
                                              "and grades stay.")):
        services.set_status(db_session, event, "cancelled", today=date(2025, 11, 13))  # after the last meeting
    assert services.set_status(db_session, event, "cancelled", today=date(2025, 11, 12)).status == "cancelled"
    event.status = "held"
    with pytest.raises(EventError):
        services.set_status(db_session, event, "cancelled", today=date(2025, 9, 1))  # marked held


def test_a_teacher_cannot_cancel_her_sign_up_to_a_held_event_but_staff_can(db_session):
    w = build_world(db_session, teachers=2)
    mine, other = (signup.sign_up(db_session, w.event_id, p, by_staff=True) for p in w.teachers)
    with pytest.raises(EventError):
        signup.cancel(db_session, mine.id, own=True, today=date(2025, 11, 13))
    assert signup.cancel(db_session, mine.id, own=True, today=date(2025, 11, 12)) == []
    assert db_session.get(type(mine), mine.id).status == "cancelled"
    signup.cancel(db_session, other.id, today=date(2025, 11, 13))  # a tutor or methodist corrects the roster
    assert db_session.get(type(other), other.id).status == "cancelled"


def test_a_future_meeting_cannot_be_graded(db_session):
    w = build_world(db_session, teachers=1)
    part = signup.sign_up(db_session, w.event_id, w.teachers[0], by_staff=True)
    second = db_session.get(EventMeeting, w.session_ids[1])  # 12.11.2025
    with pytest.raises(EventError, match=said("This session takes place on %(day)s: it can be graded from that "
                                              "day on.", day="12.11.2025")):
        grading.grade_meeting(db_session, second, [Mark(part.id, "present", 8)], graded_by_id=None,
                              today=date(2025, 11, 11))
    with pytest.raises(EventError):
        grading.mark_all_present(db_session, second, graded_by_id=None, today=date(2025, 11, 11))
    assert grading.grade_meeting(db_session, second, [Mark(part.id, "present", 8)], graded_by_id=None,
                                 today=date(2025, 11, 12))


def test_grading_a_future_meeting_over_http_says_why_and_writes_nothing(client, auth, db_session):
    w = build_world(db_session, teachers=1)
    part = signup.sign_up(db_session, w.event_id, w.teachers[0], by_staff=True)
    db_session.add(EventMeeting(event_id=w.event_id, on_date=date.today() + timedelta(days=3)))  # stored row
    db_session.commit()
    future = db_session.scalar(sa.select(EventMeeting.id).where(EventMeeting.event_id == w.event_id)
                               .order_by(EventMeeting.on_date.desc()).limit(1))
    auth.login(TUTOR, network_id=w.network_id, user_id=w.tutor_user_id)
    page = client.get(f"/events/sessions/{future}/grading").text
    assert "ещё не состоялась" in page
    response = client.post(f"/events/sessions/{future}/grading", data={f"status-{part.id}": "present",
                                                                        f"score-{part.id}": "9"},
                           follow_redirects=True)
    assert "её можно оценить с этого дня" in response.text
    assert client.post(f"/events/sessions/{future}/mark-all-present").status_code == 302
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 0


def test_an_lms_instructor_is_offered_as_a_leader_at_once(client, auth, db_session):
    w = build_world(db_session, teachers=1)
    instructor = make_user(db_session, "Орлова Вера Павловна")
    methodist = make_user(db_session, "Белова Ирина Олеговна")
    people = {}
    for user, roles in ((instructor, ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]),
                        (methodist, ["ContentDeveloper", "Instructor"])):
        people[user.id] = Person(network_id=w.network_id, user_id=user.id, full_name=user.name)
        db_session.add(people[user.id])
        db_session.add(Enrollment(course_id=w.course_id, user_id=user.id, lti_roles=roles))
    db_session.commit()
    ids = tutor_person_ids(db_session, w.network_id)
    assert people[instructor.id].id in ids and w.tutor_person_id in ids
    assert people[methodist.id].id not in ids and w.teachers[0] not in ids  # staff and learners are not
    auth.login(METHODIST, network_id=w.network_id, user_id=w.methodist_user_id)
    page = client.get(f"/events/{w.event_id}").text
    assert f'<option value="{people[instructor.id].id}">Орлова Вера Павловна</option>' in page
    assert client.post(f"/events/{w.event_id}/leaders", data={"person_id": people[instructor.id].id}).status_code == 302
    auth.login(TUTOR, network_id=w.network_id, user_id=instructor.id)
    assert client.get(f"/events/sessions/{w.session_ids[0]}/grading").status_code == 200  # she grades it


def test_the_grading_page_warns_where_the_lms_gets_no_grade(client, auth, db_session):
    w = build_world(db_session, teachers=2)
    parts = [signup.sign_up(db_session, w.event_id, p, by_staff=True) for p in w.teachers]
    enrollment = db_session.scalar(sa.select(Enrollment).where(Enrollment.user_id == w.teacher_users[1]))
    enrollment.lti_roles = ["Instructor"]  # a member of the course, but not a learner
    db_session.commit()
    auth.login(TUTOR, network_id=w.network_id, user_id=w.tutor_user_id)
    url = f"/events/sessions/{w.session_ids[0]}/grading"
    page = client.get(url).text
    assert 'id="not-placed"' not in page
    assert page.lower().count("не слушатель курса") == 1  # the second teacher only
    db_session.execute(sa.delete(ResourceLink).where(ResourceLink.id == w.link_id))
    db_session.commit()
    page = client.get(url).text
    assert 'id="not-placed"' in page and "СДО пока не получит эти оценки" in page
    assert parts


def test_grades_given_before_the_first_launch_are_sent_on_request(db_session):
    from lti_tool.core.grades import ScoreOutbox
    from lti_tool.events.grading import resend_event

    w = build_world(db_session, teachers=2)
    link = db_session.get(ResourceLink, w.link_id)
    db_session.delete(link)  # not launched yet: no resource link
    db_session.commit()
    parts = [signup.sign_up(db_session, w.event_id, p, by_staff=True) for p in w.teachers]
    first = db_session.get(EventMeeting, w.session_ids[0])
    grading.grade_meeting(db_session, first, [Mark(parts[0].id, "present", 9), Mark(parts[1].id, "absent")],
                          graded_by_id=None, today=DEC_1)
    db_session.commit()
    assert db_session.scalar(sa.select(sa.func.count()).select_from(ScoreOutbox)) == 0  # nowhere to send
    db_session.add(ResourceLink(course_id=w.course_id, lti_resource_link_id="rl-2", title="x",
                                target_kind="event", target_id=w.event_id))  # the first launch
    db_session.commit()
    assert resend_event(db_session, event_of(db_session, w)) == 2
    db_session.commit()
    sent = {(r.user_id, r.score_given, r.activity_progress) for r in db_session.scalars(sa.select(ScoreOutbox))}
    assert sent == {(w.teacher_users[0], 9.0, "Completed"), (w.teacher_users[1], 0.0, "InProgress")}
