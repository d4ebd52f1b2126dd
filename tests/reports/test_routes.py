"""Report pages: roles, network isolation, the Russian print page with plurals, XLSX, period errors."""
from __future__ import annotations

import re
from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from lti_tool.core.reference import AcademicYear, Organization, Person, Topic
from lti_tool.events.models import Attendance, Event, EventLeader, EventMeeting, Participant
from lti_tool.resource_map.models import Cluster, InternshipSite

PAGES = ["/reports/", "/reports/yearly", "/reports/yearly.xlsx", "/reports/clusters"]


def _methodist(auth, data):
    return auth.login("methodist", network_id=data.network_id)


@pytest.mark.parametrize("role", ["teacher", "tutor"])
def test_teachers_and_tutors_are_refused(client, auth, data, role):
    auth.login(role, network_id=data.network_id)
    for url in PAGES + [f"/reports/clusters/{data.clusters['math']}"]:
        assert client.get(url).status_code == 403, url


def test_without_a_session_the_pages_ask_to_launch(client, data):
    assert client.get("/reports/").status_code == 401


def test_yearly_page_in_russian_shows_the_figures_with_plurals(client, auth, data):
    _methodist(auth, data)
    page = client.get("/reports/yearly?start=2025-09-01&end=2026-08-31").get_data(as_text=True)
    for phrase in ["3 мероприятия", "8 посещений", "5 педагогов", "3 тьютора", "4 тьюторанта", "3 организации",
                   "2 ДОО", "2 кластера", "1 стажировочная площадка", "9 посещений занятий", "1 лучшая практика"]:
        assert phrase in page, phrase
    assert "Тьюториал «Экологическая тропа»" in page and "Тьюториал следующего года" not in page
    assert "01.09.2025" in page and "31.08.2026" in page
    assert "по дате первого занятия" in page  # the counting rule is stated on the page
    assert "@media print" in page


def test_default_period_is_the_current_academic_year(client, auth, data):
    _methodist(auth, data)
    page = client.get("/reports/yearly").get_data(as_text=True)
    assert "3 мероприятия" in page and 'value="2025-09-01"' in page and 'value="2026-08-31"' in page


@pytest.mark.parametrize("query, message", [
    ("start=2025-13-01&end=2026-08-31", "Дата начала «2025-13-01» не распознана"),
    ("start=2025-09-01&end=вчера", "Дата окончания «вчера» не распознана"),
    ("start=2026-01-01&end=2025-12-31", "Конец периода (31.12.2025) раньше его начала (01.01.2026)"),
])
def test_bad_dates_give_a_clear_error_on_the_page(client, auth, data, query, message):
    _methodist(auth, data)
    response = client.get(f"/reports/yearly?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    xlsx = client.get(f"/reports/yearly.xlsx?{query}")
    assert xlsx.status_code == 400 and message in xlsx.get_data(as_text=True)


def test_xlsx_has_every_sheet_with_the_figures(client, auth, data):
    _methodist(auth, data)
    response = client.get("/reports/yearly.xlsx?start=2025-09-01&end=2026-08-31")
    assert response.status_code == 200
    assert 'filename="otchet-2025-09-01-2026-08-31.xlsx"' in response.headers["Content-Disposition"]
    wb = load_workbook(BytesIO(response.data))
    assert wb.sheetnames == ["Сводка", "По темам", "По формам", "По месяцам", "По организациям", "По кластерам",
                             "Мероприятия"]
    summary = {row[0]: row[1] for row in wb["Сводка"].iter_rows(values_only=True) if row and row[0]}
    assert summary["Мероприятия"] == 3 and summary["Посещения (педагог на мероприятии)"] == 8
    assert summary["Участники (разные люди)"] == 5 and summary["Тьюторы"] == 3 and summary["Тьюторанты"] == 4
    assert summary["Вовлечённые организации"] == 3 and summary["Кластеры"] == 2
    assert summary["Начало периода"].date() == date(2025, 9, 1)
    topics = list(wb["По темам"].iter_rows(values_only=True))
    assert topics[0] == ("Тема", "Мероприятия", "Посещения", "Участники")
    assert topics[1:] == [("Математическое развитие дошкольников", 1, 3, 3), ("Экологическое воспитание", 1, 3, 3),
                          ("Без темы", 1, 2, 2)]
    forms = list(wb["По формам"].iter_rows(values_only=True))[1:]
    assert forms == [("Консультация", 1, 2, 2), ("Тьюториал", 1, 3, 3), ("Мастер-класс", 1, 3, 3)]
    assert len(list(wb["По месяцам"].iter_rows())) == 13  # header + 12 months
    orgs = {r[0]: r[1:] for r in list(wb["По организациям"].iter_rows(values_only=True))[1:]}
    assert orgs["МАДОУ № 69"] == (1, 4, 2, 1, 2)
    clusters = list(wb["По кластерам"].iter_rows(values_only=True))[1:]
    assert clusters == [("Математический кластер", 1, 3, 3), ("Экологический кластер", 1, 3, 3)]
    events = list(wb["Мероприятия"].iter_rows(values_only=True))[1:]
    assert [(r[0].date(), r[1], r[8], r[9]) for r in events] == [
        (date(2025, 9, 1), "Тьюториал «Экологическая тропа»", 3, "да"),
        (date(2025, 10, 10), "Мастер-класс «Математика в игре»", 3, None),
        (date(2026, 8, 31), "Консультация по запросу", 2, None)]


def test_cluster_pages(client, auth, data):
    _methodist(auth, data)
    overview = client.get("/reports/clusters?start=2025-09-01&end=2026-08-31").get_data(as_text=True)
    assert "Математический кластер" in overview and "Старый кластер" not in overview
    page = client.get(f"/reports/clusters/{data.clusters['math']}?start=2025-09-01&end=2026-08-31")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Мастер-класс «Математика в игре»" in text and "Тьюториал «Экологическая тропа»" not in text
    assert "МАДОУ № 8" in text and "Педагог B" in text
    # E2 participants t1 (O1), t3 (O2, a member organization), t4 (O3): 3, of them 1 from the members.
    assert "3 педагога" in text and "из них 1 — из состава кластера" in text


def test_network_isolation(client, auth, data):
    auth.login("methodist", network_id=data.other_network_id)
    assert client.get(f"/reports/clusters/{data.clusters['math']}").status_code == 404
    page = client.get("/reports/yearly?start=2025-09-01&end=2026-08-31").get_data(as_text=True)
    assert "Чужой тьюториал" in page and "Экологическая тропа" not in page and "1 мероприятие" in page
    auth.login("methodist", network_id=data.network_id)
    assert client.get(f"/reports/clusters/{data.other_cluster_id}").status_code == 404


def test_dashboard_page_links_into_the_areas(client, auth, data):
    _methodist(auth, data)
    response = client.get("/reports/")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Панель методиста" in text and "2025/2026" in text
    assert "/reports/yearly" in text and "/reports/clusters" in text and "/commission/" in text
    assert "<svg" in text and "<script>" not in text
    assert "Опубликовано маршрутов: —" in text or "Опубликовано маршрутов: 0; выполнено шагов: 0 из 0" in text


def _many(session, n: int) -> int:
    """A network with n of everything the headline counts: events, people, tutors, organizations, clusters, sites."""
    from lti_tool.core.accounts import Network

    net = Network(name=f"Сеть {n}", slug=f"plural-{n}")
    session.add(net)
    session.flush()
    year = AcademicYear(network_id=net.id, title="2025/2026", starts_on=date(2025, 9, 1), ends_on=date(2026, 8, 31),
                        is_current=True)
    topic = Topic(network_id=net.id, name="Развитие речи")
    session.add_all([year, topic])
    session.flush()
    for i in range(n):
        org = Organization(network_id=net.id, kind="kindergarten", name=f"МАДОУ № {i + 1}")
        session.add(org)
        session.flush()
        tutor = Person(network_id=net.id, full_name=f"Тьютор {i}", organization_id=org.id, is_tutor=True)
        teacher = Person(network_id=net.id, full_name=f"Педагог {i}", organization_id=org.id)
        event = Event(network_id=net.id, year_id=year.id, form="tutorial", title=f"Тьюториал {i}", status="held",
                      topic_id=topic.id, best_practice=True)
        session.add_all([tutor, teacher, event, Cluster(network_id=net.id, name=f"Кластер {i}"),
                         InternshipSite(network_id=net.id, organization_id=org.id, topic_id=topic.id, year_id=year.id)])
        session.flush()
        s = EventMeeting(event_id=event.id, on_date=date(2025, 10, 1 + i % 28))
        p = Participant(event_id=event.id, person_id=teacher.id)
        session.add_all([s, p, EventLeader(event_id=event.id, person_id=tutor.id)])
        session.flush()
        session.add(Attendance(session_id=s.id, participant_id=p.id, status="present"))
    session.commit()
    return net.id


@pytest.mark.parametrize("n, form", [(1, "{n} мероприятие|{n} посещение|{n} педагог|{n} тьютор|{n} тьюторант|"
                                         "{n} организация|{n} кластер|{n} стажировочная площадка|{n} лучшая практика"),
                                     (2, "{n} мероприятия|{n} посещения|{n} педагога|{n} тьютора|{n} тьюторанта|"
                                         "{n} организации|{n} кластера|{n} стажировочные площадки"),
                                     (5, "{n} мероприятий|{n} посещений|{n} педагогов|{n} тьюторов|{n} тьюторантов|"
                                         "{n} организаций|{n} кластеров|{n} стажировочных площадок"),
                                     (21, "{n} мероприятие|{n} посещение|{n} педагог|{n} тьютор|{n} тьюторант|"
                                          "{n} организация|{n} кластер|{n} стажировочная площадка"),
                                     (11, "{n} мероприятий|{n} посещений|{n} педагогов|{n} тьюторов|{n} тьюторантов|"
                                          "{n} организаций|{n} кластеров|{n} стажировочных площадок")])
def test_russian_plurals_on_the_page(client, auth, db_session, n, form):
    network_id = _many(db_session, n)
    auth.login("methodist", network_id=network_id)
    page = client.get("/reports/yearly").get_data(as_text=True)
    for phrase in form.format(n=n).split("|"):
        assert f"<strong>{phrase}</strong>" in page, phrase


@pytest.mark.parametrize("n, captions", [(2, "тьютора в работе|тьюторанта в работе|организации участвуют|"
                                             "методических кластера|стажировочные площадки"),
                                         (5, "тьюторов в работе|тьюторантов в работе|организаций участвует|"
                                             "методических кластеров|стажировочных площадок")])
def test_dashboard_cards_say_each_thing_once(client, auth, db_session, n, captions):
    """A card is a number and a phrase that agrees with it («2 тьютора в работе»), not «2 тьютора / тьюторов»."""
    network_id = _many(db_session, n)
    auth.login("methodist", network_id=network_id)
    page = client.get("/reports/").get_data(as_text=True)
    cards = re.findall(r'<div class="fs-5 fw-semibold">([^<]*)</div>\s*<div class="small text-muted">(?:<a [^>]*>)?([^<]*)', page)
    said = {caption.strip(): value.strip() for value, caption in cards}
    for caption in captions.split("|"):
        assert said.get(caption) == str(n), (caption, said)
