"""The analytical report equals a hand computation on a small fixed data set; XLSX (audiences: test_audience)."""
from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from lti_tool.surveys import answering
from lti_tool.surveys.builder import QuestionData as Q
from lti_tool.surveys.export import workbook
from lti_tool.surveys.reports import build_report
from lti_tool.surveys.roster import Filters

QUESTIONS = [
    Q("single", "Должность", options=["Воспитатель", "Логопед"], allow_other=True),
    Q("multiple", "Формы поддержки", options=["Консультация", "Тьюториал", "Мастер-класс"]),
    Q("likert", "Готовность к самообразованию"),
    Q("topic_matrix", "Потребность по темам"),
    Q("number", "Стаж", min_value=0, max_value=60),
    Q("long_text", "Пожелания"),
]
# person index: (single, multiple, likert, (t1, t2, t3), number, text)
ROWS = {
    0: ("A", "XY", 5, (5, 1, 3), 10, "Нужна помощь с ИКТ"),
    1: ("A", "X", 3, (4, 2, 3), 20, ""),
    2: ("B", "YZ", 4, (5, 1, 1), 5, ""),
    3: ("other:Методист", "X", 2, (3, 3, 3), 30, "Больше практики"),
    4: ("B", "Z", 1, (1, 5, 4), 2, ""),
}


@pytest.fixture
def answered(db_session, survey_factory, net):
    """The survey with the five responses of ROWS (people 0-3 in org 0, in the cluster; 4 in org 1)."""
    survey = survey_factory(QUESTIONS)
    single, multiple, likert, matrix, number, text = answering.ordered_questions(survey)
    letter = {"A": single.options[0].id, "B": single.options[1].id, "X": multiple.options[0].id,
              "Y": multiple.options[1].id, "Z": multiple.options[2].id}
    for index, (one, many, rating, cells, years, wish) in ROWS.items():
        values = {f"q{likert.id}": [str(rating)], f"q{number.id}": [str(years)], f"q{text.id}": [wish],
                  f"q{multiple.id}": [str(letter[c]) for c in many]}
        if one.startswith("other:"):
            values[f"q{single.id}"], values[f"q{single.id}_other"] = ["other"], [one.split(":")[1]]
        else:
            values[f"q{single.id}"] = [str(letter[one])]
        values.update({f"q{matrix.id}_t{t}": [str(r)] for t, r in zip(net.topics, cells, strict=True)})
        answering.submit(db_session, survey, net.people[index], values, net.topics,
                         "tutor" if index == 3 else "teacher")
    db_session.commit()
    return survey


def _bars(stats):
    return [(b.label, b.count, round(b.share, 3)) for b in stats.bars]


def test_report_numbers_equal_the_hand_computation(db_session, answered, net):
    report = build_report(db_session, answered)
    single, multiple, likert, matrix, number, text = report.questions
    assert (report.responses, report.roster) == (5, 6) and report.rate == pytest.approx(5 / 6)
    assert single.n == 5 and _bars(single) == [("Воспитатель", 2, 0.4), ("Логопед", 2, 0.4), ("other", 1, 0.2)]
    assert single.texts == ["Методист"]
    assert multiple.n == 5 and _bars(multiple) == [("Консультация", 3, 0.6), ("Тьюториал", 2, 0.4),
                                                   ("Мастер-класс", 2, 0.4)]
    assert (likert.n, likert.mean, likert.median) == (5, 3.0, 3.0)
    assert [b.count for b in likert.bars] == [1, 1, 1, 1, 1]
    assert (number.n, number.mean, number.median) == (5, pytest.approx(13.4), 10.0)
    assert text.n == 2 and sorted(text.texts) == ["Больше практики", "Нужна помощь с ИКТ"]
    t1, t2, t3 = net.topics
    # t1: 5,4,5,3,1 → mean 3.6, need 0.65; t3: 3,3,1,3,4 → 2.8, 0.45; t2: 1,2,1,3,5 → 2.4, 0.35
    assert [(t.topic_id, t.n, round(t.mean, 3), round(t.need, 3), round(t.high_share, 3))
            for t in report.topic_ranking] == [(t1, 5, 3.6, 0.65, 0.6), (t3, 5, 2.8, 0.45, 0.2), (t2, 5, 2.4, 0.35, 0.2)]
    assert matrix.n == 5 and [t.topic_id for t in matrix.topics] == [t1, t3, t2]
    by_org = {name: (n, [(t.topic_id, t.mean) for t in needs]) for name, n, needs in report.by_organization}
    assert by_org == {"№ 69 МАДОУ № 69": (4, [(t1, 4.25), (t3, 2.5), (t2, 1.75)]),
                      "№ 135 МАДОУ № 135": (1, [(t2, 5.0), (t3, 4.0), (t1, 1.0)])}


def test_filters_by_organization_cluster_and_role(db_session, answered, net):
    org = build_report(db_session, answered, Filters(organization_id=net.orgs[0]))
    assert (org.responses, org.roster) == (4, 4)
    assert org.questions[2].median == 3.5  # 5, 3, 4, 2
    assert build_report(db_session, answered, Filters(cluster_id=net.cluster)).responses == 4
    tutors = build_report(db_session, answered, Filters(role="tutor"))
    assert (tutors.responses, tutors.questions[2].mean) == (1, 2.0)


def test_anonymous_report_hides_groups_smaller_than_three(db_session, survey_factory, net):
    survey = survey_factory([Q("likert", "Готовность")], anonymous=True)
    qid = survey.sections[0].questions[0].id
    for person in net.people[3:6]:  # one in org 0, two in org 1
        answering.submit(db_session, survey, person, {f"q{qid}": ["3"]}, net.topics)
    assert build_report(db_session, survey, Filters(organization_id=net.orgs[1])).suppressed
    assert not build_report(db_session, survey).suppressed


def test_xlsx_has_summary_sheets_and_one_raw_row_per_response(app, db_session, answered, net):
    from lti_tool.surveys.services import active_topics

    report = build_report(db_session, answered)
    with app.test_request_context():
        data = workbook(db_session, answered, report, active_topics(db_session, net.id))
    wb = load_workbook(BytesIO(data), read_only=True)
    assert len(wb.sheetnames) == 4
    raw = list(wb[wb.sheetnames[-1]].iter_rows(values_only=True))
    assert len(raw) == 1 + 5
    assert len(raw[0]) == 4 + 5 + len(net.topics)  # id, date, org, role + 5 questions + a column per topic
    assert "Консультация; Тьюториал" in raw[1]


def test_xlsx_raw_sheet_keeps_values_exactly(app, db_session, survey_factory, net):
    """The raw sheet is written as XML by hand: markup characters, spaces, numbers and gaps survive."""
    from lti_tool.surveys.services import active_topics

    survey = survey_factory([Q("likert", "Готовность"), Q("number", "Стаж", min_value=0, max_value=60),
                             Q("long_text", "Пожелания")])
    likert, number, text = answering.ordered_questions(survey)
    answering.submit(db_session, survey, net.people[0], {f"q{likert.id}": ["4"], f"q{number.id}": ["2.5"],
                                                         f"q{text.id}": ['<b>&"ИКТ"</b>\n  ещё']}, net.topics)
    answering.submit(db_session, survey, net.people[1], {f"q{number.id}": ["7"]}, net.topics)
    db_session.commit()
    with app.test_request_context():
        data = workbook(db_session, survey, build_report(db_session, survey), active_topics(db_session, net.id))
    wb = load_workbook(BytesIO(data), read_only=True)
    raw = [(tuple(row) + (None,) * 7)[4:7] for row in wb[wb.sheetnames[-1]].iter_rows(values_only=True)]
    assert raw == [("Готовность", "Стаж", "Пожелания"), (4, 2.5, '<b>&"ИКТ"</b>\n  ещё'), (None, 7, None)]
