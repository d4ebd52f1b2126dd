"""Finding whom to add to an event: by part of the name, people of the network and course members."""
from __future__ import annotations

import sqlalchemy as sa

from lti_tool.core.courses import Enrollment
from lti_tool.core.reference import Person
from lti_tool.events import candidates
from lti_tool.events.models import Participant
from tests.conftest import TEACHER, TUTOR
from tests.events.world import build_world, make_user


def test_found_by_part_of_the_name_in_any_case(db_session):
    w = build_world(db_session, teachers=3)
    db_session.get(Person, w.teachers[0]).full_name = "Иванова Анна Петровна"
    db_session.commit()
    for query in ("иванова", "Иванова", "ИВАНОВА", "анна петровна"):
        assert [c.value for c in candidates.find(db_session, w.network_id, query)] == [f"person:{w.teachers[0]}"]
    assert candidates.find(db_session, w.network_id, "и") == []  # one letter: no search
    assert candidates.find(db_session, w.network_id, "100%") == []  # LIKE's wildcards are text


def test_at_most_a_page_of_matches(db_session):
    w = build_world(db_session, teachers=25)
    found = candidates.find(db_session, w.network_id, "Педагог")
    assert len(found) == candidates.LIMIT
    assert found[0].label == "Педагог 01"


def test_a_course_member_without_a_person_is_found_and_added(client, auth, db_session):
    w = build_world(db_session, teachers=1)
    newcomer = make_user(db_session, "Соколова Мария Ивановна")
    db_session.add(Enrollment(course_id=w.course_id, user_id=newcomer.id, lti_roles=["Learner"]))
    outsider = make_user(db_session, "Соколова Вера Павловна")  # not in any course of the network
    db_session.commit()
    assert [c.value for c in candidates.find(db_session, w.network_id, "соколова")] == [f"user:{newcomer.id}"]
    auth.login(TUTOR, network_id=w.network_id, user_id=w.tutor_user_id)
    assert client.post(f"/events/{w.event_id}/participants", data={"candidate": f"user:{outsider.id}"}).status_code == 404
    assert client.post(f"/events/{w.event_id}/participants", data={"candidate": f"user:{newcomer.id}"}).status_code == 302
    person = db_session.scalar(sa.select(Person).where(Person.user_id == newcomer.id))
    assert person.network_id == w.network_id
    assert db_session.scalar(sa.select(Participant.status).where(Participant.person_id == person.id)) == "registered"


def test_the_event_page_finds_and_the_json_answers_tutors_only(client, auth, db_session):
    w = build_world(db_session, teachers=2)
    auth.login(TUTOR, network_id=w.network_id, user_id=w.tutor_user_id)
    page = client.get(f"/events/{w.event_id}?find=Педагог 02").text
    assert f'value="person:{w.teachers[1]}"' in page and f'value="person:{w.teachers[0]}"' not in page
    data = client.get(f"/events/{w.event_id}/candidates?q=педагог").get_json()
    assert [c["value"] for c in data["candidates"]] == [f"person:{p}" for p in w.teachers]
    auth.login(TEACHER, network_id=w.network_id, user_id=w.teacher_users[0])
    assert client.get(f"/events/{w.event_id}/candidates?q=педагог").status_code == 403
