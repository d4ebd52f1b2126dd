"""Opening the next school year: the year, the reviewed map carried forward, surveys from templates and
from last year; the dashboard's prompt (when, and what it offers)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from lti_tool.core.reference import AcademicYear
from lti_tool.core.school_years import new_year_prompt, next_year_dates, school_year_of
from lti_tool.resource_map.models import InternshipSite, Offering
from lti_tool.resource_map.validation import ValidationError
from lti_tool.reports import dashboard
from lti_tool.reports.period import Period
from lti_tool.school_year import opening
from lti_tool.surveys import audience, services, templates_ru
from lti_tool.surveys.models import Survey
from lti_tool.web.auth import METHODIST


def _offerings(session, year_id):
    return {(o.title, o.form, o.starts_on, o.ends_on, o.capacity)
            for o in session.scalars(sa.select(Offering).where(Offering.year_id == year_id))}


def test_review_lists_what_can_go_forward(db_session, world):
    review = opening.review(db_session, world.network_id, date(2026, 8, 10))
    assert (review.source.title, review.title, review.starts_on, review.ends_on, review.existing) == (
        "2025/2026", "2026/2027", date(2026, 9, 1), date(2027, 8, 31), None)
    # Retired providers and topics, and a closed internship site, stay behind.
    assert {o.id for o in review.offerings} == {world.offerings[k] for k in ("eco", "speech", "site")}


def test_opening_copies_the_chosen_offerings_and_sites_and_makes_surveys(db_session, world):
    needs_last_year = templates_ru.needs_assessment(db_session, world.network_id, world.current)
    services.set_status(db_session, needs_last_year, "open")
    audience.set_audience(db_session, needs_last_year, ["teacher"])
    opened = opening.open_year(
        db_session, world.network_id, title="2026/2027", starts_on=date(2026, 9, 1), ends_on=date(2027, 8, 31),
        source_id=world.current, offering_ids=[world.offerings["eco"], world.offerings["site"],
                                               world.offerings["retired_tutor"]],
        templates=["self_assessment_start", "resource"], survey_ids=[needs_last_year.id])
    db_session.commit()
    year = opened.year
    assert (year.title, year.is_current, opened.offerings) == ("2026/2027", True, 2)
    assert not db_session.get(AcademicYear, world.current).is_current
    assert _offerings(db_session, year.id) == {("Экологическая тропа", "tutorial", date(2026, 10, 1), date(2027, 2, 28), None),
                                                (None, "internship", None, None, None)}
    sites = db_session.scalars(sa.select(InternshipSite).where(InternshipSite.year_id == year.id)).all()
    assert [s.status for s in sites] == ["active"]  # the closed site stays behind
    kinds = sorted((s.kind, s.status, s.year_id, s.opens_at) for s in opened.surveys)
    assert kinds == [("needs", "draft", year.id, None), ("resource", "draft", year.id, None),
                     ("self_assessment", "draft", year.id, None)]
    again = next(s for s in opened.surveys if s.kind == "needs")
    assert again.audience_roles == ["teacher"] and again.id != needs_last_year.id
    assert len(again.questions) == len(needs_last_year.questions)
    # The old year is untouched.
    assert _offerings(db_session, world.current) >= {("Речевые игры", "master_class", None, None, 15)}


def test_opening_refuses_a_year_that_exists_or_bad_dates_and_foreign_surveys(db_session, world):
    with pytest.raises(ValidationError):
        opening.open_year(db_session, world.network_id, title="2025/2026", starts_on=date(2025, 9, 1),
                          ends_on=date(2026, 8, 31), source_id=world.current)
    db_session.rollback()
    with pytest.raises(ValidationError):
        opening.open_year(db_session, world.network_id, title="2026/2027", starts_on=date(2027, 9, 1),
                          ends_on=date(2026, 8, 31), source_id=world.current)
    db_session.rollback()
    old = Survey(network_id=world.network_id, year_id=world.past, title="Старая анкета", kind="other")
    db_session.add(old)
    db_session.flush()
    with pytest.raises(ValidationError):
        opening.open_year(db_session, world.network_id, title="2026/2027", starts_on=date(2026, 9, 1),
                          ends_on=date(2027, 8, 31), source_id=world.current, survey_ids=[old.id])
    db_session.rollback()
    with pytest.raises(ValidationError):
        opening.open_year(db_session, world.network_id, title="2026/2027", starts_on=date(2026, 9, 1),
                          ends_on=date(2027, 8, 31), source_id=world.current, templates=["no_such_template"])


def test_year_dates():
    assert school_year_of(date(2026, 8, 31)) == ("2025/2026", date(2025, 9, 1), date(2026, 8, 31))
    assert school_year_of(date(2026, 9, 1)) == ("2026/2027", date(2026, 9, 1), date(2027, 8, 31))
    year = AcademicYear(title="2027/2028", starts_on=date(2027, 9, 1), ends_on=date(2028, 8, 31))
    assert next_year_dates(year) == ("2028/2029", date(2028, 9, 1), date(2029, 8, 31))


def test_the_prompt_comes_in_august_and_after_the_end_until_the_next_year_is_current(db_session, world):
    n = world.network_id
    assert new_year_prompt(db_session, n, date(2026, 7, 31)) is None
    august = new_year_prompt(db_session, n, date(2026, 8, 1))
    assert (august.title, august.overdue, august.exists) == ("2026/2027", False, False)
    late = new_year_prompt(db_session, n, date(2026, 9, 15))
    assert (late.current.title, late.overdue) == ("2025/2026", True)
    opening.open_year(db_session, n, title="2026/2027", starts_on=date(2026, 9, 1), ends_on=date(2027, 8, 31),
                      source_id=world.current, make_current=False)
    assert new_year_prompt(db_session, n, date(2026, 9, 15)).exists
    db_session.execute(sa.update(AcademicYear).where(AcademicYear.network_id == n)
                       .values(is_current=AcademicYear.title == "2026/2027"))
    assert new_year_prompt(db_session, n, date(2026, 9, 15)) is None


def test_opening_page_reviews_and_opens(client, auth, db_session, world):
    auth.login(METHODIST, network_id=world.network_id)
    page = client.get("/year/open").text
    assert "Открыть 2026/2027 учебный год" in page and "Экологическая тропа" in page and "Речевые игры" in page
    response = client.post("/year/open", data={
        "title": "2026/2027", "starts_on": "2026-09-01", "ends_on": "2027-08-31",
        "offering_ids": [str(world.offerings["speech"])], "templates": ["needs"]}, follow_redirects=True)
    assert response.status_code == 200
    assert "Учебный год 2026/2027 открыт: перенесено 1 предложение, 1 анкета к подготовке." in response.text
    assert "План мероприятий на 2026/2027 учебный год" in response.text
    again = client.get("/year/open").text  # opened, not made current: the page offers to switch
    assert "Учебный год 2026/2027 уже открыт." in again and "Сделать текущим" in again
    assert client.post("/year/open", data={"title": "2026/2027"}).status_code == 200  # nothing opened twice
    assert db_session.scalar(sa.select(sa.func.count()).select_from(AcademicYear)
                             .where(AcademicYear.network_id == world.network_id)) == 3


def test_a_refused_opening_shows_the_reason_and_keeps_the_form(client, auth, world):
    auth.login(METHODIST, network_id=world.network_id)
    page = client.post("/year/open", data={"title": "2026/2027", "starts_on": "2027-09-01", "ends_on": "2027-08-31",
                                           "templates": ["resource"]})
    assert page.status_code == 400 and "Год должен заканчиваться позже" in page.text
    assert 'value="2027-09-01"' in page.text


def test_the_dashboard_prompts_once_the_year_is_over(client, auth, db_session):
    network_id = auth.network()
    today = date.today()
    db_session.add(AcademicYear(network_id=network_id, title="прошлый", starts_on=today.replace(year=today.year - 1),
                                ends_on=today - timedelta(days=1), is_current=True))
    db_session.commit()
    auth.login(METHODIST, network_id=network_id)
    page = client.get("/reports/").text
    assert "завершился" in page and "Открыть новый учебный год" in page and 'href="/year/open"' in page
    board = dashboard.build(db_session, network_id, Period(today, today), today=today)
    assert board.new_year.overdue and board.new_year.current.title == "прошлый"
