"""The "Tutor" status commission: candidate files, immutable decisions, and the role they grant."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from lti_tool.commission import services
from lti_tool.commission.criteria import CRITERIA
from lti_tool.commission.models import Decision, DecisionImmutable
from lti_tool.core.accounts import RoleGrant
from lti_tool.core.reference import Person
from lti_tool.core.roles import granted_roles


@pytest.fixture
def setup(app, auth, db_session):
    network_id = auth.network()
    methodist_user = auth.user("Петрова Анна Викторовна")
    tutee_user = auth.user("Сидорова Ольга Ивановна")
    person = Person(network_id=network_id, user_id=tutee_user, full_name="Сидорова Ольга Ивановна")
    db_session.add(person)
    db_session.commit()
    return network_id, methodist_user, person


def test_candidacy_lists_every_criterion_of_section_3_3(setup, db_session):
    network_id, methodist, person = setup
    candidacy = services.open_candidacy(db_session, network_id, person.id, methodist)
    assert [c.code for c in candidacy.criteria] == list(CRITERIA)
    assert all(c.met is None for c in candidacy.criteria)
    # Nominating the same person again returns the same file.
    assert services.open_candidacy(db_session, network_id, person.id, methodist).id == candidacy.id


def test_award_grants_tutor_role_and_later_refusal_supersedes_and_revokes(setup, db_session):
    network_id, methodist, person = setup
    candidacy = services.open_candidacy(db_session, network_id, person.id, methodist)
    meeting = services.create_meeting(db_session, network_id, date(2026, 5, 20), "Заседание № 1",
                                      [{"name": "Петрова А. В.", "role": "chair"}])
    first = services.record_decision(db_session, candidacy, meeting, "awarded", "Все критерии выполнены", methodist)
    db_session.commit()
    assert first.decided_by_id == methodist and first.decided_at is not None
    assert granted_roles(db_session, network_id, person.user_id) == {"tutor"}
    assert person.is_tutor

    second = services.record_decision(db_session, candidacy, meeting, "refused", "Ошибка в документах", methodist)
    db_session.commit()
    assert second.supersedes_id == first.id
    assert services.current_decision(candidacy).outcome == "refused"
    assert granted_roles(db_session, network_id, person.user_id) == set()
    assert not person.is_tutor
    # History keeps both, the first unchanged.
    rows = db_session.scalars(sa.select(Decision).order_by(Decision.id)).all()
    assert [(d.outcome, d.reasons) for d in rows] == [("awarded", "Все критерии выполнены"),
                                                      ("refused", "Ошибка в документах")]
    assert db_session.scalar(sa.select(sa.func.count(RoleGrant.id))) == 1  # revoked, not deleted


def test_decision_cannot_be_edited_or_deleted(setup, db_session):
    network_id, methodist, person = setup
    candidacy = services.open_candidacy(db_session, network_id, person.id, methodist)
    meeting = services.create_meeting(db_session, network_id, date(2026, 5, 20), "Заседание", [{"name": "А", "role": "chair"}])
    decision = services.record_decision(db_session, candidacy, meeting, "postponed", "Нет публикаций", methodist)
    db_session.commit()
    decision.outcome = "awarded"
    with pytest.raises(DecisionImmutable):
        db_session.commit()
    db_session.rollback()
    db_session.delete(db_session.get(Decision, decision.id))
    with pytest.raises(DecisionImmutable):
        db_session.commit()
    db_session.rollback()
    assert db_session.get(Decision, decision.id).outcome == "postponed"


def test_decision_requires_reasons_and_known_outcome(setup, db_session):
    network_id, methodist, person = setup
    candidacy = services.open_candidacy(db_session, network_id, person.id, methodist)
    meeting = services.create_meeting(db_session, network_id, date(2026, 5, 20), "Заседание", [{"name": "А", "role": "chair"}])
    with pytest.raises(services.CommissionError):
        services.record_decision(db_session, candidacy, meeting, "awarded", "  ", methodist)
    with pytest.raises(services.CommissionError):
        services.record_decision(db_session, candidacy, meeting, "maybe", "x", methodist)


def test_pages_for_methodist_in_russian_and_decision_flow(setup, client, auth, db_session):
    network_id, methodist, person = setup
    auth.login("methodist", network_id=network_id, user_id=methodist)
    page = client.get("/commission/").get_data(as_text=True)
    assert "Комиссия по присвоению статуса «Тьютор»" in page
    resp = client.post("/commission/candidates", data={"person_id": person.id, "statement": "Активный тьюторант"})
    candidacy_url = resp.headers["Location"]
    client.post("/commission/meetings", data={"held_on": "2026-05-20", "title": "Заседание № 1",
                                              "members": "Петрова А. В. — председатель\nИванов И. И. — секретарь"})
    page = client.get(candidacy_url).get_data(as_text=True)
    assert "Высшее педагогическое образование" in page
    code = "higher_education"
    client.post(f"{candidacy_url}/criteria/{code}", data={"met": "yes", "evidence": "Диплом ТГПУ, 2010"})
    meeting_id = services.meetings(db_session, network_id)[0].id
    client.post(f"{candidacy_url}/decisions", data={"meeting_id": meeting_id, "outcome": "awarded", "reasons": "Соответствует"})
    page = client.get(candidacy_url).get_data(as_text=True)
    assert "Статус присвоен" in page and "Диплом ТГПУ, 2010" in page
    assert granted_roles(db_session, network_id, person.user_id) == {"tutor"}


def test_teacher_cannot_open_commission_and_other_network_gets_404(setup, client, auth, db_session):
    network_id, methodist, person = setup
    candidacy = services.open_candidacy(db_session, network_id, person.id, methodist)
    db_session.commit()
    auth.login("teacher", network_id=network_id)
    assert client.get("/commission/").status_code == 403
    auth.login("methodist")  # a methodist of another network
    assert client.get(f"/commission/candidates/{candidacy.id}").status_code == 404
    assert client.post(f"/commission/candidates/{candidacy.id}/decisions", data={}).status_code == 404


def test_the_nominee_is_found_by_name_not_picked_from_everyone(setup, client, auth, db_session):
    network_id, methodist, person = setup
    assert services.eligible_people(db_session, network_id) == []  # nothing listed without a search
    found = services.eligible_people(db_session, network_id, person.full_name.split()[0].lower())
    assert [p.id for p in found] == [person.id]
    auth.login("methodist", network_id=network_id, user_id=methodist)
    page = client.get(f"/commission/?find={person.full_name.split()[0]}").get_data(as_text=True)
    assert f'<option value="{person.id}">' in page
