"""Consultations: the tutor's log and its rules, and where the hours appear (portfolio, tutor's
view, yearly report)."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa

from lti_tool.core.reference import Person
from lti_tool.pathways import consultations, portfolio, reporting, services
from lti_tool.pathways.models import Consultation
from lti_tool.pathways.services import PathwayError
from lti_tool.reports import yearly
from lti_tool.reports.period import Period

from .world import make_user

DAY = date(2025, 10, 14)


def log(session, world, kind="individual", people=(0,), minutes=45, **extra):
    return consultations.record(session, world.network_id, world.tutor_id, kind=kind, held_on=extra.pop("held_on", DAY),
                                subject=extra.pop("subject", "Планирование НОД"),
                                participant_ids=[world.teachers[i] for i in people], minutes=minutes, **extra)


def published_route(session, world, index):
    route = services.route_for(session, world.network_id, world.teachers[index], world.year_id, create=True)
    route.status = "published"
    route.published_at = datetime(2025, 9, 20, tzinfo=timezone.utc)
    services.attach_tutor(session, route, world.tutor_id)
    session.flush()
    return route


@pytest.mark.parametrize("kind, people, minutes, held_on", [
    ("individual", (0, 1), 30, DAY),  # individual: one participant
    ("group", (0,), 30, DAY),  # group: two or more
    ("individual", (), 30, DAY),
    ("individual", (0,), 0, DAY),
    ("individual", (0,), 30, date(2999, 1, 1)),  # not in the future
    ("lecture", (0,), 30, DAY),
])
def test_rules_refuse_bad_records_and_write_nothing(db_session, world, kind, people, minutes, held_on):
    with pytest.raises(PathwayError):
        log(db_session, world, kind=kind, people=people, minutes=minutes, held_on=held_on)
    db_session.rollback()
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Consultation)) == 0


def test_participants_must_be_of_the_network(db_session, world, auth):
    stranger = Person(network_id=auth.network(), full_name="Чужая Мария")
    db_session.add(stranger)
    db_session.flush()
    with pytest.raises(PathwayError):
        consultations.record(db_session, world.network_id, world.tutor_id, kind="individual", held_on=DAY,
                             subject="x", participant_ids=[stranger.id], minutes=30)


def test_hours_appear_in_the_portfolio_and_the_yearly_report(db_session, world):
    published_route(db_session, world, 0)
    published_route(db_session, world, 1)
    log(db_session, world, people=(0,), minutes=45)
    log(db_session, world, kind="group", people=(0, 1), minutes=90, outcome="Составлен план проекта")
    log(db_session, world, people=(1,), minutes=60, held_on=date(2024, 10, 1))  # last year: not counted
    db_session.commit()
    page = portfolio.summary_page(db_session, world.network_id, world.year_id)
    rows = {r.person_id: r for r in page.rows}
    assert (rows[world.teachers[0]].consultations, rows[world.teachers[0]].consultation_minutes) == (2, 135)
    assert (rows[world.teachers[1]].consultations, rows[world.teachers[1]].consultation_minutes) == (1, 90)
    (entry,) = portfolio.portfolios(db_session, world.network_id, world.year_id, [world.teachers[0]])
    assert [c.minutes for c in entry.consultations] == [45, 90] and entry.consultation_minutes == 135
    report = yearly.build(db_session, world.network_id, Period(date(2025, 9, 1), date(2026, 8, 31)))
    assert (report.figures.consultations, report.figures.consultation_minutes) == (2, 135)
    dashboard = reporting.summary(db_session, world.network_id, date(2025, 9, 1), date(2026, 8, 31))
    assert (dashboard["consultations"], dashboard["consultation_minutes"]) == (2, 135)
    earlier = yearly.build(db_session, world.network_id, Period(date(2024, 9, 1), date(2025, 8, 31)))
    assert (earlier.figures.consultations, earlier.figures.consultation_minutes) == (1, 60)


def test_tutor_logs_and_sees_her_year_per_tutee(client, auth, db_session, world):
    published_route(db_session, world, 0)
    db_session.commit()
    auth.login("tutor", network_id=world.network_id, user_id=world.tutor_user_id)
    page = client.get("/pathways/consultations").get_data(as_text=True)
    assert "Педагог 01" in page  # her tutee is offered as a participant
    response = client.post("/pathways/consultations", data={
        "kind": "individual", "held_on": "2025-10-14", "minutes": "90", "subject": "Проект по экологии",
        "participants": [str(world.teachers[0])], "outcome": "План на месяц"})
    assert response.status_code == 302
    bad = client.post("/pathways/consultations", data={"kind": "group", "held_on": "2025-10-14", "minutes": "90",
                                                        "subject": "x", "participants": [str(world.teachers[0])]})
    assert bad.status_code == 302  # a message, nothing written
    page = client.get("/pathways/consultations").get_data(as_text=True)
    assert "Проект по экологии" in page and "1 консультация" in page and "1,5" in page
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Consultation)) == 1


def test_teachers_cannot_log_and_others_cannot_delete(client, auth, db_session, world):
    row = log(db_session, world)
    db_session.commit()
    auth.login("teacher", network_id=world.network_id, user_id=world.teacher_users[0])
    assert client.get("/pathways/consultations").status_code == 403
    assert client.post("/pathways/consultations", data={"kind": "individual"}).status_code == 403
    assert client.post(f"/pathways/consultations/{row.id}/delete").status_code == 403
    other = make_user(db_session, "Другой тьютор")
    db_session.add(Person(network_id=world.network_id, user_id=other.id, full_name=other.name, is_tutor=True))
    db_session.commit()
    auth.login("tutor", network_id=world.network_id, user_id=other.id)
    assert client.post(f"/pathways/consultations/{row.id}/delete").status_code == 403
    auth.login("methodist")  # another network
    assert client.post(f"/pathways/consultations/{row.id}/delete").status_code == 404
    auth.login("tutor", network_id=world.network_id, user_id=world.tutor_user_id)
    assert client.post(f"/pathways/consultations/{row.id}/delete").status_code == 302
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Consultation)) == 0
