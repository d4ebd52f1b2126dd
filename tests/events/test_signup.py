"""Sign-up: capacity, waitlist order, promotion on cancellation, and parallel sign-ups."""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from lti_tool.core.db import make_engine, make_session_factory
from lti_tool.events import signup
from lti_tool.events.models import Participant
from lti_tool.events.services import EventError

from .world import build_world, event_of


def statuses(session, event_id):
    session.expire_all()
    rows = session.scalars(sa.select(Participant).where(Participant.event_id == event_id)
                           .order_by(Participant.queue_seq, Participant.id))
    return [(r.person_id, r.status) for r in rows]


def test_capacity_then_waitlist_then_promotion_in_order(db_session):
    w = build_world(db_session, teachers=5, capacity=2)
    ids = [signup.sign_up(db_session, w.event_id, p).id for p in w.teachers]
    db_session.commit()
    assert statuses(db_session, w.event_id) == [
        (w.teachers[0], "registered"), (w.teachers[1], "registered"),
        (w.teachers[2], "waitlisted"), (w.teachers[3], "waitlisted"), (w.teachers[4], "waitlisted")]
    assert [signup.waitlist_position(db_session, db_session.get(Participant, i)) for i in ids] == [None, None, 1, 2, 3]

    promoted = signup.cancel(db_session, ids[1])
    db_session.commit()
    assert [p.person_id for p in promoted] == [w.teachers[2]]
    promoted = signup.cancel(db_session, ids[3])  # a waitlisted person leaves: nobody promoted
    assert promoted == []
    promoted = signup.cancel(db_session, ids[0])
    db_session.commit()
    assert [p.person_id for p in promoted] == [w.teachers[4]]
    assert signup.registered_count(db_session, w.event_id) == 2


def test_sign_up_again_keeps_the_seat_and_rejoining_goes_to_the_back(db_session):
    w = build_world(db_session, teachers=3, capacity=1)
    first = signup.sign_up(db_session, w.event_id, w.teachers[0])
    assert signup.sign_up(db_session, w.event_id, w.teachers[0]).id == first.id
    signup.sign_up(db_session, w.event_id, w.teachers[1])
    signup.cancel(db_session, first.id)  # teacher 2 promoted
    again = signup.sign_up(db_session, w.event_id, w.teachers[0])
    db_session.commit()
    assert again.id == first.id and again.status == "waitlisted"
    assert statuses(db_session, w.event_id)[-1] == (w.teachers[0], "waitlisted")


def test_closed_or_cancelled_event_refuses_teachers_but_staff_may_add(db_session):
    w = build_world(db_session, teachers=2)
    event = event_of(db_session, w)
    event.status = "draft"
    db_session.commit()
    with pytest.raises(EventError):
        signup.sign_up(db_session, w.event_id, w.teachers[0])
    db_session.rollback()
    assert signup.sign_up(db_session, w.event_id, w.teachers[0], by_staff=True).status == "registered"


def test_raising_capacity_promotes_from_waitlist(db_session):
    w = build_world(db_session, teachers=4, capacity=1)
    for p in w.teachers:
        signup.sign_up(db_session, w.event_id, p)
    promoted = signup.change_capacity(db_session, w.event_id, 3)
    db_session.commit()
    assert [p.person_id for p in promoted] == w.teachers[1:3]


def _run_parallel(url, jobs):
    """Run each job(session) in its own thread and DB session, all released at once."""
    engine = make_engine(url, pool_size=len(jobs) + 2, max_overflow=0) if url.startswith("postgresql") \
        else make_engine(url)
    factory = make_session_factory(engine)
    barrier = threading.Barrier(len(jobs))
    errors = []

    def run(job):
        with factory() as session:
            barrier.wait()
            try:
                job(session)
                session.commit()
            except Exception as exc:  # collected and re-raised by the test
                session.rollback()
                errors.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    engine.dispose()
    assert errors == []


def test_parallel_sign_ups_never_exceed_capacity(app, db_session, database_url):
    w = build_world(db_session, teachers=12, capacity=3)
    _run_parallel(database_url, [lambda s, p=p: signup.sign_up(s, w.event_id, p) for p in w.teachers])
    rows = statuses(db_session, w.event_id)
    assert len(rows) == 12
    assert sum(1 for _p, st in rows if st == "registered") == 3
    waiting = list(db_session.scalars(sa.select(Participant).where(
        Participant.event_id == w.event_id, Participant.status == "waitlisted")))
    positions = sorted(signup.waitlist_position(db_session, p) for p in waiting)
    assert positions == list(range(1, 10))
    # first come, first served: every registered person came before every waitlisted one
    registered_seq = max(p.queue_seq for p in db_session.scalars(sa.select(Participant).where(
        Participant.event_id == w.event_id, Participant.status == "registered")))
    assert all(p.queue_seq > registered_seq for p in waiting)


def test_parallel_cancellations_and_sign_ups_keep_the_invariant(app, db_session, database_url):
    w = build_world(db_session, teachers=10, capacity=4)
    first = [signup.sign_up(db_session, w.event_id, p).id for p in w.teachers[:6]]  # 4 in, 2 waiting
    db_session.commit()
    jobs = [lambda s, i=i: signup.cancel(s, i) for i in first[:3]]
    jobs += [lambda s, p=p: signup.sign_up(s, w.event_id, p) for p in w.teachers[6:]]
    _run_parallel(database_url, jobs)
    rows = statuses(db_session, w.event_id)
    registered = [p for p, st in rows if st == "registered"]
    waiting = [p for p, st in rows if st == "waitlisted"]
    assert len(registered) == 4  # 3 left, 3 seats refilled from the waitlist, never more
    assert len(waiting) == 3
    # the two who waited first were promoted first
    assert set(w.teachers[4:6]) <= set(registered)


def test_the_leading_tutor_is_not_offered_her_own_event(db_session, client, auth):
    w = build_world(db_session, teachers=1, capacity=1)
    signup.sign_up(db_session, w.event_id, w.teachers[0])  # the event is full: others would join the waitlist
    db_session.commit()
    with pytest.raises(EventError):
        signup.sign_up(db_session, w.event_id, w.tutor_person_id)
    db_session.rollback()
    auth.login("tutor", network_id=w.network_id, user_id=w.tutor_user_id)
    page = client.get(f"/events/{w.event_id}").get_data(as_text=True)
    assert "Вы ведёте это мероприятие." in page and "Встать в лист ожидания" not in page
    auth.login("tutor", network_id=w.network_id, user_id=w.other_tutor_user_id)
    assert "Вы ведёте это мероприятие." not in client.get(f"/events/{w.event_id}").get_data(as_text=True)
