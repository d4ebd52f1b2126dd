"""The protocol (page and XLSX) on a fixed data set, numbering, and the iCalendar feed."""
from __future__ import annotations

import io
from datetime import datetime, timezone

from openpyxl import load_workbook

from lti_tool.core.reference import Person
from lti_tool.events import calendar, grading, protocol, services, signup
from lti_tool.events.grading import Mark
from lti_tool.events.models import EventMeeting
from lti_tool.web.auth import TEACHER, TUTOR

from .world import build_world, event_of


def fixed_protocol(db_session):
    """Teachers 01 (present 9, late 7), 02 (absent, present 5), 03 waitlisted; one decision."""
    w = build_world(db_session, teachers=3, capacity=2)
    db_session.get(Person, w.teachers[0]).organization_id = w.org_id
    event = event_of(db_session, w)
    event.min_score = 6
    p1, p2, _p3 = (signup.sign_up(db_session, w.event_id, p, by_staff=True) for p in w.teachers)
    s1, s2 = (db_session.get(EventMeeting, i) for i in w.session_ids)
    grading.grade_meeting(db_session, s1, [Mark(p1.id, "present", 9), Mark(p2.id, "absent")], graded_by_id=None)
    grading.grade_meeting(db_session, s2, [Mark(p1.id, "late", 7), Mark(p2.id, "present", 5)], graded_by_id=None)
    protocol.add_note(db_session, event, "Рекомендовать опыт МАДОУ № 69 к распространению")
    db_session.commit()
    return w


def test_protocol_numbers_per_network_and_year(db_session):
    w = build_world(db_session)
    event = event_of(db_session, w)
    other = services.create_event(db_session, w.network_id, year_id=w.year_id, form="consultation", title="Консультация")
    assert protocol.issue(db_session, event) == 1
    assert protocol.issue(db_session, event) == 1  # issued once
    assert protocol.issue(db_session, other) == 2
    second = build_world(db_session)  # another network starts at 1
    assert protocol.issue(db_session, event_of(db_session, second)) == 1


def test_protocol_xlsx_cells(client, auth, db_session):
    w = fixed_protocol(db_session)
    auth.login(TUTOR, network_id=w.network_id, user_id=w.tutor_user_id)
    client.post(f"/events/{w.event_id}/protocol/issue")
    response = client.get(f"/events/{w.event_id}/protocol.xlsx")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.data)).active
    rows = [tuple(row) for row in ws.iter_rows(values_only=True)]
    assert rows[0][0] == "Протокол мероприятия № 1"
    facts = {r[0]: r[1] for r in rows[1:9]}
    assert facts["Мероприятие"] == "Тьюториал «Экологическая тропа»"
    assert facts["Форма"] == "Тьюториал"
    assert facts["Тема"] == "Экологическое воспитание"
    assert facts["Учебный год"] == "2025/2026"
    assert facts["Даты"] == "15.10.2025 15:00, 12.11.2025 15:00"
    assert facts["Ведущие тьюторы"] == "Смирнова Ольга Викторовна"
    assert facts["Участники"] == 2  # the waitlisted teacher is not in the protocol
    header = rows[10]
    assert header[:5] == ("№", "Участник", "Организация", "15.10.2025 15:00", "12.11.2025 15:00")
    # the organization by its name, never its bare number (issue 20: «85» in the protocol)
    assert rows[11][:7] == (1, "Педагог 01", "МАДОУ № 69", "присутствовал(а) (9)", "опоздал(а) (7)", 8, "да")
    assert rows[12][:7] == (2, "Педагог 02", None, "отсутствовал(а)", "присутствовал(а) (5)", 5, "нет")
    assert ("1.", "Рекомендовать опыт МАДОУ № 69 к распространению") in [r[:2] for r in rows]


def test_protocol_page_text(client, auth, db_session):
    w = fixed_protocol(db_session)
    auth.login(TUTOR, network_id=w.network_id, user_id=w.tutor_user_id)
    page = client.get(f"/events/{w.event_id}/protocol").text
    assert "Протокол мероприятия (черновик)" in page
    for text in ("Смирнова Ольга Викторовна", "Педагог 01", "Педагог 02", "присутствовал(а) (9)", "2 участника",
                 "Рекомендовать опыт МАДОУ № 69 к распространению"):
        assert text in page
    assert "Педагог 03" not in page


def unfold(body: str) -> list[str]:
    """Content lines of an iCalendar body: CRLF only, folded lines ≤ 75 octets, unfolded."""
    assert body.endswith("\r\n") and "\n" not in body.replace("\r\n", "")
    physical = body.split("\r\n")[:-1]
    assert all(len(line.encode()) <= 75 for line in physical)
    lines: list[str] = []
    for line in physical:
        if line.startswith(" "):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return lines


def parse_ics(body: str) -> list[dict[str, str]]:
    """VEVENTs as {property (with params): value}; checks BEGIN/END nesting."""
    stack, events = [], []
    for line in unfold(body):
        name, _, value = line.partition(":")
        if name == "BEGIN":
            stack.append(value)
            if value == "VEVENT":
                events.append({})
        elif name == "END":
            assert stack.pop() == value
        elif stack[-1] == "VEVENT":
            events[-1][name] = value
    assert stack == []
    return events


def test_ics_feed_by_token_parses_back(client, auth, db_session):
    w = build_world(db_session, teachers=1)
    event = event_of(db_session, w)
    event.title = "Мастер-класс; «Лэпбук», экология и " + "очень длинное название " * 4
    event.description = "Строка 1\nСтрока 2, с запятой"
    signup.sign_up(db_session, w.event_id, w.teachers[0])
    db_session.commit()
    auth.login(TEACHER, network_id=w.network_id, user_id=w.teacher_users[0])
    assert client.get("/events/calendar").status_code == 200
    token = calendar.feed_token(db_session, w.network_id, w.teachers[0])
    auth.logout()  # the calendar app has no session cookie
    response = client.get(f"/events/feed/{token}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    events = parse_ics(response.text)
    assert len(events) == 2
    first = events[0]
    assert first["DTSTART"] == "20251015T120000Z" and first["DTEND"] == "20251015T133000Z"  # 15:00 MSK
    assert first["UID"] == f"event-session-{w.session_ids[0]}@localhost" and "DTSTAMP" in first
    assert first["SUMMARY"] == "Тьюториал: " + event.title.replace(";", "\\;").replace(",", "\\,")
    assert first["DESCRIPTION"] == "Строка 1\\nСтрока 2\\, с запятой"
    assert first["LOCATION"] == "МАДОУ № 69\\, музыкальный зал"
    assert events[1]["URL"] == "https://meet.example/eco"
    assert client.get("/events/feed/not-a-token.ics").status_code == 404


def test_fold_splits_multibyte_lines_safely_and_empty_feed_is_valid():
    line = "SUMMARY:" + "ж" * 100
    folded = calendar.fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line
    body = calendar.ics_feed([], host="tool.test", now=datetime(2026, 1, 1, tzinfo=timezone.utc))
    assert parse_ics(body) == []


def test_rotating_the_token_disables_the_old_url(client, auth, db_session):
    w = build_world(db_session, teachers=1)
    old = calendar.feed_token(db_session, w.network_id, w.teachers[0])
    db_session.commit()
    auth.login(TEACHER, network_id=w.network_id, user_id=w.teacher_users[0])
    client.post("/events/calendar")
    assert client.get(f"/events/feed/{old}.ics").status_code == 404
    db_session.expire_all()
    new = calendar.feed_token(db_session, w.network_id, w.teachers[0])
    assert new != old and client.get(f"/events/feed/{new}.ics").status_code == 200
