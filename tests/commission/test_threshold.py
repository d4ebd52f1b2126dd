"""The commission's threshold of criteria, the one-save checklist and the evidence the tool gathers."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from lti_tool.commission import evidence, services
from lti_tool.commission.criteria import CRITERIA
from lti_tool.commission.models import Decision
from lti_tool.core.reference import Person
from lti_tool.events.models import Event, EventLeader, EventMeeting


@pytest.fixture
def file(app, auth, db_session):
    network_id = auth.network()
    methodist = auth.user("Петрова Анна Викторовна")
    person = Person(network_id=network_id, user_id=auth.user("Сидорова Ольга Ивановна"),
                    full_name="Сидорова Ольга Ивановна")
    db_session.add(person)
    db_session.commit()
    candidacy = services.open_candidacy(db_session, network_id, person.id, methodist)
    meeting = services.create_meeting(db_session, network_id, date(2026, 5, 20), "Заседание № 1",
                                      [{"name": "Петрова А. В.", "role": "chair"}])
    db_session.commit()
    return network_id, methodist, candidacy, meeting


def test_award_below_the_threshold_needs_an_override_which_is_recorded(file, db_session):
    network_id, methodist, candidacy, meeting = file
    services.set_threshold(db_session, network_id, 5)
    services.assess_criterion(db_session, candidacy, "experience", True, "Стаж 12 лет")
    db_session.commit()
    with pytest.raises(services.BelowThreshold) as refused:
        services.record_decision(db_session, candidacy, meeting, "awarded", "Рекомендована", methodist)
    assert (refused.value.met, refused.value.threshold) == (1, 5)
    db_session.rollback()
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Decision)) == 0
    decision = services.record_decision(db_session, candidacy, meeting, "awarded", "Рекомендована", methodist,
                                        override=True)
    db_session.commit()
    assert (decision.overrode_threshold, decision.criteria_met, decision.threshold, decision.decided_by_id) == (
        True, 1, 5, methodist)
    assert db_session.get(Person, candidacy.person_id).is_tutor


def test_refusals_and_awards_at_the_threshold_need_no_override(file, db_session):
    network_id, methodist, candidacy, meeting = file
    assert services.threshold(db_session, network_id) == 0  # not set: nothing is refused
    services.record_decision(db_session, candidacy, meeting, "refused", "Рано", methodist)
    with pytest.raises(services.CommissionError):
        services.set_threshold(db_session, network_id, len(CRITERIA) + 1)
    services.set_threshold(db_session, network_id, 2)
    services.assess_all(db_session, candidacy, {"experience": (True, "12 лет"), "higher_education": (True, "ТГПУ")})
    decision = services.record_decision(db_session, candidacy, meeting, "awarded", "Все условия", methodist)
    assert not decision.overrode_threshold and decision.criteria_met == 2


def test_one_save_for_the_whole_checklist_and_the_warning_on_the_page(file, client, auth, db_session):
    network_id, methodist, candidacy, meeting = file
    auth.login("methodist", network_id=network_id, user_id=methodist)
    assert client.post("/commission/threshold", data={"min_criteria": "много"}).status_code == 302  # a message
    client.post("/commission/threshold", data={"min_criteria": "9"})
    assert 'value="9"' in client.get("/commission/").get_data(as_text=True)
    url = f"/commission/candidates/{candidacy.id}"
    form = {f"met-{code}": "no" for code in CRITERIA} | {"met-experience": "yes", "evidence-experience": "Стаж 12 лет",
                                                         "met-tutor_training": "yes"}
    assert client.post(f"{url}/criteria", data=form).status_code == 302
    db_session.expire_all()
    marks = {c.code: (c.met, c.evidence) for c in db_session.get(type(candidacy), candidacy.id).criteria}
    assert marks["experience"] == (True, "Стаж 12 лет") and marks["tutor_training"] == (True, None)
    assert marks["qualification"] == (False, None)
    assert client.post(f"{url}/criteria", data={"met-experience": "maybe"}).status_code == 302  # refused, unchanged
    db_session.expire_all()
    assert db_session.get(type(candidacy), candidacy.id).criteria[0].met is True
    page = client.get(url).get_data(as_text=True)
    assert "Выполнено критериев: 2 из 9" in page
    answer = client.post(f"{url}/decisions", data={"meeting_id": meeting.id, "outcome": "awarded", "reasons": "Да"},
                         follow_redirects=True).get_data(as_text=True)
    assert "порог" in answer
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Decision)) == 0
    client.post(f"{url}/decisions", data={"meeting_id": meeting.id, "outcome": "awarded", "reasons": "Да",
                                          "override": "y"})
    page = client.get(url).get_data(as_text=True)
    assert "ниже порога" in page and db_session.scalar(sa.select(Decision.overrode_threshold)) is True


def test_evidence_is_gathered_from_events_led(file, db_session):
    network_id, methodist, candidacy, meeting = file
    event = Event(network_id=network_id, year_id=_year(db_session, network_id), form="master_class",
                  title="Мастер-класс «Экологическая тропа»", status="held", best_practice=True)
    db_session.add(event)
    db_session.flush()
    db_session.add_all([EventLeader(event_id=event.id, person_id=candidacy.person_id),
                        EventMeeting(event_id=event.id, on_date=date(2026, 2, 10))])
    db_session.commit()
    gathered = evidence.gather(db_session, network_id, candidacy.person_id)
    assert gathered.events == [("Мастер-класс «Экологическая тропа»", date(2026, 2, 10), True)]
    proposed = gathered.for_criteria()
    assert "Экологическая тропа" in proposed["open_lessons"] and "Экологическая тропа" in proposed["methodological_work"]
    assert "qualification" not in proposed


def _year(session, network_id):
    from lti_tool.core.reference import AcademicYear
    year = AcademicYear(network_id=network_id, title="2025/2026", starts_on=date(2025, 9, 1), ends_on=date(2026, 8, 31))
    session.add(year)
    session.flush()
    return year.id
