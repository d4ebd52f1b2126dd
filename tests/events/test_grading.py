"""Grading: one outbox row per change in the grade's transaction, superseding, completion rule."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from lti_tool.core.courses import Course, Enrollment, ResourceLink
from lti_tool.core.grades import LineItem, ScoreOutbox
from lti_tool.core.reference import Person
from lti_tool.events import grading, lms, services, signup
from lti_tool.events.grading import Mark
from lti_tool.events.models import Attendance, EventCompletion, EventMeeting
from lti_tool.events.services import EventError
from lti_tool.events.signals import participation_completed

from .world import build_world, event_of


def sign_all(session, w):
    return [signup.sign_up(session, w.event_id, p, by_staff=True) for p in w.teachers]


def outbox(session):
    session.expire_all()
    return list(session.scalars(sa.select(ScoreOutbox).order_by(ScoreOutbox.id)))


def test_each_change_writes_one_outbox_row_with_the_ags_fields(db_session):
    w = build_world(db_session, teachers=2)
    p1, p2 = sign_all(db_session, w)
    s1 = db_session.get(EventMeeting, w.session_ids[0])
    changed = grading.grade_meeting(db_session, s1, [Mark(p1.id, "present", 8, "Активная работа"),
                                                     Mark(p2.id, "absent")], graded_by_id=w.tutor_user_id)
    db_session.commit()
    assert [p.id for p in changed] == [p1.id, p2.id]
    rows = outbox(db_session)
    assert len(rows) == 2
    row = rows[0]
    assert (row.user_id, row.course_id, row.source_key) == (w.teacher_users[0], w.course_id, f"event_participant:{p1.id}")
    assert (row.score_given, row.score_maximum, row.grading_progress, row.status) == (8, 10, "FullyGraded", "pending")
    assert row.activity_progress == "Completed" and row.comment == "Активная работа"
    assert rows[1].score_given == 0 and rows[1].activity_progress == "InProgress"
    item = db_session.get(LineItem, row.line_item_id)
    assert (item.resource_id, item.tag, item.label, item.url) == (f"event:{w.event_id}", "participation",
                                                                  "Тьюториал «Экологическая тропа»", None)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(LineItem)) == 1

    # the same marks again change nothing and write nothing
    assert grading.grade_meeting(db_session, s1, [Mark(p1.id, "present", 8, "Активная работа")],
                                 graded_by_id=w.tutor_user_id) == []
    assert len(outbox(db_session)) == 2


def test_newer_grade_supersedes_pending_but_not_delivered_rows(db_session):
    w = build_world(db_session, teachers=1)
    (p1,) = sign_all(db_session, w)
    s1, s2 = (db_session.get(EventMeeting, i) for i in w.session_ids)
    grading.grade_meeting(db_session, s1, [Mark(p1.id, "present", 6)], graded_by_id=None)
    db_session.commit()
    first = outbox(db_session)[0]
    first.status = "delivered"
    grading.grade_meeting(db_session, s1, [Mark(p1.id, "present", 7)], graded_by_id=None)
    grading.grade_meeting(db_session, s2, [Mark(p1.id, "late", 9)], graded_by_id=None)
    db_session.commit()
    assert [(r.status, r.score_given) for r in outbox(db_session)] == [
        ("delivered", 6), ("superseded", 7), ("pending", 8)]  # 8 = mean of 7 and 9


def test_failure_after_the_grade_rolls_back_grade_and_outbox(db_session, monkeypatch):
    w = build_world(db_session, teachers=1)
    (p1,) = sign_all(db_session, w)
    db_session.commit()
    real = lms.queue_scores

    def queue_then_fail(*args, **kwargs):
        rows = real(*args, **kwargs)
        written = db_session.scalar(sa.select(sa.func.count()).select_from(ScoreOutbox))
        assert rows == written == 1  # the outbox row was written …
        raise RuntimeError("worker queue unavailable")  # … and then something fails

    monkeypatch.setattr(lms, "queue_scores", queue_then_fail)
    with pytest.raises(RuntimeError):
        grading.grade_meeting(db_session, db_session.get(EventMeeting, w.session_ids[0]),
                              [Mark(p1.id, "present", 10)], graded_by_id=None)
    db_session.rollback()
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 0
    assert db_session.scalar(sa.select(sa.func.count()).select_from(ScoreOutbox)) == 0
    assert db_session.scalar(sa.select(sa.func.count()).select_from(EventCompletion)) == 0


def test_outbox_only_for_people_enrolled_in_the_placed_course(db_session):
    w = build_world(db_session, teachers=4, enrolled=1)
    parts = sign_all(db_session, w)
    # teacher 3: enrolled but inactive; teacher 4: a person without an LMS user
    db_session.add(Enrollment(course_id=w.course_id, user_id=w.teacher_users[2], status="inactive"))
    db_session.get(Person, w.teachers[3]).user_id = None
    grading.mark_all_present(db_session, db_session.get(EventMeeting, w.session_ids[0]), graded_by_id=None)
    db_session.commit()
    assert [r.user_id for r in outbox(db_session)] == [w.teacher_users[0]]
    overview = lms.delivery_overview(db_session, event_of(db_session, w), parts)
    assert [d.status for d in overview[parts[0].id]] == ["pending"]
    assert all([d.status for d in overview[p.id]] == ["not_in_course"] for p in parts[1:])


def test_event_placed_in_two_courses_gets_a_row_per_course(db_session):
    w = build_world(db_session, teachers=1)
    (p1,) = sign_all(db_session, w)
    first = db_session.get(Course, w.course_id)
    second = Course(network_id=w.network_id, deployment_id=first.deployment_id, lti_context_id="c2", title="Второй")
    db_session.add(second)
    db_session.flush()
    db_session.add_all([ResourceLink(course_id=second.id, lti_resource_link_id="rl-2", target_kind="event",
                                     target_id=w.event_id, ags_lineitem_url="https://lms.test/li/7"),
                        Enrollment(course_id=second.id, user_id=w.teacher_users[0])])
    services.set_scale(db_session, w.network_id, "tutorial", kind="pass_fail")
    grading.grade_meeting(db_session, db_session.get(EventMeeting, w.session_ids[0]), [Mark(p1.id, "present", 1)],
                          graded_by_id=None)
    db_session.commit()
    rows = outbox(db_session)
    assert sorted(r.course_id for r in rows) == sorted([w.course_id, second.id])
    assert {r.score_maximum for r in rows} == {1.0}
    urls = {i.course_id: i.url for i in db_session.scalars(sa.select(LineItem))}
    assert urls == {w.course_id: None, second.id: "https://lms.test/li/7"}


def test_completion_rule_sessions_and_threshold(db_session):
    w = build_world(db_session, teachers=1)
    event = event_of(db_session, w)
    event.min_sessions, event.min_score = 2, 7
    (p1,) = sign_all(db_session, w)
    s1, s2 = (db_session.get(EventMeeting, i) for i in w.session_ids)
    grading.grade_meeting(db_session, s1, [Mark(p1.id, "present", 9)], graded_by_id=None)
    assert db_session.get(EventCompletion, p1.completion.id).completed is False  # one session only
    grading.grade_meeting(db_session, s2, [Mark(p1.id, "late", 4)], graded_by_id=None)
    completion = grading.evaluate_completion(db_session, p1)
    assert (completion.completed, completion.sessions_attended, completion.score) == (False, 2, 6.5)
    grading.grade_meeting(db_session, s2, [Mark(p1.id, "present", 6)], graded_by_id=None)
    completion = grading.evaluate_completion(db_session, p1)
    assert (completion.completed, completion.score) == (True, 7.5)
    grading.grade_meeting(db_session, s2, [Mark(p1.id, "excused")], graded_by_id=None)
    assert grading.evaluate_completion(db_session, p1).completed is False


def test_scores_are_checked_against_the_scale(db_session):
    w = build_world(db_session, teachers=1)
    (p1,) = sign_all(db_session, w)
    s1 = db_session.get(EventMeeting, w.session_ids[0])
    with pytest.raises(EventError):
        grading.grade_meeting(db_session, s1, [Mark(p1.id, "present", 11)], graded_by_id=None)
    with pytest.raises(EventError):
        grading.grade_meeting(db_session, s1, [Mark(p1.id, "asleep")], graded_by_id=None)
    # a score given to an absent person is dropped
    grading.grade_meeting(db_session, s1, [Mark(p1.id, "absent", 5)], graded_by_id=None)
    assert db_session.scalar(sa.select(Attendance.score)) is None


def test_completion_signal_sent_once_on_completion(db_session):
    calls = []

    def receiver(session, event_id, person_ids):
        calls.append((event_id, person_ids))

    w = build_world(db_session, teachers=1)
    (p1,) = sign_all(db_session, w)
    s1, s2 = (db_session.get(EventMeeting, i) for i in w.session_ids)
    with participation_completed.connected_to(receiver):
        grading.grade_meeting(db_session, s1, [Mark(p1.id, "present", 9)], graded_by_id=None)
        grading.grade_meeting(db_session, s2, [Mark(p1.id, "present", 10)], graded_by_id=None)
    assert calls == [(w.event_id, [w.teachers[0]])]


def test_grading_works_without_receivers(db_session):
    w = build_world(db_session, teachers=1)
    (p1,) = sign_all(db_session, w)
    s1 = db_session.get(EventMeeting, w.session_ids[0])
    with participation_completed.muted():
        grading.grade_meeting(db_session, s1, [Mark(p1.id, "present", 9)], graded_by_id=None)
    assert grading.evaluate_completion(db_session, p1).completed is True


def test_changing_the_rule_reevaluates_and_resends_flipped_completions(db_session):
    w = build_world(db_session, teachers=2)
    p1, p2 = sign_all(db_session, w)
    grading.grade_meeting(db_session, db_session.get(EventMeeting, w.session_ids[0]),
                          [Mark(p1.id, "present", 9), Mark(p2.id, "present", 5)], graded_by_id=None)
    event = event_of(db_session, w)
    event.min_score = 6
    flipped = grading.reevaluate_event(db_session, event)
    db_session.commit()
    assert [p.id for p in flipped] == [p2.id]
    rows = outbox(db_session)
    assert [(r.source_key, r.status, r.activity_progress) for r in rows] == [
        (f"event_participant:{p1.id}", "pending", "Completed"),
        (f"event_participant:{p2.id}", "superseded", "Completed"),
        (f"event_participant:{p2.id}", "pending", "InProgress")]


def test_placement_lists_published_events_with_their_line_item(db_session):
    from lti_tool.events.placements import PLACEMENTS

    w = build_world(db_session, teachers=0)
    services.create_event(db_session, w.network_id, year_id=w.year_id, form="tutorial", title="Черновик")
    (placement,) = PLACEMENTS
    assert (placement.kind, placement.endpoint, placement.id_arg) == ("event", "events.detail", "event_id")
    items = placement.items(db_session, w.network_id)
    assert [(i.target_id, i.line_item) for i in items] == [(w.event_id, {
        "label": "Тьюториал «Экологическая тропа»", "scoreMaximum": 10.0,
        "resourceId": f"event:{w.event_id}", "tag": "participation"})]
