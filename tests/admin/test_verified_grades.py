"""The console's "grades in the LMS" page: per course when reconciliation last verified the LMS
gradebook and what it found; asking for a check now (CSRF, roles, own network only)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from lti_tool.admin import verification
from lti_tool.core.clock import utcnow
from lti_tool.core.courses import Course
from lti_tool.core.grades import LineItem, LineItemCheck
from lti_tool.web.auth import ADMIN, METHODIST, TEACHER, TUTOR

from .test_console import _platform


def _course(session, network_id, platform, title, checks=(), unsent_item=False):
    """A course with one line item known at the LMS per check (dict of LineItemCheck fields)."""
    course = Course(network_id=network_id, deployment_id=platform.deployments[0].id, lti_context_id=title,
                    title=title)
    session.add(course)
    session.flush()
    for n, fields in enumerate(checks):
        item = LineItem(course_id=course.id, label=f"Тьюториал {n}", url=f"{platform.issuer}/li/{course.id}-{n}")
        session.add(item)
        session.flush()
        session.add(LineItemCheck(line_item_id=item.id, course_id=course.id, **fields))
    if unsent_item:
        session.add(LineItem(course_id=course.id, label="Ещё не в LMS", url=None))
        session.add(LineItem(course_id=course.id, label="Новый столбец", url=f"{platform.issuer}/li/{course.id}-new"))
    session.commit()
    return course


@pytest.mark.parametrize("role", [TEACHER, TUTOR])
def test_refused_to_teachers_and_tutors(client, auth, role):
    auth.login(role)
    assert client.get("/admin/grades/verified").status_code == 403
    assert client.post("/admin/grades/verified/check").status_code == 403


def test_courses_show_when_verified_and_counts_in_russian_and_english(client, auth, db_session):
    nid = auth.network()
    platform = _platform(db_session, nid)
    when = utcnow() - timedelta(hours=2)
    _course(db_session, nid, platform, "Тьюторский курс", [
        dict(checked_at=when, changed_at=when - timedelta(minutes=5), matching=21, resent=1, unreachable=0),
        dict(checked_at=when - timedelta(hours=1), changed_at=when, matching=0, resent=0, unreachable=5,
             error="results: HTTP 503")])
    _course(db_session, nid, platform, "Курс без проверки", [dict(changed_at=when, matching=0, resent=0,
                                                                  unreachable=0)])
    other = auth.network("Чужая сеть")
    _course(db_session, other, _platform(db_session, other, issuer="https://other.example.org"), "Чужой курс",
            [dict(checked_at=when, matching=3, resent=0, unreachable=0)])
    auth.login(METHODIST, network_id=nid)
    html = client.get("/admin/grades/verified").get_data(as_text=True)
    assert "Тьюторский курс" in html and "Курс без проверки" in html and "Чужой курс" not in html
    assert f"проверено в СДО {when.strftime('%Y-%m-%d %H:%M')}" in html
    for text in ("21 оценка совпадает", "1 оценка отправлена повторно", "5 оценок не удалось прочитать",
                 "2 элемента оценивания", "1 элемент ждёт проверки", "СДО не ответила по 1 элементу оценивания",
                 "ещё не проверялось", "0 оценок совпадают"):
        assert text in html, text
    english = client.get("/admin/grades/verified?lang=en").get_data(as_text=True)
    for text in ("21 grades match", "1 grade sent again", "5 grades could not be read",
                 f"verified in the LMS at {when.strftime('%Y-%m-%d %H:%M')}", "not verified yet"):
        assert text in english, text


def test_check_now_asks_for_own_courses_only_with_csrf(app, client, auth, db_session):
    nid = auth.network()
    platform = _platform(db_session, nid)
    mine = _course(db_session, nid, platform, "Мой курс", [dict(matching=0, resent=0, unreachable=0)],
                   unsent_item=True)
    other_net = auth.network("Чужая сеть")
    theirs = _course(db_session, other_net, _platform(db_session, other_net, issuer="https://other.example.org"),
                     "Чужой курс", [dict(matching=0, resent=0, unreachable=0)])
    auth.login(ADMIN, network_id=nid)
    assert client.post(f"/admin/grades/verified/{theirs.id}/check").status_code == 404
    assert client.post("/admin/grades/verified/99999/check").status_code == 404
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/admin/grades/verified/{mine.id}/check").status_code == 400
    app.config["WTF_CSRF_ENABLED"] = False
    response = client.post(f"/admin/grades/verified/{mine.id}/check", follow_redirects=True)
    assert "обработчик прочитает в СДО 2 элемента оценивания" in response.get_data(as_text=True)
    db_session.expire_all()
    checks = db_session.query(LineItemCheck).all()
    asked = {c.course_id for c in checks if c.requested_at is not None}
    assert asked == {mine.id}  # the other network's course untouched
    assert sum(1 for c in checks if c.course_id == mine.id) == 2  # the new column got its check row
    assert client.post("/admin/grades/verified/check").status_code == 302


def test_page_statements_do_not_grow_with_courses(db_session, auth):
    from tests.scaling.probe import count_statements

    nid = auth.network()
    platform = _platform(db_session, nid)
    _course(db_session, nid, platform, "Курс 1", [dict(matching=1, resent=0, unreachable=0)])
    engine = db_session.get_bind()
    with count_statements(engine) as few:
        verification.course_checks(db_session, nid)
    for n in range(2, 30):
        _course(db_session, nid, platform, f"Курс {n}", [dict(matching=n, resent=0, unreachable=0)] * 2)
    with count_statements(engine) as many:
        rows, total = verification.course_checks(db_session, nid, per_page=10)
    assert total == 29 and len(rows) == 10
    assert len(many) == len(few) == 2
