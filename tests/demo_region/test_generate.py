"""The region generator: sizes, dates in the current school year, the tool's own derived data, the LMS mirror."""
from __future__ import annotations

from datetime import date, datetime, timezone

import sqlalchemy as sa

from lti_tool.demo_region import Sizes, generate, lms, school_year
from lti_tool.models import Base
from lti_tool.surveys import tally
from lti_tool.surveys.models import Survey, SurveyAnswer, SurveyTally

SIZES = Sizes(teachers=50, tutors=6, methodists=2, organizations=10, municipalities=3, clusters=2, internship_sites=2,
              offerings=30, needs_responses=52, self_assessment_start=20, self_assessment_end=10, events=30,
              participants_scale=0.3, candidacies=3)
TODAY = date(2026, 12, 4)


def count(session, table: str, network_id: int | None = None) -> int:
    where = f" WHERE network_id = {network_id}" if network_id else ""
    return session.execute(sa.text(f"SELECT count(*) FROM {table}{where}")).scalar()


def test_the_sizes_asked_for_are_made(db_session):
    region = generate(db_session, sizes=SIZES, today=TODAY, echo=lambda _l: None)
    n = region.network_id
    assert count(db_session, "person", n) == 58
    assert count(db_session, "organization", n) == 10
    assert count(db_session, "offering", n) == 30
    assert count(db_session, "event", n) == 30
    assert count(db_session, "survey_response") == 52 + 20 + 10
    assert count(db_session, "enrollment") == 58  # the LMS roster: everyone, in one course
    routes = count(db_session, "pathway_route", n)
    assert 0 < routes <= 50  # the planner's routes, for teachers only
    assert count(db_session, "event_attendance") > 0
    # every person is linked to an LTI user of the region's platform
    assert db_session.execute(sa.text("SELECT count(*) FROM person WHERE user_id IS NULL")).scalar() == 0


def test_dates_belong_to_the_current_school_year_and_the_past_is_past(db_session):
    region = generate(db_session, sizes=SIZES, today=TODAY, echo=lambda _l: None)
    start, end = school_year(TODAY)
    assert (start, end) == (date(2026, 9, 1), date(2027, 8, 31))
    title, current = db_session.execute(sa.text("SELECT title, is_current FROM academic_year WHERE network_id = :n"),
                                        {"n": region.network_id}).one()
    assert title == "2026/2027" and current
    now = datetime(2026, 12, 4, 12, tzinfo=timezone.utc)
    for table, column in (("survey_response", "submitted_at"), ("event_attendance", "graded_at"),
                          ("score_outbox", "delivered_at"), ("pathway_step", "completed_at")):
        column = Base.metadata.tables[table].c[column]
        latest = db_session.execute(sa.select(sa.func.max(column))).scalar()
        latest = latest if latest.tzinfo else latest.replace(tzinfo=timezone.utc)
        assert latest <= now, (table, latest)
    # graded sessions are in the past; upcoming events have sign-up open
    session, attendance = Base.metadata.tables["event_session"], Base.metadata.tables["event_attendance"]
    graded = db_session.execute(sa.select(sa.func.max(session.c.on_date))
                                .join(attendance, attendance.c.session_id == session.c.id)).scalar()
    assert graded < TODAY
    assert db_session.execute(sa.text("SELECT count(*) FROM event WHERE status = 'published' AND "
                                      "signup_closes_at > :now"), {"now": now}).scalar() > 0


def test_survey_tallies_are_the_answers_counted(db_session):
    """The generator rebuilds each survey's tally; rebuilding again changes nothing."""
    generate(db_session, sizes=SIZES, today=TODAY, echo=lambda _l: None)
    for survey in db_session.scalars(sa.select(Survey)):
        before = sorted(db_session.execute(sa.select(SurveyTally.question_id, SurveyTally.item, SurveyTally.option_id,
                                                     SurveyTally.topic_id, SurveyTally.value, SurveyTally.n)
                                           .where(SurveyTally.survey_id == survey.id)).all())
        tally.rebuild(db_session, survey)
        after = sorted(db_session.execute(sa.select(SurveyTally.question_id, SurveyTally.item, SurveyTally.option_id,
                                                    SurveyTally.topic_id, SurveyTally.value, SurveyTally.n)
                                          .where(SurveyTally.survey_id == survey.id)).all())
        assert before == after and before
    ratings = db_session.scalar(sa.select(sa.func.sum(SurveyTally.n)).where(SurveyTally.item == "r"))
    assert ratings == db_session.scalar(sa.select(sa.func.count()).select_from(SurveyAnswer)
                                        .where(SurveyAnswer.rating.is_not(None)))


def test_the_same_seed_makes_the_same_region_and_the_manifest_mirrors_it(db_session):
    first = generate(db_session, sizes=SIZES, today=TODAY, slug="a", issuer="http://127.0.0.1:1", echo=lambda _l: None)
    second = generate(db_session, sizes=SIZES, today=TODAY, slug="b", issuer="http://127.0.0.1:2",
                      echo=lambda _l: None)
    names = [db_session.execute(sa.text("SELECT full_name, position FROM person WHERE network_id = :n ORDER BY id"),
                                {"n": r.network_id}).all() for r in (first, second)]
    assert names[0] == names[1]
    manifest = lms.manifest(first)
    subs = dict(db_session.execute(sa.text("SELECT email, sub FROM user_account WHERE issuer = 'http://127.0.0.1:1'")).all())
    assert [r["sub"] for r in manifest["roster"]] == [str(n) for n in range(2, 2 + len(manifest["roster"]))]
    assert all(subs[r["email"]] == r["sub"] for r in manifest["roster"])
    links = [l["link_id"] for l in manifest["links"]]
    assert links == [str(n) for n in range(2, 2 + len(links))]


def test_a_taken_slug_is_refused(db_session):
    generate(db_session, sizes=SIZES, today=TODAY, echo=lambda _l: None)
    try:
        generate(db_session, sizes=SIZES, today=TODAY, echo=lambda _l: None)
    except ValueError as exc:
        assert "region" in str(exc)
    else:
        raise AssertionError("a second region with the same slug was generated")
