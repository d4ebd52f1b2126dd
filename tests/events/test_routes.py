"""Views: role checks, network scope, grading over HTTP in one transaction, sign-up pages."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from lti_tool.core.grades import ScoreOutbox
from lti_tool.events import lms, services, signup
from lti_tool.events.models import Attendance, EventMeeting, Participant
from lti_tool.web.auth import METHODIST, TEACHER, TUTOR

from .world import build_world, event_of, make_network


def count(session, model):
    session.expire_all()
    return session.scalar(sa.select(sa.func.count()).select_from(model))


def registered(db_session, w):
    parts = [signup.sign_up(db_session, w.event_id, p, by_staff=True) for p in w.teachers]
    db_session.commit()
    return parts


def test_teacher_sees_list_and_event_and_signs_up(client, auth, db_session):
    w = build_world(db_session, teachers=2, capacity=1)
    # A stored row: the world's year is 2025/2026 and add_meeting keeps meetings inside it.
    db_session.add(EventMeeting(event_id=w.event_id, on_date=date.today() + timedelta(days=7)))
    db_session.commit()
    auth.login(TEACHER, network_id=w.network_id, user_id=w.teacher_users[0])
    page = client.get("/events/")
    assert page.status_code == 200 and "Тьюториал «Экологическая тропа»" in page.text
    assert client.get(f"/events/{w.event_id}").status_code == 200
    assert client.post(f"/events/{w.event_id}/signup").status_code == 302
    auth.login(TEACHER, network_id=w.network_id, user_id=w.teacher_users[1])
    client.post(f"/events/{w.event_id}/signup")
    page = client.get(f"/events/{w.event_id}")
    assert "листе ожидания" in page.text  # "You are on the waitlist, place 1."
    statuses = [p.status for p in db_session.scalars(sa.select(Participant).order_by(Participant.queue_seq))]
    assert statuses == ["registered", "waitlisted"]


def test_teacher_cannot_grade(client, auth, db_session):
    w = build_world(db_session, teachers=1)
    (p,) = registered(db_session, w)
    auth.login(TEACHER, network_id=w.network_id, user_id=w.teacher_users[0])
    sid = w.session_ids[0]
    assert client.get(f"/events/sessions/{sid}/grading").status_code == 403
    assert client.post(f"/events/sessions/{sid}/grading", data={f"status-{p.id}": "present"}).status_code == 403
    assert client.post(f"/events/sessions/{sid}/mark-all-present").status_code == 403
    assert client.get(f"/events/{w.event_id}/protocol").status_code == 403
    assert count(db_session, Attendance) == 0


def test_tutor_grades_only_events_they_lead_or_are_assigned(client, auth, db_session):
    w = build_world(db_session, teachers=1)
    (p,) = registered(db_session, w)
    sid = w.session_ids[0]
    auth.login(TUTOR, network_id=w.network_id, user_id=w.other_tutor_user_id)
    assert client.get(f"/events/sessions/{sid}/grading").status_code == 403
    assert client.post(f"/events/sessions/{sid}/mark-all-present").status_code == 403

    services.set_leader(db_session, event_of(db_session, w), w.other_tutor_person_id, "assigned")
    db_session.commit()
    assert client.get(f"/events/sessions/{sid}/grading").status_code == 200

    auth.login(TUTOR, network_id=w.network_id, user_id=w.tutor_user_id)  # the leading tutor
    page = client.get(f"/events/sessions/{sid}/grading")
    assert page.status_code == 200
    assert f'<label class="visually-hidden" for="status-{p.id}">' in page.text
    assert "Отметить всех присутствующими" in page.text
    response = client.post(f"/events/sessions/{sid}/grading",
                           data={f"status-{p.id}": "present", f"score-{p.id}": "9", f"comment-{p.id}": "Молодец"})
    assert response.status_code == 302
    assert count(db_session, Attendance) == 1 and count(db_session, ScoreOutbox) == 1


def test_methodist_grades_any_event_of_the_network(client, auth, db_session):
    w = build_world(db_session, teachers=2)
    registered(db_session, w)
    auth.login(METHODIST, network_id=w.network_id, user_id=w.methodist_user_id)
    assert client.post(f"/events/sessions/{w.session_ids[0]}/mark-all-present").status_code == 302
    assert count(db_session, Attendance) == 2 and count(db_session, ScoreOutbox) == 2


def test_other_network_gets_404(client, auth, db_session):
    w = build_world(db_session, teachers=1)
    net, *_ = make_network(db_session)
    db_session.commit()
    auth.login(METHODIST, network_id=net.id)
    for url in (f"/events/{w.event_id}", f"/events/sessions/{w.session_ids[0]}/grading",
                f"/events/{w.event_id}/protocol", f"/events/{w.event_id}/protocol.xlsx"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/events/{w.event_id}/signup").status_code == 404
    assert client.post(f"/events/sessions/{w.session_ids[0]}/mark-all-present").status_code == 404


def test_draft_is_hidden_from_teachers(client, auth, db_session):
    w = build_world(db_session, teachers=1)
    event_of(db_session, w).status = "draft"
    db_session.commit()
    auth.login(TEACHER, network_id=w.network_id, user_id=w.teacher_users[0])
    assert client.get(f"/events/{w.event_id}").status_code == 404


def test_failed_outbox_write_rolls_back_the_grade_over_http(client, auth, db_session, monkeypatch):
    w = build_world(db_session, teachers=1)
    (p,) = registered(db_session, w)
    real = lms.queue_scores

    def queue_then_fail(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("boom")

    monkeypatch.setattr(lms, "queue_scores", queue_then_fail)
    auth.login(TUTOR, network_id=w.network_id, user_id=w.tutor_user_id)
    response = client.post(f"/events/sessions/{w.session_ids[0]}/grading",
                           data={f"status-{p.id}": "present", f"score-{p.id}": "7"})
    assert response.status_code == 500
    assert count(db_session, Attendance) == 0 and count(db_session, ScoreOutbox) == 0


def test_invalid_score_is_refused_with_a_message(client, auth, db_session):
    w = build_world(db_session, teachers=1)
    (p,) = registered(db_session, w)
    auth.login(TUTOR, network_id=w.network_id, user_id=w.tutor_user_id)
    response = client.post(f"/events/sessions/{w.session_ids[0]}/grading",
                           data={f"status-{p.id}": "present", f"score-{p.id}": "42"}, follow_redirects=True)
    assert "Оценка должна быть от 0 до 10" in response.text
    assert count(db_session, Attendance) == 0


def test_tutor_sees_lms_delivery_per_person(client, auth, db_session):
    w = build_world(db_session, teachers=2, enrolled=1)
    parts = registered(db_session, w)
    auth.login(TUTOR, network_id=w.network_id, user_id=w.tutor_user_id)
    client.post(f"/events/sessions/{w.session_ids[0]}/mark-all-present")
    row = db_session.scalar(sa.select(ScoreOutbox))
    row.status, row.last_error = "failed", "HTTP 403: scope not granted"
    db_session.commit()
    page = client.get(f"/events/sessions/{w.session_ids[0]}/grading").text
    assert "HTTP 403: scope not granted" in page
    assert "нет в курсе СДО" in page  # the second teacher is not in the course
    assert parts[1].person.full_name in page


def test_methodist_creates_event_and_adds_participant_from_roster(client, auth, db_session):
    w = build_world(db_session, teachers=1)
    auth.login(METHODIST, network_id=w.network_id, user_id=w.methodist_user_id)
    response = client.post("/events/new", data={
        "title": "Мастер-класс «Лэпбук»", "form": "master_class", "topic_id": w.topic_id, "year_id": w.year_id,
        "host_organization_id": 0, "capacity": 5, "min_sessions": 1})
    assert response.status_code == 302
    event_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    assert client.post(f"/events/{event_id}/participants", data={"person_id": w.teachers[0]}).status_code == 302
    assert db_session.scalar(sa.select(Participant.status).where(Participant.event_id == event_id)) == "registered"


def test_methodist_pages_render(client, auth, db_session):
    w = build_world(db_session, teachers=2)
    registered(db_session, w)
    auth.login(METHODIST, network_id=w.network_id, user_id=w.methodist_user_id)
    for url in ("/events/", f"/events/{w.event_id}", f"/events/{w.event_id}/edit", "/events/new", "/events/scales",
                f"/events/{w.event_id}/protocol", "/events/calendar", f"/events/sessions/{w.session_ids[0]}/grading"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "<script>" not in response.text  # the CSP forbids inline scripts
    assert client.post("/events/scales", data={"form": "tutorial", "kind": "pass_fail"}).status_code == 302
    assert services.get_scale(db_session, w.network_id, "tutorial").maximum == 1.0
