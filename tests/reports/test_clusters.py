"""Clusters' work: members, events run, participants, and the members' needs against the events held."""
from __future__ import annotations

from lti_tool.reports import clusters
from lti_tool.reports.period import Period
from lti_tool.resource_map.models import Cluster
from lti_tool.surveys import tally
from lti_tool.surveys.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse, SurveySection

from . import dataset

YEAR = Period(dataset.YEAR_START, dataset.YEAR_END)


def _needs_survey(session, data) -> None:
    """Two members of the Math cluster's organization (O2) rate Math 5 and Eco 2; an outsider rates Eco 5."""
    survey = Survey(network_id=data.network_id, year_id=data.year_id, title="Потребности", kind="needs",
                    status="closed")
    session.add(survey)
    session.flush()
    section = SurveySection(survey_id=survey.id, title="Темы")
    session.add(section)
    session.flush()
    question = SurveyQuestion(survey_id=survey.id, section_id=section.id, type="topic_matrix", text="Потребность")
    session.add(question)
    session.flush()
    for person, org, math, eco in [("t3", "O2", 5, 2), ("B", "O2", 5, 2), ("t1", "O1", 1, 5)]:
        response = SurveyResponse(survey_id=survey.id, person_id=data.people[person], organization_id=data.orgs[org])
        session.add(response)
        session.flush()
        session.add_all([SurveyAnswer(response_id=response.id, question_id=question.id, topic_id=data.topics["math"],
                                      rating=math),
                         SurveyAnswer(response_id=response.id, question_id=question.id, topic_id=data.topics["eco"],
                                      rating=eco)])
    # Answers written directly (not through `submit`): recount the report's tally from them.
    tally.rebuild(session, survey)
    session.commit()


def test_cluster_work_members_events_and_needs(data, db_session):
    _needs_survey(db_session, data)
    work = clusters.work(db_session, db_session.get(Cluster, data.clusters["math"]), YEAR)
    assert [label for _, label in work.organizations] == ["МАДОУ № 8"]
    assert [name for _, name, _ in work.people] == ["Педагог B"]
    assert [e.id for e in work.events] == [data.events["E2"]]
    # E2: t1 (O1), t3 (O2, member organization), t4 (O3).
    assert (work.attendances, work.participants, work.from_members) == (3, 3, 1)
    # Members' ratings: Math (5+5)/2 → need 1.0, covered by the cluster's E2; Eco 2 → 0.25, covered by E1.
    assert [(n.name, n.need, n.by_cluster, n.by_network) for n in work.needs] == [
        ("Математическое развитие дошкольников", 1.0, True, True), ("Экологическое воспитание", 0.25, False, True)]


def test_overview_counts_members(data, db_session):
    lines = clusters.overview(db_session, data.network_id, YEAR)
    assert [(line.row.label, line.organizations, line.people, line.topic) for line in lines] == [
        ("Математический кластер", 1, 1, "Математическое развитие дошкольников"),
        ("Экологический кластер", 1, 0, "Экологическое воспитание")]


def test_cluster_without_survey_has_no_needs(data, db_session):
    work = clusters.work(db_session, db_session.get(Cluster, data.clusters["eco"]), YEAR)
    assert work.survey is None and work.needs == []
    assert [e.id for e in work.events] == [data.events["E1"]]


def test_a_cluster_is_credited_by_the_events_cluster_or_topic_never_by_its_host(data, db_session):
    """A member kindergarten of the Math cluster hosts a burnout seminar: not the cluster's work. An
    event that names the Eco cluster counts for it alone, whatever its topic and host."""
    from datetime import date

    from lti_tool.core.reference import Topic

    burnout = Topic(network_id=data.network_id, name="Профилактика эмоционального выгорания")
    db_session.add(burnout)
    db_session.flush()
    seminar = dataset._event(db_session, data.network_id, data.year_id, "Семинар о выгорании", "immersion_seminar",
                             status="held", dates=[date(2025, 12, 3)], topic=burnout.id, host=data.orgs["O2"],
                             marks=[(data.people["t3"], ["present"])])
    named = dataset._event(db_session, data.network_id, data.year_id, "Открытый показ", "open_demo",
                           status="held", dates=[date(2026, 2, 4)], topic=data.topics["math"], host=data.orgs["O2"],
                           marks=[(data.people["t1"], ["present"])])
    named.cluster_id = data.clusters["eco"]
    db_session.commit()
    math = clusters.work(db_session, db_session.get(Cluster, data.clusters["math"]), YEAR)
    eco = clusters.work(db_session, db_session.get(Cluster, data.clusters["eco"]), YEAR)
    assert seminar.id not in [e.id for e in math.events] + [e.id for e in eco.events]
    assert [e.id for e in math.events] == [data.events["E2"]]  # by its own offering
    assert [e.id for e in eco.events] == [data.events["E1"], named.id]  # E1 by its topic, the show by name
