"""Tutor pairing against the database: inputs, kept and manual pairs, confirming, the page."""
from __future__ import annotations

import sqlalchemy as sa

from lti_tool.core.reference import Person
from lti_tool.pathways import services, tutoring
from lti_tool.pathways.models import PairingRun, Route, RouteTutor

from .world import add_offering, make_user, set_needs


def add_tutor(session, world, name, topic_index):
    """A second tutor with an offering on the topic."""
    user = make_user(session, name)
    person = Person(network_id=world.network_id, user_id=user.id, full_name=name, is_tutor=True)
    session.add(person)
    session.flush()
    world.tutor_id, first = person.id, world.tutor_id
    add_offering(session, world, topic_index)
    world.tutor_id = first
    return person.id


def arrange(session, world):
    """Tutor A (the world's) covers topic 0, tutor B topic 1; teacher 0 is a young specialist."""
    add_offering(session, world, 0)
    other = add_tutor(session, world, "Кузнецова Анна Петровна", 1)
    for i, ratings in enumerate([{0: 5}, {0: 5, 1: 2}, {1: 5}, {0: 4}]):
        set_needs(session, world, world.teachers[i], ratings)
    session.get(Person, world.teachers[0]).experience_years = 1
    session.get(Person, world.teachers[1]).experience_years = 10
    session.commit()
    return other


def pairs_of(run):
    return {(p["tutee"], p["tutor"]) for p in run.proposal["pairs"]}


def test_pairs_by_needs_within_limits_young_first(db_session, world):
    other = arrange(db_session, world)
    run = tutoring.run_pairing(db_session, world.network_id, world.year_id, default_limit=1)
    t = world.teachers
    # Tutor A has one place and three tutees wanting topic 0: the young specialist gets it.
    assert (t[0], world.tutor_id) in pairs_of(run)
    assert (t[2], other) in pairs_of(run)
    assert run.figures["young_matched"] == 1 and run.figures["matched"] == 2
    assert dict(run.proposal["unmatched"]) == {t[1]: "no_capacity", t[3]: "no_capacity"}
    young = next(p for p in run.proposal["pairs"] if p["tutee"] == t[0])
    assert young["young"] and young["topics"] == [world.topics[0]] and young["org"]


def test_attached_tutors_stay_and_count_in_the_load(db_session, world):
    arrange(db_session, world)
    route = services.route_for(db_session, world.network_id, world.teachers[3], world.year_id, create=True)
    services.attach_tutor(db_session, route, world.tutor_id)
    run = tutoring.run_pairing(db_session, world.network_id, world.year_id, default_limit=1)
    kept = [p for p in run.proposal["pairs"] if p["kept"]]
    assert [(p["tutee"], p["tutor"]) for p in kept] == [(world.teachers[3], world.tutor_id)]
    assert not any(p["tutor"] == world.tutor_id and not p["kept"] for p in run.proposal["pairs"])


def test_manual_pairs_and_removed_pairs_survive_a_rerun_and_confirm_attaches(db_session, world):
    other = arrange(db_session, world)
    t = world.teachers
    run = tutoring.run_pairing(db_session, world.network_id, world.year_id, default_limit=3)
    tutoring.set_pair(run, t[3], other)  # by hand: a tutor who does not cover her need
    tutoring.remove_pair(run, t[2])  # the methodist does not want this pair
    new = tutoring.rerun(db_session, run, None)
    assert run.status == "discarded"
    manual = next(p for p in new.proposal["pairs"] if p["tutee"] == t[3])
    assert manual["tutor"] == other and manual["manual"]
    assert (t[2], other) not in pairs_of(new)
    count = tutoring.confirm(db_session, new, None)
    db_session.commit()
    attached = set(db_session.execute(sa.select(Route.person_id, RouteTutor.tutor_id)
                                      .join(RouteTutor, RouteTutor.route_id == Route.id)))
    assert attached == pairs_of(new) and count == len(attached)
    assert new.status == "confirmed"
    try:
        tutoring.confirm(db_session, new, None)
        raise AssertionError("a confirmed proposal was confirmed twice")
    except services.PathwayError:
        db_session.rollback()


def test_load_limits_hold_for_hand_pairs_and_at_confirm(db_session, world):
    arrange(db_session, world)
    t = world.teachers
    run = tutoring.run_pairing(db_session, world.network_id, world.year_id, default_limit=1)
    try:
        tutoring.set_pair(run, t[1], world.tutor_id)  # tutor A is full
        raise AssertionError("the load limit was exceeded by hand")
    except services.PathwayError:
        pass
    # Meanwhile tutor A is attached by hand to another teacher: confirming would overload her.
    route = services.route_for(db_session, world.network_id, t[3], world.year_id, create=True)
    services.attach_tutor(db_session, route, world.tutor_id)
    db_session.commit()
    try:
        tutoring.confirm(db_session, run, None)
        raise AssertionError("confirmed above a load limit")
    except services.PathwayError:
        db_session.rollback()
    assert db_session.get(PairingRun, run.id).status == "proposed"
    assert db_session.scalar(sa.select(sa.func.count()).select_from(RouteTutor)) == 1


def test_methodist_page_suggest_adjust_confirm(client, auth, db_session, world):
    other = arrange(db_session, world)
    auth.login("methodist", network_id=world.network_id)
    response = client.post("/pathways/tutors/run", data={"default_limit": "1", "young_years": "3"})
    assert response.status_code == 302
    run_id = db_session.scalar(sa.select(PairingRun.id).where(PairingRun.network_id == world.network_id))
    page = client.get(f"/pathways/tutors/runs/{run_id}").get_data(as_text=True)
    assert "Педагог 01" in page and "Кузнецова Анна Петровна" in page
    assert "молодой специалист" in page and "Тема 1" in page
    assert client.get("/pathways/tutors").headers["Location"].endswith(f"/pathways/tutors/runs/{run_id}")
    assert "Педагог 02" in client.get(f"/pathways/tutors/runs/{run_id}?show=unmatched").get_data(as_text=True)
    bad = client.post("/pathways/tutors/run", data={"default_limit": "много", "young_years": "3"})
    assert bad.status_code == 302  # a message, not a 500
    client.post(f"/pathways/tutors/runs/{run_id}/adjust", data={"action": "limit", "tutor": str(other), "limit": "3"})
    client.post(f"/pathways/tutors/runs/{run_id}/adjust",
                data={"action": "set", "tutee": str(world.teachers[1]), "tutor": str(other)})
    assert client.post(f"/pathways/tutors/runs/{run_id}/confirm").status_code == 302
    db_session.expire_all()
    tutors_of_1 = db_session.scalars(sa.select(RouteTutor.tutor_id).join(Route).where(
        Route.person_id == world.teachers[1])).all()
    assert tutors_of_1 == [other]


def test_pairing_pages_are_for_methodists_of_the_network(client, auth, db_session, world):
    arrange(db_session, world)
    run = tutoring.run_pairing(db_session, world.network_id, world.year_id)
    db_session.commit()
    auth.login("teacher", network_id=world.network_id, user_id=world.teacher_users[0])
    assert client.get(f"/pathways/tutors/runs/{run.id}").status_code == 403
    assert client.post("/pathways/tutors/run", data={"default_limit": "2", "young_years": "3"}).status_code == 403
    auth.login("methodist")  # another network
    assert client.get(f"/pathways/tutors/runs/{run.id}").status_code == 404
    assert client.post(f"/pathways/tutors/runs/{run.id}/confirm").status_code == 404
