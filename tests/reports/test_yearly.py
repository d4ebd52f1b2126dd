"""The yearly report on the fixed data set of `dataset.py`, every figure against a hand computation."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from lti_tool.reports import yearly
from lti_tool.reports.period import Period

from . import dataset

YEAR = Period(dataset.YEAR_START, dataset.YEAR_END)


def test_headline_figures_match_the_hand_computation(data, db_session):
    f = yearly.build(db_session, data.network_id, YEAR).figures
    # Counted: E1 (first session on the start date), E2, E3 (on the end date). Not E4 (the day after
    # the end), E5 (cancelled), E6 (draft), E7 (first session the day before the start).
    assert f.events == 3
    # Person–event pairs with a presence: E1 {t1, t2, B} + E2 {t1, t3, t4} + E3 {t4, t2} = 8
    # (t3 absent at E1, t5 only excused at E2).
    assert f.attendances == 8
    # Present/late marks per session: E1 t1, t2×2, B = 4; E2 3; E3 2.
    assert f.visits == 9
    assert f.participants == 5  # t1, t2, t3, t4, B
    # Involved = attendees ∪ leaders {A, B, C}; tutors: A, B (flagged), C (leads E3). t1 is only an
    # assigned grader of E2, so stays a tutee.
    assert f.tutors == 3
    assert f.tutees == 4  # t1, t2, t3, t4
    # People's organizations {O1, O2, O3} ∪ hosts {O1, O3}; O1, O2 are kindergartens.
    assert (f.organizations, f.kindergartens) == (3, 2)
    assert f.clusters == 2  # Math, Eco; Old was retired before the period
    assert f.internship_sites == 1  # O1 active; O2 only applied
    assert f.best_practices == 1  # E1


def test_breakdowns_by_topic_form_month(data, db_session):
    report = yearly.build(db_session, data.network_id, YEAR)
    triple = lambda rows: [(r.label, r.events, r.attendances, r.participants) for r in rows]  # noqa: E731
    # Most events first, then most attendances, then by name; events without a topic last.
    assert triple(report.by_topic) == [("Математическое развитие дошкольников", 1, 3, 3),
                                       ("Экологическое воспитание", 1, 3, 3),
                                       ("Без темы", 1, 2, 2)]
    assert triple(report.by_form) == [("Консультация", 1, 2, 2), ("Тьюториал", 1, 3, 3), ("Мастер-класс", 1, 3, 3)]
    months = {r.key: (r.events, r.attendances, r.participants) for r in report.by_month}
    assert len(months) == 12 and list(months)[0] == (2025, 9) and list(months)[-1] == (2026, 8)
    assert months[(2025, 9)] == (1, 3, 3)
    assert months[(2025, 10)] == (1, 3, 3)
    assert months[(2026, 8)] == (1, 2, 2)
    assert sum(e for e, _, _ in months.values()) == 3
    assert report.by_month[0].label.lower() == "сентябрь 2025"


def test_breakdown_by_organization(data, db_session):
    rows = {r.key: r for r in yearly.build(db_session, data.network_id, YEAR).by_organization}
    o = data.orgs
    assert set(rows) == {o["O1"], o["O2"], o["O3"]}
    # O1: tutor A, tutees t1, t2; pairs t1@E1, t1@E2, t2@E1, t2@E3; hosts E1.
    assert (rows[o["O1"]].tutors, rows[o["O1"]].tutees, rows[o["O1"]].attendances,
            rows[o["O1"]].participants, rows[o["O1"]].events) == (1, 2, 4, 2, 1)
    # O2: tutor B, tutee t3; pairs B@E1, t3@E2; hosts nothing counted (E7 is outside).
    assert (rows[o["O2"]].tutors, rows[o["O2"]].tutees, rows[o["O2"]].attendances,
            rows[o["O2"]].participants, rows[o["O2"]].events) == (1, 1, 2, 2, 0)
    # O3: tutor C, tutee t4; pairs t4@E2, t4@E3; hosts E2.
    assert (rows[o["O3"]].tutors, rows[o["O3"]].tutees, rows[o["O3"]].attendances,
            rows[o["O3"]].participants, rows[o["O3"]].events) == (1, 1, 2, 1, 1)
    assert rows[o["O1"]].label == "МАДОУ № 69"


def test_breakdown_by_cluster(data, db_session):
    rows = [(r.key, r.events, r.attendances, r.participants)
            for r in yearly.build(db_session, data.network_id, YEAR).by_cluster]
    # Math ran E2 through its offering (host O3 is not a member); Eco ran E1 hosted by member O1.
    assert rows == [(data.clusters["math"], 1, 3, 3), (data.clusters["eco"], 1, 3, 3)]


def test_event_list_and_best_practices(data, db_session):
    report = yearly.build(db_session, data.network_id, YEAR)
    lines = [(e.id, e.first_date, e.sessions, e.registered, e.attendances, [n for _, n in e.leaders])
             for e in report.events]
    ev = data.events
    assert lines == [(ev["E1"], date(2025, 9, 1), 2, 4, 3, ["Педагог A"]),
                     (ev["E2"], date(2025, 10, 10), 1, 3, 3, ["Педагог B"]),  # t5 cancelled
                     (ev["E3"], date(2026, 8, 31), 1, 2, 2, ["Педагог C"])]
    assert [e.id for e in report.best_events] == [ev["E1"]]
    assert [(t.name, t.events) for t in report.best_tutors] == [("Педагог A", ["Тьюториал «Экологическая тропа»"])]


@pytest.mark.parametrize("start, end, expected", [
    (date(2025, 9, 1), date(2025, 9, 1), {"E1"}),  # one day: the start date is inclusive
    (date(2025, 9, 2), date(2026, 8, 30), {"E2"}),  # E1 starts before; E3 on the 31st is after; E7 started 31.08
    (date(2026, 8, 31), date(2026, 9, 1), {"E3", "E4"}),  # end date inclusive: E4 on 01.09 counts here
    (date(2025, 8, 31), date(2025, 8, 31), {"E7"}),
    (date(2026, 9, 2), date(2026, 12, 31), set()),
])
def test_period_boundaries_are_inclusive_on_the_first_session_date(data, db_session, start, end, expected):
    report = yearly.build(db_session, data.network_id, Period(start, end))
    assert {name for name, i in data.events.items() if i in {e.id for e in report.events}} == expected
    assert report.figures.events == len(expected)


def test_other_network_sees_only_its_own(data, db_session):
    f = yearly.build(db_session, data.other_network_id, YEAR).figures
    assert (f.events, f.attendances, f.participants, f.tutors, f.tutees, f.organizations, f.clusters,
            f.best_practices) == (1, 1, 1, 1, 0, 1, 1, 1)


def test_empty_period_gives_zeros_not_errors(data, db_session):
    report = yearly.build(db_session, data.network_id, Period(date(2030, 1, 1), date(2030, 1, 31)))
    f = report.figures
    assert (f.events, f.attendances, f.participants, f.tutors, f.tutees, f.organizations) == (0, 0, 0, 0, 0, 0)
    assert report.by_topic == [] and report.events == [] and len(report.by_month) == 1


def test_report_runs_a_bounded_number_of_queries(data, db_session):
    statements = []
    engine = db_session.get_bind()
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        yearly.build(db_session, data.network_id, YEAR)
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    assert len(statements) <= 16
