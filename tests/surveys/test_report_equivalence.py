"""The tally-based report equals the first implementation (GROUP BYs over every answer) on random data."""
from __future__ import annotations

import importlib.util
import random
from pathlib import Path

import pytest
import sqlalchemy as sa

from lti_tool.core.accounts import User
from lti_tool.core.reference import Organization, Person
from lti_tool.resource_map.models import cluster_person
from lti_tool.surveys import answering, tally
from lti_tool.surveys.builder import QuestionData as Q
from lti_tool.surveys.models import SurveyTally
from lti_tool.surveys.reports import build_report
from lti_tool.surveys.roster import Filters

from . import legacy_report

QUESTIONS = [
    Q("single", "Должность", options=["Воспитатель", "Логопед", "Музыкальный руководитель"], allow_other=True),
    Q("multiple", "Формы поддержки", options=["Консультация", "Тьюториал", "Мастер-класс", "Стажировка"],
      allow_other=True),
    Q("likert", "Готовность к самообразованию"),
    Q("topic_matrix", "Потребность по темам"),
    Q("number", "Стаж", min_value=0, max_value=60),
    Q("short_text", "Должность полностью"),
    Q("long_text", "Пожелания"),
    Q("topic_matrix", "Ещё одна матрица"),
]


def _values(questions, topics, rng: random.Random) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for q in questions:
        key = f"q{q.id}"
        if q.type == "topic_matrix":
            values.update({f"{key}_t{t}": [str(rng.randint(1, 5))] for t in topics})
        elif q.type == "single":
            if rng.random() < 0.15:
                values[key], values[f"{key}_other"] = ["other"], [f"Другое {rng.randint(1, 9)}"]
            else:
                values[key] = [str(rng.choice(q.options).id)]
        elif q.type == "multiple":
            values[key] = [str(o.id) for o in rng.sample(q.options, rng.randint(1, 3))]
            if rng.random() < 0.2:
                values[key].append("other")
                values[f"{key}_other"] = [f"Иное {rng.randint(1, 9)}"]
        elif q.type == "likert" and rng.random() < 0.9:
            values[key] = [str(rng.randint(1, 5))]
        elif q.type == "number" and rng.random() < 0.8:
            values[key] = [str(rng.choice([0, 1.5, 3, 7, 12, 12, 25, 40]))]
        elif q.type in ("short_text", "long_text") and rng.random() < 0.5:
            values[key] = [f"Ответ {rng.randint(1, 10**6)}"]
    return values


def _flat(report) -> dict:
    """Everything a user sees, floats rounded far below what is displayed."""
    def need(t):
        return (t.topic_id, t.name, t.n, round(t.mean, 9), round(t.need, 9), round(t.high_share, 9))
    return {
        "head": (report.responses, report.roster, report.suppressed),
        "questions": [(s.question.id, s.n, [(b.label, b.count, round(b.share, 9)) for b in s.bars],
                       None if s.mean is None else round(s.mean, 9), s.median, [need(t) for t in s.topics],
                       s.texts, s.text_total) for s in report.questions],
        "ranking": [need(t) for t in report.topic_ranking],
        "by_organization": [(name, n, [need(t) for t in needs]) for name, n, needs in report.by_organization],
    }


def _tally(session, survey_id: int) -> set[tuple]:
    return {tuple(row) for row in session.execute(
        sa.select(*[getattr(SurveyTally, c) for c in tally.KEY], SurveyTally.n)
        .where(SurveyTally.survey_id == survey_id, SurveyTally.n != 0))}


@pytest.mark.parametrize("anonymous", [False, True])
def test_tally_report_equals_the_answer_scan_on_random_data(db_session, survey_factory, net, anonymous):
    rng = random.Random(20261130 + anonymous)
    session = db_session
    extra = [Organization(network_id=net.id, number=f"№ {n}", name=f"МАДОУ № {n}") for n in (7, 8)]
    session.add_all(extra)
    session.flush()
    orgs = net.orgs + [o.id for o in extra]
    people = list(net.people)
    for i in range(34):
        user = User(issuer="https://lms.test", sub=f"r{i}", name=f"Педагог r{i}")
        session.add(user)
        session.flush()
        person = Person(network_id=net.id, user_id=user.id, full_name=f"Педагог r{i}",
                        organization_id=rng.choice(orgs + [None]), is_tutor=rng.random() < 0.2)
        session.add(person)
        session.flush()
        if rng.random() < 0.2:
            session.execute(sa.insert(cluster_person).values(cluster_id=net.cluster, person_id=person.id))
        people.append(person)
    survey = survey_factory(QUESTIONS, anonymous=anonymous, allow_edit_until_close=not anonymous)
    questions = answering.ordered_questions(survey)
    for person in people[:36]:
        answering.submit(session, survey, person, _values(questions, net.topics, rng), net.topics)
    if not anonymous:  # edits replace the answers (and move the tally from the old buckets to the new ones)
        for person in rng.sample(people[:36], 8):
            person.organization_id = rng.choice(orgs)
            answering.submit(session, survey, person, _values(questions, net.topics, rng), net.topics, "tutor")
    session.commit()

    for filters in [Filters(), Filters(organization_id=orgs[0]), Filters(organization_id=orgs[3]),
                    Filters(cluster_id=net.cluster), Filters(role="tutor"), Filters(role="teacher"),
                    Filters(organization_id=orgs[1], role="teacher"), Filters(organization_id=-1)]:
        assert _flat(build_report(session, survey, filters)) == _flat(legacy_report.build_report(session, survey, filters))
    assert build_report(session, survey).responses == 36

    # The counts kept at each submission equal a recount from the stored answers.
    kept = _tally(session, survey.id)
    tally.rebuild(session, survey)
    assert _tally(session, survey.id) == kept
    session.execute(sa.delete(SurveyTally))  # and so does the migration's backfill of existing answers
    for statement in _migration().BACKFILL:
        session.execute(sa.text(statement))
    assert _tally(session, survey.id) == kept


def _migration():
    path = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "0010_surveys_perf.py"
    spec = importlib.util.spec_from_file_location("migration_0010_surveys_perf", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
