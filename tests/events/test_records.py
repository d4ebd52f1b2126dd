"""A participant's record: attendance, scores, comments, hours and completion; the certificate page."""
from __future__ import annotations

from datetime import date, time

from lti_tool.events import records, services, signup
from lti_tool.events.grading import Mark, grade_meeting
from lti_tool.events.models import EventMeeting
from lti_tool.web.auth import METHODIST, TEACHER

from .world import event_of


def _graded(session, world, marks_first, marks_second=None):
    """Sign teachers 0-2 up and grade the two meetings: {teacher index: (status, score, comment)}."""
    participants = [signup.sign_up(session, world.event_id, p, by_staff=True) for p in world.teachers[:3]]
    for meeting_id, marks in ((world.session_ids[0], marks_first), (world.session_ids[1], marks_second or {})):
        meeting = session.get(EventMeeting, meeting_id)
        grade_meeting(session, meeting, [Mark(participants[i].id, *m) for i, m in marks.items()], graded_by_id=None)
    session.commit()
    return participants


def test_record_has_marks_scores_comments_hours_and_completion(db_session, world):
    _graded(db_session, world, {0: ("present", 8, "Активно работала в группе"), 1: ("absent", None, None)},
            {0: ("late", 6, None), 1: ("present", 10, "Отличный проект")})
    [mine] = records.person_records(db_session, world.network_id, world.teachers[0], world.year_id)
    assert [m.status for m in mine.marks] == ["present", "late"] and mine.attended == 2
    assert (mine.completed, mine.score) == (True, 7.0)
    assert mine.hours == 3.0 and mine.untimed == 0  # two meetings of 15:00–16:30
    assert mine.comments == [(date(2025, 10, 15), "Активно работала в группе")]
    assert mine.leaders == ["Смирнова Ольга Викторовна"]
    [second] = records.person_records(db_session, world.network_id, world.teachers[1])
    assert (second.attended, second.hours, second.completed) == (1, 1.5, True)
    assert records.person_records(db_session, world.network_id, world.teachers[3]) == []  # not signed up
    everyone = records.people_records(db_session, world.network_id, world.teachers, world.year_id)
    assert set(everyone) == set(world.teachers[:3]) and records.year_hours(everyone[world.teachers[0]]) == 3.0


def test_meetings_without_times_add_no_hours_and_are_counted_apart(db_session, world):
    event = event_of(db_session, world)
    untimed = services.add_meeting(db_session, event, on_date=date(2025, 12, 3))
    odd = EventMeeting(on_date=date(2025, 12, 10), start_time=time(17, 0), end_time=time(16, 0))  # (forms refuse it)
    assert records.meeting_hours(untimed) is None and records.meeting_hours(odd) is None
    participant = signup.sign_up(db_session, world.event_id, world.teachers[0], by_staff=True)
    grade_meeting(db_session, untimed, [Mark(participant.id, "present", 5, None)], graded_by_id=None)
    db_session.commit()
    [mine] = records.person_records(db_session, world.network_id, world.teachers[0])
    assert (mine.hours, mine.untimed) == (0, 1)


def test_the_certificate_is_hers_printable_and_only_for_a_completed_event(client, auth, db_session, world):
    _graded(db_session, world, {0: ("present", 9, None), 1: ("absent", None, None), 2: ("excused", None, None)},
            {0: ("present", 9, None)})
    auth.login(TEACHER, network_id=world.network_id, user_id=world.teacher_users[0])
    page = client.get(f"/events/{world.event_id}/certificate")
    assert page.status_code == 200
    text = page.text
    assert "Сертификат участника" in text and "Педагог 01" in text and "Тьюториал «Экологическая тропа»" in text
    assert "15.10.2025 – 12.11.2025" in text and "3 ч" in text and "АМСТ" in text
    assert "Смирнова Ольга Викторовна" in text and "Руководитель" in text and "@page" in text
    auth.login(TEACHER, network_id=world.network_id, user_id=world.teacher_users[2])  # excused: not completed
    refused = client.get(f"/events/{world.event_id}/certificate")
    assert refused.status_code == 404 and "сертификата нет" in refused.text.lower()
    auth.login(METHODIST, network_id=world.network_id, user_id=world.methodist_user_id)
    assert "Педагог 01" in client.get(f"/events/{world.event_id}/certificate?person={world.teachers[0]}").text
    auth.login(METHODIST)  # another network
    assert client.get(f"/events/{world.event_id}/certificate?person={world.teachers[0]}").status_code == 404
