"""The dashboard's own figures: held vs planned, survey response rates, grades waiting for the LMS."""
from __future__ import annotations

import os
from datetime import date

from lti_tool.core.accounts import User
from lti_tool.core.courses import Course
from lti_tool.core.grades import LineItem, ScoreOutbox
from lti_tool.events.models import Event
from lti_tool.lti.models import Deployment, Platform
from lti_tool.pathways import reporting
from lti_tool.reports import dashboard, pathways_stats
from lti_tool.reports.period import Period, parse_period
from lti_tool.surveys.models import Survey, SurveyResponse

from . import dataset

YEAR = Period(dataset.YEAR_START, dataset.YEAR_END, "2025/2026")


def _grades(session, network_id: int, statuses: list[str]) -> None:
    platform = Platform(network_id=network_id, issuer="https://lms.test", client_id=os.urandom(4).hex(),
                        auth_login_url="https://lms.test/auth", auth_token_url="https://lms.test/token")
    session.add(platform)
    session.flush()
    deployment = Deployment(platform_id=platform.id, deployment_id="1", network_id=network_id)
    session.add(deployment)
    session.flush()
    course = Course(network_id=network_id, deployment_id=deployment.id, lti_context_id=os.urandom(3).hex())
    user = User(issuer="https://lms.test", sub=os.urandom(6).hex(), name="Педагог")
    session.add_all([course, user])
    session.flush()
    item = LineItem(course_id=course.id, label="Тьюториал")
    session.add(item)
    session.flush()
    for i, status in enumerate(statuses):
        session.add(ScoreOutbox(network_id=network_id, course_id=course.id, line_item_id=item.id, user_id=user.id,
                                source_key=f"event_participant:{i}", score_given=1, score_maximum=1, status=status))
    session.flush()


def test_dashboard_figures(data, db_session):
    # An event published for the year without a date yet counts as planned.
    db_session.add(Event(network_id=data.network_id, year_id=data.year_id, form="training", title="Тренинг",
                         status="published"))
    survey = Survey(network_id=data.network_id, year_id=data.year_id, title="Потребности 2025", status="closed")
    draft = Survey(network_id=data.network_id, year_id=data.year_id, title="Черновик анкеты", status="draft")
    db_session.add_all([survey, draft])
    db_session.flush()
    db_session.add_all([SurveyResponse(survey_id=survey.id, person_id=data.people["t1"]),
                        SurveyResponse(survey_id=survey.id, person_id=data.people["t2"])])
    _grades(db_session, data.network_id, ["pending", "pending", "failed", "delivered"])
    _grades(db_session, data.other_network_id, ["pending"])
    db_session.commit()

    board = dashboard.build(db_session, data.network_id, YEAR, today=date(2025, 10, 10))
    assert (board.held, board.planned) == (2, 2)  # E1, E2 on or before today; E3 later + the undated training
    assert board.figures.events == 3 and board.figures.attendances == 8
    # The network's 9 people are asked when the survey is placed in no course; the draft is not listed.
    assert [(s.title, s.responses, s.roster) for s in board.surveys] == [("Потребности 2025", 2, 9)]
    assert round(board.surveys[0].rate, 3) == round(2 / 9, 3)
    assert (board.grades["pending"], board.grades["failed"], board.grades["delivered"]) == (2, 1, 1)
    assert board.routes in (None, {"published": 0, "steps": 0, "steps_done": 0, "progress": None,
                                   "consultations": 0, "consultation_hours": 0.0})  # no routes
    assert [r.key for r in board.by_month][:2] == [(2025, 9), (2025, 10)] and len(board.by_month) == 12


def test_route_figures_come_from_the_pathways_area(monkeypatch, data, db_session):
    calls = []

    def summary(session, network_id, start, end):
        calls.append((network_id, start, end))
        return {"published": 4, "steps": 10, "steps_done": 3, "consultations": 5, "consultation_minutes": 270}

    monkeypatch.setattr(reporting, "summary", summary)
    assert pathways_stats.summary(db_session, data.network_id, YEAR) == {
        "published": 4, "steps": 10, "steps_done": 3, "progress": 0.3, "consultations": 5, "consultation_hours": 4.5}
    assert calls == [(data.network_id, YEAR.start, YEAR.end)]


def test_parse_period_rules():
    default = YEAR
    assert parse_period(None, None, default) == default
    assert parse_period("2026-01-01", None, default) == Period(date(2026, 1, 1), dataset.YEAR_END)
    assert parse_period("2026-01-01", "2026-01-01", default) == Period(date(2026, 1, 1), date(2026, 1, 1))
