"""The demo roster shared by the tool's demo data and the demo LMS (no browser needed).

`flask demo roster PATH` writes the demo network's people; `python -m demo_lms --roster PATH`
enrols them, so "launch as teacher" in the demo LMS lands on a person who has data in the tool.
"""
from __future__ import annotations

import json
import random

import pytest

from demo_lms import create_app as create_lms
from lti_tool.core.accounts import Network
from lti_tool.core.reference import AcademicYear, Person
from lti_tool.demo_roster import roster_rows, split_name


def _people(db_session, network_id: int) -> list[Person]:
    from lti_tool.resource_map.demo import load_demo

    load_demo(db_session, network_id, random.Random("2025:resource_map"))
    db_session.commit()
    return list(db_session.query(Person).filter_by(network_id=network_id).order_by(Person.id))


def test_roster_lists_tutors_methodist_and_teachers_by_their_emails(db_session):
    network = Network(name="Демо", slug="demo-roster")
    db_session.add(network)
    db_session.flush()
    people = _people(db_session, network.id)

    rows = roster_rows(db_session, network.id)

    kinds = [r["kind"] for r in rows]
    assert kinds.count("methodist") == 1
    assert kinds.count("instructor") == sum(p.is_tutor for p in people)
    assert kinds.count("learner") == sum(not p.is_tutor for p in people)
    by_email = {p.email: p for p in people}
    for row in rows:
        if row["kind"] == "methodist":
            continue
        person = by_email[row["email"]]
        assert person.is_tutor == (row["kind"] == "instructor")
        assert f"{row['family_name']} {row['given_name']}" == person.full_name


def test_teachers_with_data_come_first(db_session):
    from lti_tool.events.models import Event, Participant

    network = Network(name="Демо", slug="demo-roster-order")
    db_session.add(network)
    db_session.flush()
    people = _people(db_session, network.id)
    busy = [p for p in people if not p.is_tutor][-1]  # the last teacher by id
    year = db_session.query(AcademicYear).filter_by(network_id=network.id).one()
    event = Event(network_id=network.id, year_id=year.id, title="Тьюториал", form="tutorial", status="published")
    db_session.add(event)
    db_session.flush()
    db_session.add(Participant(event_id=event.id, person_id=busy.id, status="registered"))
    db_session.flush()

    learners = [r for r in roster_rows(db_session, network.id) if r["kind"] == "learner"]

    assert learners[0]["email"] == busy.email


def test_split_name_keeps_the_patronymic_in_the_given_name():
    assert split_name("Белова Анна Сергеевна") == ("Анна Сергеевна", "Белова")


def test_demo_lms_enrols_the_roster_file_and_picks_its_first_learner(tmp_path):
    roster = [
        {"given_name": "Людмила Викторовна", "family_name": "Горбунова", "email": "m@imc.example.ru", "kind": "methodist"},
        {"given_name": "Ольга Ивановна", "family_name": "Козлова", "email": "olga.kozlova@dou2.example.ru",
         "kind": "instructor"},
        {"given_name": "Анна Сергеевна", "family_name": "Белова", "email": "anna.belova@dou48.example.ru",
         "kind": "learner"},
        {"given_name": "Вера Петровна", "family_name": "Орлова", "email": "vera.orlova@dou1.example.ru",
         "kind": "learner"},
    ]
    path = tmp_path / "roster.json"
    path.write_text(json.dumps(roster, ensure_ascii=False), encoding="utf-8")
    app = create_lms({"DEMO_LMS_DATA": str(tmp_path / "lms"), "DEMO_LMS_CONTROL": True, "DEMO_LMS_ROSTER": str(path)})
    client = app.test_client()

    course = client.get("/_control/courses/1").get_json()
    members = {m["user_id"]: m for m in client.get("/_control/courses/1/members").get_json()}

    assert course["counts"] == {"methodist": 1, "instructor": 1, "learner": 2}
    assert members[course["representatives"]["teacher"]]["email"] == "anna.belova@dou48.example.ru"
    assert members[course["representatives"]["tutor"]]["email"] == "olga.kozlova@dou2.example.ru"
    assert members[course["representatives"]["methodist"]]["family_name"] == "Горбунова"


def test_demo_lms_refuses_a_roster_with_an_unknown_kind(tmp_path):
    path = tmp_path / "roster.json"
    path.write_text(json.dumps([{"given_name": "А", "family_name": "Б", "email": "a@b.ru", "kind": "student"}]))
    with pytest.raises(ValueError, match="kind 'student'"):
        create_lms({"DEMO_LMS_DATA": str(tmp_path / "lms"), "DEMO_LMS_ROSTER": str(path)})
