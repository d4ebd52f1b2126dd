"""The year plan by month and form, its four states, the archive, and their pages."""
from __future__ import annotations

from datetime import date

from lti_tool.core.reference import AcademicYear
from lti_tool.school_year import archive, plan
from lti_tool.web.auth import ADMIN, METHODIST, TEACHER, TUTOR

TODAY = date(2025, 10, 15)


def test_events_fall_into_months_forms_and_four_states(db_session, world):
    year = db_session.get(AcademicYear, world.current)
    result = plan.year_plan(db_session, world.network_id, year, TODAY)
    assert [m.first_day for m in result.months][:2] == [date(2025, 9, 1), date(2025, 10, 1)]
    assert len(result.months) == 12 and result.months[-1].first_day == date(2026, 8, 1)
    by_month = {m.first_day.month: {f: dict(c) for f, c in m.cells.items()} for m in result.months if m.cells}
    assert by_month == {9: {"tutorial": {"held": 1}},
                        10: {"master_class": {"held": 1}},  # published, first meeting before today: held
                        11: {"immersion_seminar": {"cancelled": 1}},
                        12: {"tutorial": {"planned": 1}, "training": {"draft": 1}}}
    assert {f: dict(c) for f, c in result.undated.cells.items()} == {"consultation": {"planned": 1}}
    assert dict(result.totals) == {"held": 2, "cancelled": 1, "planned": 2, "draft": 1}
    assert result.forms == ["consultation", "tutorial", "master_class", "immersion_seminar", "training"]
    assert dict(result.by_form("tutorial")) == {"held": 1, "planned": 1}
    [held] = result.months[0].events
    assert (held.title, held.signed_up, held.meetings) == ("Тьюториал «Экотропа»", 1, 1)
    assert not result.archived
    only_drafts = plan.year_plan(db_session, world.network_id, year, TODAY, state="draft")
    assert [e.title for m in only_drafts.months for e in m.events] == ["Черновик тренинга"]
    assert only_drafts.totals == result.totals  # the counts stay whole


def test_state_rules():
    assert plan.state_of("published", None, TODAY) == "planned"
    assert plan.state_of("published", TODAY, TODAY) == "held"
    assert plan.state_of("published", date(2025, 10, 16), TODAY) == "planned"
    assert [plan.state_of(s, date(2026, 1, 1), TODAY) for s in ("draft", "cancelled", "held")] == [
        "draft", "cancelled", "held"]


def test_archive_lists_past_years_with_what_they_hold(db_session, world):
    [past] = archive.past_years(db_session, world.network_id, TODAY)
    assert (past.year.title, past.events, past.surveys, past.offerings, past.routes) == ("2024/2025", 1, 0, 0, 0)
    # Before the current year ends it is not in the archive; afterwards it is only if no longer current.
    assert [p.year.title for p in archive.past_years(db_session, world.network_id, date(2026, 9, 2))] == ["2024/2025"]


def test_plan_page_for_methodists_archived_years_read_only_and_roles(client, auth, db_session, world):
    auth.login(METHODIST, network_id=world.network_id)
    page = client.get("/year/plan")
    assert page.status_code == 200
    text = page.text
    assert "План мероприятий на 2025/2026 учебный год" in text and "Сентябрь 2025" in text
    assert "Черновики" in text and "Запланировано" in text and "Проведено" in text and "Отменено" in text
    assert "Без даты" in text and "Консультация без даты" in text
    archived = client.get(f"/year/plan?year={world.past}").text
    assert "архив: только чтение" in archived and "Прошлогодний тьюториал" in archived
    assert "2024/2025" in client.get("/year/archive").text
    auth.login(ADMIN, network_id=world.network_id)
    assert client.get("/year/plan").status_code == 200
    for role in (TEACHER, TUTOR):
        auth.login(role, network_id=world.network_id)
        assert client.get("/year/plan").status_code == 403
        assert client.get("/year/open").status_code == 403
    auth.login(METHODIST)  # another network
    assert client.get(f"/year/plan?year={world.current}").status_code == 404
